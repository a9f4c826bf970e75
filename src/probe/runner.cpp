#include "runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <string>

namespace rk::probe {
namespace {

int g_report_fd = -1;

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Records on the pipe: 'S' <step> '\n' and, last, 'R' <p|f|s> <detail> '\n'.
struct Parsed {
  std::string last_step;
  bool have_result = false;
  Outcome result;
};

void parse_records(std::string& buf, Parsed& out) {
  size_t pos;
  while ((pos = buf.find('\n')) != std::string::npos) {
    std::string rec = buf.substr(0, pos);
    buf.erase(0, pos + 1);
    if (rec.empty()) continue;
    if (rec[0] == 'S') {
      out.last_step = rec.substr(1);
    } else if (rec[0] == 'R' && rec.size() >= 2) {
      out.have_result = true;
      out.result.status = rec[1] == 'p'   ? Status::kPass
                          : rec[1] == 's' ? Status::kSkip
                                          : Status::kFail;
      out.result.detail = rec.substr(2);
    }
  }
}

void drain(int fd, std::string& buf) {
  char tmp[4096];
  for (;;) {
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    buf.append(tmp, static_cast<size_t>(n));
  }
}

std::string signal_text(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return std::string("SIG") + (abbrev ? abbrev : std::to_string(sig));
}

}  // namespace

std::string one_line(std::string_view text, size_t max) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > max) {
    out.resize(max > 3 ? max - 3 : 0);
    out += "...";
  }
  return out;
}

void report_step(std::string_view what) {
  if (g_report_fd < 0) return;
  write_all(g_report_fd, "S" + one_line(what, 200) + "\n");
}

Outcome run_inline(ProbeFn fn) {
  try {
    return fn();
  } catch (const ProbeAbort& a) {
    return a.outcome;
  } catch (const std::exception& e) {
    return fail(std::string("exception: ") + e.what());
  } catch (...) {
    return fail("unknown exception");
  }
}

Outcome run_isolated(ProbeFn fn, std::chrono::milliseconds budget) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return fail("pipe: " + errno_str(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(p[0]);
    ::close(p[1]);
    return fail("fork: " + errno_str(err));
  }
  if (pid == 0) {
    ::close(p[0]);
    ::setpgid(0, 0);
    g_report_fd = p[1];
    // Backstop in case the parent's deadline handling fails: the default SIGALRM kills us.
    ::signal(SIGALRM, SIG_DFL);
    ::alarm(static_cast<unsigned>(budget.count() / 1000 + 2));
    Outcome o = run_inline(fn);
    char tag = o.status == Status::kPass ? 'p' : o.status == Status::kSkip ? 's' : 'f';
    write_all(p[1], std::string("R") + tag + one_line(o.detail) + "\n");
    ::_exit(0);
  }
  ::close(p[1]);
  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins
  ::fcntl(p[0], F_SETFL, O_NONBLOCK);

  Parsed parsed;
  std::string buf;
  auto deadline = std::chrono::steady_clock::now() + budget;
  int wstatus = 0;
  bool exited = false;
  bool timed_out = false;
  bool eof = false;
  while (!exited) {
    pid_t w = ::waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) {
      exited = true;
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      timed_out = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      // Reap it if it dies promptly; a task stuck in the kernel may not.
      for (int i = 0; i < 20 && !exited; ++i) {
        if (::waitpid(pid, &wstatus, WNOHANG) == pid)
          exited = true;
        else
          ::usleep(50 * 1000);
      }
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd pfd{p[0], POLLIN, 0};
    int timeout = static_cast<int>(left < 50 ? left : 50);
    if (eof) {
      ::usleep(static_cast<useconds_t>(timeout) * 1000);
    } else if (::poll(&pfd, 1, timeout) > 0) {
      char tmp[4096];
      ssize_t n = ::read(p[0], tmp, sizeof tmp);
      if (n > 0)
        buf.append(tmp, static_cast<size_t>(n));
      else if (n == 0)
        eof = true;
    }
  }
  drain(p[0], buf);
  ::close(p[0]);
  parse_records(buf, parsed);
  // Whatever the probe left running in its process group goes now.
  ::kill(-pid, SIGKILL);

  if (timed_out) {
    long ms = static_cast<long>(budget.count());
    std::string d = "timeout after " + (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s"
                                                       : std::to_string(ms) + " ms");
    if (!parsed.last_step.empty()) d += " in step: " + parsed.last_step;
    if (!exited) d += " (process stuck in the kernel, not reaped)";
    return fail(d);
  }
  if (parsed.have_result) return parsed.result;
  if (WIFSIGNALED(wstatus)) {
    std::string d = "probe crashed: " + signal_text(WTERMSIG(wstatus));
    if (!parsed.last_step.empty()) d += " in step: " + parsed.last_step;
    return fail(d);
  }
  return fail("probe exited with status " + std::to_string(WEXITSTATUS(wstatus)) +
              " without a result");
}

}  // namespace rk::probe
