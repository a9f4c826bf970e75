#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <vector>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"runner-kernel: Linux kernels for Firecracker microVMs that run CI jobs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "runner-kernel 0.1.0");

  std::vector<std::pair<CLI::App*, rk::cli::CommandRunner>> commands;
  rk::cli::CommandRunner kconfig = rk::cli::register_kconfig_command(app);
  commands.emplace_back(app.get_subcommand("kconfig"), kconfig);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) {
      try {
        return run();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "runner-kernel: %s\n", e.what());
        return 1;
      }
    }
  }
  return 1;
}
