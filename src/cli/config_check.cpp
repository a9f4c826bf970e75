// `runner-kernel config check [VARIANT...]`: do the fragments' values land, and if not why.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/config_common.hpp"
#include "variants/check.hpp"

namespace rk::cli {

namespace {

struct CheckArgs {
  std::vector<std::string> variants;
  bool json = false;
  bool no_redundant = false;
  bool no_new = false;
};

int run_check(const ConfigOptions& options, const CheckArgs& args) {
  auto ws = options.open_workspace();
  auto selected = ws->matrix().select(args.variants);
  variants::CheckOptions co;
  co.redundant = !args.no_redundant;
  if (!args.no_new) co.previous_dir = ws->matrix().absolute("build");
  variants::CheckReport report = variants::check_variants(*ws, selected, co);
  if (args.json)
    std::printf("%s\n", variants::check_json(report).dump(2).c_str());
  else
    std::fputs(variants::render_check_text(report).c_str(), stdout);
  return report.count(variants::Severity::Error) ? 1 : 0;
}

CommandRunner register_check(CLI::App& config, std::shared_ptr<ConfigOptions> options) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = config.add_subcommand(
      "check",
      "Prove every fragment value lands in every variant; explain and fix those that don't");
  cmd->add_option("variants", args->variants, "Variants, branches or arches (default: all)");
  cmd->add_flag("--json", args->json, "Machine-readable report");
  cmd->add_flag("--no-redundant", args->no_redundant, "Don't report redundant lines");
  cmd->add_flag("--no-new", args->no_new,
                "Don't report symbols new since the last `config resolve` (build/<variant>)");
  return [options, args] { return run_check(*options, *args); };
}

const ConfigSubcommandRegistration kRegistration{"check", 20, register_check};

}  // namespace

}  // namespace rk::cli
