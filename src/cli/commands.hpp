// Subcommands of the runner-kernel CLI. Each registers its options on the app and returns the
// exit code when run; main() only dispatches.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rk::cli {

using CommandRunner = std::function<int()>;

// `runner-kernel kconfig ...`: a drop-in for scripts/kconfig/conf's batch modes.
CommandRunner register_kconfig_command(CLI::App& app);

}  // namespace rk::cli
