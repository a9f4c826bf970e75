// `runner-kernel config resolve [VARIANT...]`: each variant's .config, from the kernel defaults
// and its fragments, written to build/<variant>/.config.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "cli/config_common.hpp"

namespace rk::cli {

namespace {

struct ResolveArgs {
  std::vector<std::string> variants;
  std::string out_dir;  // default: <matrix root>/build
};

int run_resolve(const ConfigOptions& options, const ResolveArgs& args) {
  auto ws = options.open_workspace();
  const variants::Matrix& m = ws->matrix();
  auto selected = m.select(args.variants);
  auto t0 = std::chrono::steady_clock::now();
  ws->load_trees(selected);
  std::string out_dir = args.out_dir.empty() ? m.absolute("build") : args.out_dir;
  std::printf("%-14s %8s %9s %8s  %s\n", "variant", "symbols", "parse ms", "eval ms", "config");
  for (const variants::Variant* v : selected) {
    auto e0 = std::chrono::steady_clock::now();
    variants::Evaluation ev = ws->resolve(*v);
    double eval_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - e0).count();
    std::string path = fmt::format("{}/{}/.config", out_dir, v->name);
    bool changed = write_atomically(path, ev.config_text);
    size_t set = 0;
    for (size_t pos = 0; (pos = ev.config_text.find("\nCONFIG_", pos)) != std::string::npos; ++pos)
      ++set;
    std::printf("%-14s %8zu %9.0f %8.0f  %s%s\n", v->name.c_str(), set, ws->tree(*v).parse_ms,
                eval_ms, path.c_str(), changed ? "" : " (unchanged)");
    for (const auto& d : ev.diagnostics)
      std::fprintf(stderr, "%s: %s\n", v->name.c_str(), d.c_str());
  }
  double total =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%zu variant(s) resolved in %.0f ms (toolchain: %s)\n", selected.size(), total,
              selected.empty() ? "-" : ws->tree(*selected.front()).toolchain.c_str());
  return 0;
}

CommandRunner register_resolve(CLI::App& config, std::shared_ptr<ConfigOptions> options) {
  auto args = std::make_shared<ResolveArgs>();
  CLI::App* cmd = config.add_subcommand(
      "resolve", "Write build/<variant>/.config for each variant (default: all)");
  cmd->add_option("variants", args->variants, "Variants, branches or arches (default: all)");
  cmd->add_option("--out-dir", args->out_dir, "Directory of the per-variant dirs (default: build)");
  return [options, args] { return run_resolve(*options, *args); };
}

const ConfigSubcommandRegistration kRegistration{"resolve", 10, register_resolve};

}  // namespace

}  // namespace rk::cli
