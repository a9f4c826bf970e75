// Runs a VMM as a child process in its own process group, streaming its merged stdout/stderr
// to a callback, with a hard wall-clock timeout after which the whole group is killed. Never
// waits longer than the timeout (plus a short grace period), whatever the child does.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rk::vmtest {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH
  std::string cwd;                // empty: inherit
  std::vector<std::string> env;   // NAME=value added to (or replacing in) our environment
};

enum class Verdict { keep_going, stop };

struct RunCallbacks {
  // Output as it arrives. Returning stop ends the run early: the child gets `stop_grace` to
  // exit by itself, then its process group is killed.
  std::function<Verdict(std::string_view)> on_output;
  // Called about every tick_interval while running (progress display).
  std::function<void(std::chrono::milliseconds elapsed)> on_tick;
};

struct RunLimits {
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds stop_grace{2000};
  std::chrono::milliseconds tick_interval{250};
};

struct ProcessOutcome {
  bool started = false;
  std::string start_error;  // why it did not start (exec failure included)
  bool timed_out = false;   // killed by the timeout
  bool stopped = false;     // ended because on_output asked to
  bool exited = false;      // exited by itself: exit_code valid
  int exit_code = -1;
  int signal = 0;  // the signal that ended it, when not exited
  std::chrono::milliseconds elapsed{0};
};

ProcessOutcome run_process(const ProcessSpec& spec, const RunCallbacks& callbacks,
                           const RunLimits& limits);

// Where an executable is on PATH ("" when absent). Names with a '/' are checked as given.
std::string find_executable(const std::string& name);

}  // namespace rk::vmtest
