#include "vmtest/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace rk::vmtest {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// The child made itself a process group leader (setpgid in both processes before anything
// else), so this reaches the VMM and everything it started.
void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);
}

}  // namespace

std::string find_executable(const std::string& name) {
  auto runnable = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) return runnable(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
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

ProcessOutcome run_process(const ProcessSpec& spec, const RunCallbacks& callbacks,
                           const RunLimits& limits) {
  ProcessOutcome outcome;
  if (spec.argv.empty()) {
    outcome.start_error = "empty command";
    return outcome;
  }
  std::string exe = find_executable(spec.argv[0]);
  if (exe.empty()) {
    outcome.start_error = spec.argv[0] + ": not found on PATH";
    return outcome;
  }
  int out_pipe[2];
  int err_pipe[2];  // reports exec failures (close-on-exec: EOF means exec succeeded)
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    outcome.start_error = std::string("pipe: ") + std::strerror(errno);
    return outcome;
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    outcome.start_error = std::string("pipe: ") + std::strerror(errno);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return outcome;
  }
  // Everything the child needs is prepared before fork: it only calls async-signal-safe code.
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const char* cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    bool replaced = false;
    for (const auto& add : spec.env) {
      size_t eq = add.find('=');
      if (entry.substr(0, entry.find('=')) == std::string_view(add).substr(0, eq)) replaced = true;
    }
    if (!replaced) env_strings.emplace_back(entry);
  }
  env_strings.insert(env_strings.end(), spec.env.begin(), spec.env.end());
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  const auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    outcome.start_error = std::string("fork: ") + std::strerror(errno);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return outcome;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(out_pipe[1], 2);
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
    ::waitpid(pid, &status, 0);
    ::close(out_pipe[0]);
    outcome.start_error = spec.argv[0] + ": " + std::strerror(child_errno);
    return outcome;
  }
  outcome.started = true;

  const auto deadline = start + limits.timeout;
  auto stop_deadline = Clock::time_point::max();
  auto next_tick = start + limits.tick_interval;
  bool open = true;
  bool reaped = false;
  int status = 0;
  std::array<char, 8192> buf{};

  while (true) {
    auto now = Clock::now();
    if (!reaped) {
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        reaped = true;
        // The VMM is gone; children it left may still hold the pipe. Drain what is
        // buffered, then stop.
        kill_group(pid);
      }
    }
    if (reaped && !open) break;
    if (now >= deadline && !reaped) {
      outcome.timed_out = true;
      kill_group(pid);
      ::waitpid(pid, &status, 0);
      reaped = true;
      break;
    }
    if (now >= stop_deadline && !reaped) {
      kill_group(pid);
      ::waitpid(pid, &status, 0);
      reaped = true;
      break;
    }
    if (callbacks.on_tick && now >= next_tick) {
      callbacks.on_tick(duration_cast<milliseconds>(now - start));
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
    if (pr < 0 && errno != EINTR) break;
    if (pr > 0) {
      ssize_t n = ::read(out_pipe[0], buf.data(), buf.size());
      if (n > 0) {
        if (callbacks.on_output &&
            callbacks.on_output(std::string_view(buf.data(), static_cast<size_t>(n))) ==
                Verdict::stop &&
            stop_deadline == Clock::time_point::max()) {
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
  if (!outcome.timed_out) {
    if (WIFEXITED(status)) {
      outcome.exited = true;
      outcome.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      outcome.signal = WTERMSIG(status);
    }
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

}  // namespace rk::vmtest
