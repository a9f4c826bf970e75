#include "build/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>

#include "build/error.hpp"

extern char** environ;

namespace rk::build {

namespace {

std::atomic<pid_t> g_child{0};
std::atomic<bool> g_interrupted{false};

// The child runs in its own process group; a signal to us goes to that whole group, as a
// terminal's ^C would (make forwards SIGTERM to its jobs but expects SIGINT to reach them
// from the terminal).
void on_signal(int sig) {
  g_interrupted = true;
  pid_t child = g_child.load();
  if (child > 0) ::kill(-child, sig);
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& e : env)
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=')
      return e.substr(name.size() + 1);
  return {};
}

}  // namespace

std::vector<std::string> make_environment(
    const std::vector<std::string>& drop,
    const std::vector<std::pair<std::string, std::string>>& set) {
  std::set<std::string> skip(drop.begin(), drop.end());
  for (const auto& [k, v] : set) skip.insert(k);
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string s = *e;
    size_t eq = s.find('=');
    if (eq == std::string::npos || skip.count(s.substr(0, eq))) continue;
    out.push_back(std::move(s));
  }
  for (const auto& [k, v] : set) out.push_back(k + "=" + v);
  return out;
}

ProcessOutcome run_streaming(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env, const std::string& cwd,
                             const std::function<void(std::string_view)>& on_line,
                             const std::function<void()>& on_tick) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw BuildError(ErrorKind::kOther, std::string("pipe: ") + std::strerror(errno));
  int err_pipe[2];  // reports a failed exec to the parent
  if (::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw BuildError(ErrorKind::kOther, std::string("pipe: ") + std::strerror(errno));

  struct sigaction sa {
  }, old_int{}, old_term{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  g_interrupted = false;
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);

  std::string path = env_value(env, "PATH");
  auto args = c_strings(argv);
  auto envp = c_strings(env);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      int e = errno;
      (void)!::write(err_pipe[1], &e, sizeof e);
      ::_exit(127);
    }
    // execvpe searches the PATH of the new environment only through the caller's PATH.
    if (!path.empty()) ::setenv("PATH", path.c_str(), 1);
    ::execvpe(args[0], args.data(), envp.data());
    int e = errno;
    (void)!::write(err_pipe[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(fds[1]);
  ::close(err_pipe[1]);
  if (pid < 0) {
    ::close(fds[0]);
    ::close(err_pipe[0]);
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    throw BuildError(ErrorKind::kOther, std::string("fork: ") + std::strerror(errno));
  }
  ::setpgid(pid, pid);  // also here, so the group exists before any signal is forwarded
  g_child = pid;
  if (g_interrupted) ::kill(-pid, SIGTERM);

  std::string pending;
  char buf[65536];
  for (;;) {
    struct pollfd p {
      fds[0], POLLIN, 0
    };
    int r = ::poll(&p, 1, 1000);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      if (on_tick) on_tick();
      continue;
    }
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t start = 0, nl;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      on_line(std::string_view(pending).substr(start, nl - start));
      start = nl + 1;
    }
    pending.erase(0, start);
    if (on_tick) on_tick();
  }
  if (!pending.empty()) on_line(pending);
  ::close(fds[0]);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_child = 0;
  int exec_errno = 0;
  bool exec_failed = ::read(err_pipe[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  ::close(err_pipe[0]);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  if (exec_failed)
    throw BuildError(ErrorKind::kToolMissing,
                     "cannot run " + argv[0] + ": " + std::strerror(exec_errno));

  ProcessOutcome out;
  out.interrupted = g_interrupted.exchange(false);
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
  return out;
}

std::string capture(const std::vector<std::string>& argv, int* exit_code) {
  std::string out;
  try {
    auto env = make_environment({}, {{"LC_ALL", "C"}});
    auto r = run_streaming(argv, env, {}, [&](std::string_view l) {
      out.append(l);
      out.push_back('\n');
    });
    if (exit_code) *exit_code = r.exit_code;
  } catch (const BuildError&) {
    if (exit_code) *exit_code = 127;
    return {};
  }
  return out;
}

}  // namespace rk::build
