// `runner-kernel config diff`: symbol-level differences between resolved configurations:
//   config diff 6.1-x86_64 6.1-arm64      two variants
//   config diff 6.1 6.12                  two branches, arch by arch
//   config diff --rev HEAD~1 | config diff main
//                                         a git revision's matrix against the working tree
// (see variants/config_diff.hpp).
#include <cstdio>

#include "cli/config_common.hpp"
#include "source/tree_cache.hpp"
#include "variants/config_diff.hpp"

namespace rk::cli {

namespace {

struct DiffArgs {
  std::vector<std::string> operands;
  std::string rev;
  std::vector<std::string> variants;
  bool json = false;
};

int run_diff(const ConfigOptions& options, const DiffArgs& args) {
  auto ws = options.open_workspace();
  const variants::Matrix& m = ws->matrix();
  const auto& ops = args.operands;
  auto is_variant = [&](const std::string& s) { return m.find_variant(s) != nullptr; };
  auto is_branch = [&](const std::string& s) { return m.find_branch(s) != nullptr; };

  variants::DiffResult result;
  std::string rev = args.rev;
  if (rev.empty() && ops.size() == 1 && !is_variant(ops[0]) && !is_branch(ops[0]) &&
      !m.find_arch(ops[0]))
    rev = ops[0];
  if (!rev.empty() || ops.empty()) {
    if (!args.rev.empty() && !ops.empty())
      throw std::runtime_error("give either --rev or two variants/branches, not both");
    variants::RevisionDiffOptions o;
    o.rev = rev.empty() ? "HEAD" : rev;
    o.variants = args.variants;
    o.mode = options.mode();
    variants::Matrix current = m;
    o.locator = [current](const variants::BranchSpec& b) {
      return source::require_tree(current, b).dir;
    };
    result = variants::diff_revision(*ws, o);
  } else if (ops.size() == 2 && is_variant(ops[0]) && is_variant(ops[1])) {
    result = variants::diff_variants(*ws, *m.find_variant(ops[0]), *m.find_variant(ops[1]));
  } else if (ops.size() == 2 && is_branch(ops[0]) && is_branch(ops[1])) {
    result = variants::diff_branches(*ws, ops[0], ops[1]);
  } else {
    std::string names;
    for (const auto& v : m.variants) names += " " + v.name;
    throw std::runtime_error(
        "config diff takes two variants (6.1-x86_64 6.1-arm64), two branches (6.1 6.12), or a "
        "git revision (--rev HEAD~1, or just main); variants:" +
        names);
  }
  std::string text =
      args.json ? variants::render_diff_json(result) : variants::render_diff_text(result);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

CommandRunner register_diff(CLI::App& config, std::shared_ptr<ConfigOptions> options) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* cmd = config.add_subcommand(
      "diff",
      "Symbols added/removed/changed between two variants, two branches, or a git revision and "
      "the working tree");
  cmd->add_option("operands", args->operands,
                  "A B (variants or branches), or a git revision (default: --rev HEAD)")
      ->expected(0, 2);
  cmd->add_option("--rev", args->rev, "Compare this git revision's matrix with the working tree");
  cmd->add_option("--variant,-v", args->variants,
                  "With a revision: only these variants, branches or arches (repeatable)");
  cmd->add_flag("--json", args->json, "Machine-readable output");
  return [options, args] { return run_diff(*options, *args); };
}

const ConfigSubcommandRegistration kRegistration{"diff", 50, register_diff};

}  // namespace

}  // namespace rk::cli
