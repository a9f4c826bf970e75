// `runner-kernel config explain SYMBOL [--variant V...] [--json]`: why a symbol has its value in
// each variant, side by side (see variants/explain.hpp).
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/config_common.hpp"
#include "variants/explain.hpp"

namespace rk::cli {

namespace {

struct ExplainArgs {
  std::string symbol;
  std::vector<std::string> variants;
  bool json = false;
  size_t width = 0;
};

// --width, else the terminal's columns, else $COLUMNS, else 100.
size_t output_width(size_t requested) {
  if (requested) return requested;
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    long n = std::strtol(c, nullptr, 10);
    if (n > 0) return static_cast<size_t>(n);
  }
  return 100;
}

int run_explain(const ConfigOptions& options, const ExplainArgs& args) {
  auto ws = options.open_workspace();
  auto selected = ws->matrix().select(args.variants);
  variants::ExplainResult result = variants::explain_symbol(*ws, selected, args.symbol);
  std::string text = args.json ? variants::render_json(result)
                               : variants::render_text(result, output_width(args.width));
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (!result.found_anywhere()) {
    std::fprintf(stderr, "%s is not a symbol of any selected variant\n", result.symbol.c_str());
    return 1;
  }
  return 0;
}

CommandRunner register_explain(CLI::App& config, std::shared_ptr<ConfigOptions> options) {
  auto args = std::make_shared<ExplainArgs>();
  CLI::App* cmd = config.add_subcommand(
      "explain", "Why a symbol has its value in each variant (deps, selects, defaults, fragments)");
  cmd->add_option("symbol", args->symbol, "The symbol, with or without CONFIG_")->required();
  cmd->add_option("--variant,-v", args->variants,
                  "Variants, branches or arches to show (repeatable; default: all)");
  cmd->add_flag("--json", args->json, "Machine-readable output");
  cmd->add_option("--width", args->width, "Output width (default: the terminal's)");
  return [options, args] { return run_explain(*options, *args); };
}

const ConfigSubcommandRegistration kRegistration{"explain", 40, register_explain};

}  // namespace

}  // namespace rk::cli
