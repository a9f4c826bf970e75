#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "base/file.hpp"
#include "cli/config_common.hpp"
#include "kconfig/confdata.hpp"
#include "source/tree_cache.hpp"

namespace rk::cli {

namespace fs = std::filesystem;

std::vector<ConfigSubcommandEntry>& config_subcommand_registry() {
  static std::vector<ConfigSubcommandEntry> registry;
  return registry;
}

variants::ToolchainMode ConfigOptions::mode() const {
  if (live + replay + record > 1)
    throw std::runtime_error("give only one of --live, --replay and --record-toolchain");
  if (live) return variants::ToolchainMode::Live;
  if (replay) return variants::ToolchainMode::Replay;
  if (record) return variants::ToolchainMode::Record;
  return variants::ToolchainMode::Auto;
}

std::unique_ptr<base::FileLock> ConfigOptions::lock_configuration(const std::string& what) const {
  return variants::lock_configuration(variants::find_matrix_file(matrix_path), what, stderr);
}

std::unique_ptr<variants::Workspace> ConfigOptions::open_workspace() const {
  variants::Matrix m = variants::Matrix::load(variants::find_matrix_file(matrix_path));
  if (!drop_fragments.empty() || !add_fragments.empty()) {
    m = m.with_fragments(drop_fragments, add_fragments);
  }
  variants::Matrix copy = m;
  // RK_TREE_<branch> (dots as underscores, e.g. RK_TREE_6_1=DIR) points a branch at any
  // kernel tree: tests use fixture trees, developers a checkout.
  auto locator = [copy](const variants::BranchSpec& b) {
    std::string var = "RK_TREE_" + b.name;
    std::replace(var.begin(), var.end(), '.', '_');
    if (const char* dir = std::getenv(var.c_str()); dir && *dir) return std::string(dir);
    return source::require_tree(copy, b).dir;
  };
  auto ws = std::make_unique<variants::Workspace>(std::move(m), locator, mode());
  ws->use_tree_cache(tree_cache_dir());
  return ws;
}

void add_fragment_override_options(CLI::App& cmd, std::vector<std::string>& drop,
                                   std::vector<std::string>& add) {
  cmd.add_option("--drop-fragment", drop,
                 "Leave this fragment out (as variants.toml names it); its probes are no "
                 "longer required. For smaller test kernels and what-if builds");
  cmd.add_option("--add-fragment", add,
                 "Append this fragment file to every variant, after the others (it wins). For "
                 "controls, e.g. a variant with one feature removed");
}

bool write_atomically(const std::string& path, const std::string& content) {
  return base::write_file_if_changed(path, content);
}

bool stdout_is_tty() {
  return isatty(STDOUT_FILENO) != 0;
}

namespace {

CommandRunner register_config(CLI::App& app) {
  auto options = std::make_shared<ConfigOptions>();
  CLI::App* cmd = app.add_subcommand(
      "config", "The variant matrix's configurations: resolve, check, set, explain, diff, ...");
  cmd->require_subcommand(1);
  cmd->add_option("--matrix", options->matrix_path, "variants.toml (default: found upwards)");
  cmd->add_flag("--live", options->live,
                "Run the toolchain's $(shell,...) macros instead of replaying profiles");
  cmd->add_flag("--replay", options->replay,
                "Replay toolchain profiles only (error when one is missing)");
  cmd->add_flag("--record-toolchain", options->record,
                "Run the toolchain and record each variant's profile");
  auto& registry = config_subcommand_registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
  auto subs = std::make_shared<std::vector<std::pair<CLI::App*, CommandRunner>>>();
  for (auto& entry : registry) {
    CommandRunner run = entry.registrar(*cmd, options);
    subs->emplace_back(cmd->get_subcommand(entry.name), std::move(run));
  }
  return [subs]() {
    for (auto& [sub, run] : *subs)
      if (sub->parsed()) return run();
    return 1;
  };
}

const CommandRegistration kRegistration{"config", 30, register_config};

}  // namespace

}  // namespace rk::cli
