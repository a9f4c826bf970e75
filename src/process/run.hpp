// Running a program as a child process: its own process group, stdin from /dev/null, stdout and
// stderr merged and streamed to a callback, a periodic tick, an optional wall-clock limit after
// which the whole group is killed, and optionally our SIGINT/SIGTERM passed on to that group.
// Every stage that runs programs (make and the toolchain, VMMs and disk tools, skopeo) uses it.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rk::process {

struct Command {
  std::vector<std::string> argv;  // argv[0] is looked up on the child's PATH unless it has a '/'
  std::string cwd;                // empty: inherit
  // NAME=value entries added to (or replacing in) our environment; with replace_environment,
  // the child's whole environment.
  std::vector<std::string> env;
  bool replace_environment = false;
};

enum class Verdict { keep_going, stop };

struct Handlers {
  // Output as it arrives, in chunks (see LineSplitter for lines). Returning stop ends the run
  // early: the child gets Limits::stop_grace to exit by itself, then its group is killed.
  std::function<Verdict(std::string_view)> on_output;
  // Called about every Limits::tick_interval while the child runs (progress display).
  std::function<void(std::chrono::milliseconds elapsed)> on_tick;
};

struct Limits {
  std::chrono::milliseconds timeout = std::chrono::milliseconds::max();  // max(): none
  std::chrono::milliseconds stop_grace{2000};
  std::chrono::milliseconds tick_interval{250};
  // While the child runs, SIGINT and SIGTERM sent to us go to its whole process group (as a
  // terminal's ^C reaches every process of its group) and are reported as `interrupted`,
  // instead of ending us. One such run at a time per process.
  bool forward_interrupts = false;
};

struct Outcome {
  bool started = false;
  std::string start_error;   // why it did not start ("name: reason"), exec failure included
  bool timed_out = false;    // killed at Limits::timeout
  bool stopped = false;      // ended because on_output asked to
  bool interrupted = false;  // we got SIGINT/SIGTERM while it ran and passed it on
  bool exited = false;       // exited by itself: exit_code valid
  int exit_code = -1;
  int signal = 0;  // the signal that ended it, when it did not exit
  std::chrono::milliseconds elapsed{0};
};

// Never waits past the timeout (plus a short moment to reap), whatever the child does: output
// a grandchild keeps open after the child is gone is drained, then the group is killed.
Outcome run(const Command& command, const Handlers& handlers, const Limits& limits = {});

// Runs a short command and returns its merged output ("" when it cannot start); `exit_code`
// gets its status (127 when it could not start, 128 + N when killed by signal N).
std::string capture(const Command& command, int* exit_code = nullptr);

// Where an executable is on `path` (a PATH value; empty: ours, or the usual directories when we
// have none). "" when absent. Names with a '/' are checked as given.
std::string find_executable(const std::string& name, const std::string& path = {});

// Our environment as NAME=value entries, minus `drop`, with `set` added (replacing).
std::vector<std::string> environment_with(
    const std::vector<std::string>& drop,
    const std::vector<std::pair<std::string, std::string>>& set);

// Cuts streamed output into lines (without '\n'); the last line may lack one (see finish()).
class LineSplitter {
 public:
  explicit LineSplitter(std::function<void(std::string_view)> on_line)
      : on_line_(std::move(on_line)) {}
  void feed(std::string_view chunk);
  void finish();  // passes on an unterminated last line

 private:
  std::function<void(std::string_view)> on_line_;
  std::string pending_;
};

}  // namespace rk::process
