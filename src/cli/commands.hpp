// Subcommands of the runner-kernel CLI. Each command file registers itself with a static
// CommandRegistration, so adding a command touches no shared file; main() only dispatches.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace rk::cli {

using CommandRunner = std::function<int()>;
// Adds the command's subcommand(s) to `app`; returns the runner called when it was parsed.
using CommandRegistrar = std::function<CommandRunner(CLI::App& app)>;

struct CommandEntry {
  std::string name;  // the subcommand, as given to app.add_subcommand()
  int order;         // position in --help: pipeline order
  CommandRegistrar registrar;
};

std::vector<CommandEntry>& command_registry();

// Where parsed Kconfig trees are kept between runs: $RUNNER_KERNEL_TREE_CACHE (a directory, or
// "off" for none), else $RK_CACHE/kconfig-trees, else $XDG_CACHE_HOME/runner-kernel/kconfig-trees.
// Empty: no cache.
std::string tree_cache_dir();

struct CommandRegistration {
  CommandRegistration(std::string name, int order, CommandRegistrar registrar) {
    command_registry().push_back({std::move(name), order, std::move(registrar)});
  }
};

}  // namespace rk::cli
