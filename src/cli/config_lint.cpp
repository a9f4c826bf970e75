// `runner-kernel config lint [VARIANT...] [--json] [--rules FILE]`: checks each resolved variant
// against configs/rules.toml and the built-in rules (no =m, every fragment setting has a reason,
// no rule names a symbol the variant does not define). Exits 1 when anything fails.
#include <cstdio>

#include "cli/config_common.hpp"
#include "variants/lint.hpp"

namespace rk::cli {

namespace {

struct LintArgs {
  std::vector<std::string> variants;
  std::string rules;  // default: <matrix root>/configs/rules.toml
  bool json = false;
};

int run_lint(const ConfigOptions& options, const LintArgs& args) {
  auto ws = options.open_workspace();
  const variants::Matrix& m = ws->matrix();
  auto selected = m.select(args.variants);
  std::string rules_path = args.rules.empty() ? m.absolute("configs/rules.toml") : args.rules;
  variants::RuleSet rules = variants::load_rules(rules_path, &m);
  variants::LintReport report = variants::lint_variants(*ws, rules, selected);
  std::string text =
      args.json ? variants::lint_report_json(report) : variants::format_lint_report(report);
  std::fputs(text.c_str(), stdout);
  return report.ok() ? 0 : 1;
}

CommandRunner register_lint(CLI::App& config, std::shared_ptr<ConfigOptions> options) {
  auto args = std::make_shared<LintArgs>();
  CLI::App* cmd = config.add_subcommand(
      "lint", "Check each variant against configs/rules.toml and the built-in rules");
  cmd->add_option("variants", args->variants, "Variants, branches or arches (default: all)");
  cmd->add_option("--rules", args->rules, "Rules file (default: configs/rules.toml)");
  cmd->add_flag("--json", args->json, "Print the report as JSON");
  return [options, args] { return run_lint(*options, *args); };
}

const ConfigSubcommandRegistration kRegistration{"lint", 60, register_lint};

}  // namespace

}  // namespace rk::cli
