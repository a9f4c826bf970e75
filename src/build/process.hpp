// Running make and the toolchain: output streamed line by line, a periodic tick, an exact
// environment, and SIGINT/SIGTERM turned into an "interrupted" result instead of a dead driver.
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

// Runs argv (argv[0] looked up in PATH of `env`) in `cwd` with exactly `env` ("NAME=value"),
// stdin from /dev/null, stdout and stderr merged; each output line (without '\n') goes to
// `on_line`, and `on_tick` runs about once a second. Throws BuildError(kToolMissing) when the
// program cannot be executed.
ProcessOutcome run_streaming(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env, const std::string& cwd,
                             const std::function<void(std::string_view)>& on_line,
                             const std::function<void()>& on_tick = {});

// Runs a short command with the caller's environment; returns its output ("" when it cannot
// run). `exit_code` gets its status.
std::string capture(const std::vector<std::string>& argv, int* exit_code = nullptr);

// The current environment as "NAME=value" strings, minus `drop`, with `set` added (replacing).
std::vector<std::string> make_environment(
    const std::vector<std::string>& drop,
    const std::vector<std::pair<std::string, std::string>>& set);

}  // namespace rk::build
