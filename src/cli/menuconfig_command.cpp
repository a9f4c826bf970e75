// `runner-kernel menuconfig [--variant V...]`: the kernel's menuconfig over every variant at
// once (src/tui/).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "source/tree_cache.hpp"
#include "tui/model.hpp"
#include "tui/screen.hpp"
#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::cli {

namespace {

struct MenuconfigArgs {
  std::string matrix_path;
  std::vector<std::string> variants;
  std::string focus;
  std::vector<std::string> trees;  // BRANCH=DIR
  bool live = false;
  bool replay = false;
};

// The tree of a branch: --tree BRANCH=DIR, else $RK_TREE_<branch> (dots as underscores, e.g.
// RK_TREE_6_1), else the source cache.
std::string tree_override(const std::map<std::string, std::string>& trees,
                          const std::string& branch) {
  auto it = trees.find(branch);
  if (it != trees.end()) return it->second;
  std::string var = "RK_TREE_" + branch;
  for (char& c : var)
    if (c == '.' || c == '-') c = '_';
  const char* env = std::getenv(var.c_str());
  return env && *env ? std::filesystem::absolute(env).string() : "";
}

int run_menuconfig(const MenuconfigArgs& args) {
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
    throw std::runtime_error("menuconfig needs a terminal (stdin and stdout)");
  if (args.live && args.replay) throw std::runtime_error("give only one of --live and --replay");
  std::map<std::string, std::string> trees;
  for (const auto& t : args.trees) {
    size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::runtime_error("--tree takes BRANCH=DIR, not '" + t + "'");
    trees[t.substr(0, eq)] = std::filesystem::absolute(t.substr(eq + 1)).string();
  }
  variants::Matrix m = variants::Matrix::load(variants::find_matrix_file(args.matrix_path));
  variants::Matrix copy = m;
  auto locator = [copy, trees](const variants::BranchSpec& b) {
    std::string dir = tree_override(trees, b.name);
    return dir.empty() ? source::require_tree(copy, b).dir : dir;
  };
  variants::ToolchainMode mode = args.live     ? variants::ToolchainMode::Live
                                 : args.replay ? variants::ToolchainMode::Replay
                                               : variants::ToolchainMode::Auto;
  variants::Workspace ws(std::move(m), locator, mode);
  ws.use_tree_cache(tree_cache_dir());
  std::vector<const variants::Variant*> selected = ws.matrix().select(args.variants);
  size_t focus = 0;
  if (!args.focus.empty()) {
    const variants::Variant* f = ws.matrix().find_variant(args.focus);
    if (!f) throw std::runtime_error("--focus: unknown variant '" + args.focus + "'");
    for (size_t i = 0; i < selected.size(); ++i)
      if (selected[i] == f) focus = i;
  }
  tui::Model model(ws, selected);
  tui::ScreenOptions options;
  options.focus = focus;
  return tui::run_screen(model, options);
}

CommandRunner register_menuconfig(CLI::App& app) {
  auto args = std::make_shared<MenuconfigArgs>();
  CLI::App* cmd = app.add_subcommand(
      "menuconfig", "Edit the fragments with the kernel's menus, every variant side by side");
  cmd->add_option("--variant", args->variants,
                  "Variants, branches or arches to show (default: all)");
  cmd->add_option("--focus", args->focus, "Variant whose column is focused at start (6.1-arm64)");
  cmd->add_option("--matrix", args->matrix_path, "variants.toml (default: found upwards)");
  cmd->add_option("--tree", args->trees,
                  "BRANCH=DIR: use this kernel tree for a branch (also $RK_TREE_6_1=DIR)");
  cmd->add_flag("--live", args->live, "Run the toolchain's $(shell,...) macros");
  cmd->add_flag("--replay", args->replay, "Replay toolchain profiles only");
  return [args] { return run_menuconfig(*args); };
}

const CommandRegistration kRegistration{"menuconfig", 35, register_menuconfig};

}  // namespace

}  // namespace rk::cli
