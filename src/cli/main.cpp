#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "heap/huge_page_heap.hpp"
#include "kconfig/parse_cache.hpp"

namespace rk::cli {
std::string tree_cache_dir() {
  const char* set = std::getenv("RUNNER_KERNEL_TREE_CACHE");
  if (set && *set) return std::string(set) == "off" ? std::string() : std::string(set);
  kconfig::Environment env;
  for (const char* name : {"RK_CACHE", "XDG_CACHE_HOME", "HOME"})
    if (const char* v = std::getenv(name)) env[name] = v;
  return kconfig::default_snapshot_dir(env);
}

std::vector<CommandEntry>& command_registry() {
  static std::vector<CommandEntry> registry;
  return registry;
}
}  // namespace rk::cli

int main(int argc, char** argv) {
  rk::heap::use_huge_page_heap();
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
