// Running make and the toolchain (through process::run): output line by line, a tick about once
// a second, an exact environment, and our SIGINT/SIGTERM passed on to make's process group and
// reported as "interrupted" instead of ending the driver.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rk::build {

struct ProcessOutcome {
  int exit_code = -1;        // -1 when killed by a signal
  int signal = 0;            // the signal that killed it
  bool interrupted = false;  // we received SIGINT/SIGTERM while it ran (and forwarded it)
};

// Runs argv (argv[0] looked up in PATH of `env`) in `cwd` with exactly `env` ("NAME=value");
// each output line (without '\n') goes to `on_line`, and `on_tick` runs about once a second.
// Throws BuildError(kToolMissing) when the program cannot be executed.
ProcessOutcome run_streaming(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env, const std::string& cwd,
                             const std::function<void(std::string_view)>& on_line,
                             const std::function<void()>& on_tick = {});

// Runs a short command with our environment and LC_ALL=C; returns its output, each line ending
// in '\n' ("" when it cannot run). `exit_code` gets its status.
std::string capture(const std::vector<std::string>& argv, int* exit_code = nullptr);

}  // namespace rk::build
