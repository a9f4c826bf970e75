#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>
#include <vector>

#include "cli/commands.hpp"

namespace rk::cli {
std::vector<CommandEntry>& command_registry() {
  static std::vector<CommandEntry> registry;
  return registry;
}
}  // namespace rk::cli

int main(int argc, char** argv) {
  CLI::App app{"runner-kernel: Linux kernels for Firecracker microVMs that run CI jobs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "runner-kernel 0.1.0");

  auto& registry = rk::cli::command_registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, rk::cli::CommandRunner>> commands;
  for (auto& entry : registry) {
    rk::cli::CommandRunner run = entry.registrar(app);
    commands.emplace_back(app.get_subcommand(entry.name), std::move(run));
  }

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
