#include "process/run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <thread>

extern char** environ;

namespace rk::process {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::atomic<pid_t> g_group{0};
std::atomic<bool> g_interrupted{false};

void pass_on(int sig) {
  g_interrupted = true;
  pid_t group = g_group.load();
  if (group > 0) ::kill(-group, sig);
}

// Our SIGINT/SIGTERM handlers for the length of one run, restored after it.
class InterruptForwarding {
 public:
  explicit InterruptForwarding(bool enable) : enabled_(enable) {
    if (!enabled_) return;
    struct sigaction sa {};
    sa.sa_handler = pass_on;
    sigemptyset(&sa.sa_mask);
    g_interrupted = false;
    g_group = 0;
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptForwarding() {
    if (!enabled_) return;
    g_group = 0;
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptForwarding(const InterruptForwarding&) = delete;
  InterruptForwarding& operator=(const InterruptForwarding&) = delete;

  void child_started(pid_t group) {
    if (!enabled_) return;
    g_group = group;
    if (g_interrupted) ::kill(-group, SIGTERM);  // a signal that came before the group existed
  }
  bool interrupted() const { return enabled_ && g_interrupted.load(); }

 private:
  bool enabled_;
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

std::string_view name_of(std::string_view entry) {
  return entry.substr(0, entry.find('='));
}

std::vector<std::string> child_environment(const Command& c) {
  if (c.replace_environment) return c.env;
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    bool replaced = std::any_of(c.env.begin(), c.env.end(), [&](const std::string& add) {
      return name_of(add) == name_of(entry);
    });
    if (!replaced) out.emplace_back(entry);
  }
  out.insert(out.end(), c.env.begin(), c.env.end());
  return out;
}

std::string path_of(const std::vector<std::string>& env) {
  for (const auto& e : env)
    if (name_of(e) == "PATH" && e.size() > 5) return e.substr(5);
  return {};
}

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds) ::close(fd);
}

pid_t reap(pid_t pid, int* status) {
  pid_t r;
  while ((r = ::waitpid(pid, status, 0)) < 0 && errno == EINTR) {
  }
  return r;
}

}  // namespace

std::string find_executable(const std::string& name, const std::string& path) {
  auto runnable = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return runnable(name) ? name : "";
  std::string ours;
  if (path.empty()) {
    const char* p = std::getenv("PATH");
    ours = p ? p : "/usr/local/bin:/usr/bin:/bin";
  }
  std::string_view rest = path.empty() ? std::string_view(ours) : std::string_view(path);
  while (true) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (runnable(candidate)) return candidate;
    if (colon == std::string_view::npos) return "";
    rest.remove_prefix(colon + 1);
  }
}

std::vector<std::string> environment_with(
    const std::vector<std::string>& drop,
    const std::vector<std::pair<std::string, std::string>>& set) {
  std::set<std::string, std::less<>> skip(drop.begin(), drop.end());
  for (const auto& [k, v] : set) skip.insert(k);
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (entry.find('=') == std::string_view::npos || skip.count(name_of(entry))) continue;
    out.emplace_back(entry);
  }
  for (const auto& [k, v] : set) out.push_back(k + "=" + v);
  return out;
}

Outcome run(const Command& command, const Handlers& handlers, const Limits& limits) {
  Outcome outcome;
  if (command.argv.empty()) {
    outcome.start_error = "empty command";
    return outcome;
  }
  // Everything the child needs is prepared before fork: it only calls async-signal-safe code.
  std::vector<std::string> env_strings = child_environment(command);
  std::string exe = find_executable(command.argv[0], path_of(env_strings));
  if (exe.empty()) {
    outcome.start_error = command.argv[0] + ": not found on PATH";
    return outcome;
  }
  std::vector<char*> argv;
  for (const auto& a : command.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* cwd = command.cwd.empty() ? nullptr : command.cwd.c_str();

  int out_pipe[2];
  int err_pipe[2];  // reports a failed chdir/exec (close-on-exec: EOF means exec succeeded)
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    outcome.start_error = std::string("pipe: ") + std::strerror(errno);
    return outcome;
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    outcome.start_error = std::string("pipe: ") + std::strerror(errno);
    close_all({out_pipe[0], out_pipe[1]});
    return outcome;
  }

  InterruptForwarding forwarding(limits.forward_interrupts);
  const auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    outcome.start_error = std::string("fork: ") + std::strerror(errno);
    close_all({out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]});
    return outcome;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(out_pipe[1], 2);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    int err = 0;
    if (cwd && ::chdir(cwd) != 0) {
      err = errno;
    } else {
      ::execve(exe.c_str(), argv.data(), envp.data());
      err = errno;
    }
    ssize_t ignored = ::write(err_pipe[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so the group exists whoever runs first
  forwarding.child_started(pid);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(err_pipe[0], &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  ::close(err_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    int status;
    reap(pid, &status);
    ::close(out_pipe[0]);
    outcome.start_error = command.argv[0] + ": " + std::strerror(child_errno);
    if (cwd && child_errno != 0) outcome.start_error += " (in " + command.cwd + ")";
    return outcome;
  }
  outcome.started = true;

  const auto never = Clock::time_point::max();
  const auto deadline =
      limits.timeout >= duration_cast<milliseconds>(never - start) ? never : start + limits.timeout;
  auto stop_deadline = never;
  auto next_tick = start + limits.tick_interval;
  bool open = true;
  bool reaped = false;
  int status = 0;
  std::array<char, 65536> buf{};
  auto kill_group_and_reap = [&] {
    ::kill(-pid, SIGKILL);
    if (!reaped) reap(pid, &status);
    reaped = true;
  };

  while (true) {
    auto now = Clock::now();
    if (!reaped) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        reaped = true;
        // The child is gone; programs it left may still hold the pipe. Drain what is
        // buffered, then stop.
        ::kill(-pid, SIGKILL);
      }
    }
    if (reaped && !open) break;
    if (now >= deadline && !reaped) {
      outcome.timed_out = true;
      kill_group_and_reap();
      break;
    }
    if (now >= stop_deadline && !reaped) {
      kill_group_and_reap();
      break;
    }
    if (handlers.on_tick && now >= next_tick) {
      handlers.on_tick(duration_cast<milliseconds>(now - start));
      next_tick = now + limits.tick_interval;
    }
    auto wake = std::min({deadline, stop_deadline, next_tick});
    int wait_ms =
        static_cast<int>(std::max<long long>(1, duration_cast<milliseconds>(wake - now).count()));
    wait_ms = std::min(wait_ms, 50);  // also polls waitpid regularly
    if (!open) {
      std::this_thread::sleep_for(milliseconds(wait_ms));
      continue;
    }
    struct pollfd pfd {
      out_pipe[0], POLLIN, 0
    };
    int pr = ::poll(&pfd, 1, reaped ? 0 : wait_ms);
    if (pr < 0 && errno != EINTR) {
      kill_group_and_reap();
      break;
    }
    if (pr > 0) {
      ssize_t n = ::read(out_pipe[0], buf.data(), buf.size());
      if (n > 0) {
        if (handlers.on_output &&
            handlers.on_output(std::string_view(buf.data(), static_cast<size_t>(n))) ==
                Verdict::stop &&
            stop_deadline == never) {
          outcome.stopped = true;
          stop_deadline = Clock::now() + limits.stop_grace;
        }
        continue;
      }
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) open = false;
    } else if (pr == 0 && reaped) {
      open = false;
    }
  }
  ::close(out_pipe[0]);
  outcome.elapsed = duration_cast<milliseconds>(Clock::now() - start);
  outcome.interrupted = forwarding.interrupted();
  if (WIFEXITED(status) && !outcome.timed_out) {
    outcome.exited = true;
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

std::string capture(const Command& command, int* exit_code) {
  std::string out;
  Handlers h;
  h.on_output = [&](std::string_view chunk) {
    out.append(chunk);
    return Verdict::keep_going;
  };
  Outcome r = run(command, h);
  if (exit_code) {
    *exit_code = !r.started ? 127 : r.exited ? r.exit_code : 128 + r.signal;
  }
  return r.started ? out : std::string();
}

void LineSplitter::feed(std::string_view chunk) {
  pending_.append(chunk);
  size_t start = 0, nl;
  while ((nl = pending_.find('\n', start)) != std::string::npos) {
    on_line_(std::string_view(pending_).substr(start, nl - start));
    start = nl + 1;
  }
  pending_.erase(0, start);
}

void LineSplitter::finish() {
  if (!pending_.empty()) on_line_(pending_);
  pending_.clear();
}

}  // namespace rk::process
