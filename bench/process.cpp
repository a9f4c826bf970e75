#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace rk::bench {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A "Vm...:" field of /proc/<pid>/status, in kB; -1 when /proc does not say.
long read_status_kb(const std::string& pid, const std::string& field) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::strtol(line.c_str() + field.size(), nullptr, 10);
  }
  return -1;
}

// utime + stime of a live process from /proc/<pid>/stat (without its children), in seconds.
double read_own_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  double ticks = 0;
  // Fields after "(comm)" start at field 3 (state); utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::strtod(field.c_str(), nullptr);
  }
  long hz = sysconf(_SC_CLK_TCK);
  return hz > 0 ? ticks / static_cast<double>(hz) : -1;
}

double cpu_seconds_of(const struct rusage& ru) {
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int status_to_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

bool write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

ProcessRun run_process(const ProcessSpec& spec) {
  ProcessRun result;
  // Everything the child needs is built before fork: after it, the child only makes system calls.
  std::vector<std::string> env_strings;
  env_strings.reserve(spec.env.size());
  for (const auto& [k, v] : spec.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string cwd = spec.cwd.string();
  const std::string out_file = spec.stdout_file.string(), err_file = spec.stderr_file.string();

  std::fflush(nullptr);
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid < 0) {
    result.error = std::string("fork: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(126);
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    close(in);
    close(out);
    close(err);
    if (spec.own_peak) ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }

  bool options_set = false;
  for (;;) {
    int status = 0;
    struct rusage ru {};
    pid_t r = wait4(pid, &status, 0, &ru);
    if (r < 0) {
      if (errno == EINTR) continue;
      result.error = std::string("wait4: ") + std::strerror(errno);
      return result;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      result.seconds = since(t0);
      result.exit_code = status_to_code(status);
      result.maxrss_kb = ru.ru_maxrss;
      result.cpu_seconds = cpu_seconds_of(ru);
      if (result.exit_code == 127) result.error = "cannot execute " + spec.argv[0];
      return result;
    }
    if (!WIFSTOPPED(status)) continue;
    int sig = WSTOPSIG(status);
    int event = (status >> 16) & 0xff;
    if (!options_set && sig == SIGTRAP && event == 0) {
      // The stop after execve: from here on, stop once more when the process exits.
      ptrace(PTRACE_SETOPTIONS, pid, nullptr,
             reinterpret_cast<void*>(long{PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL}));
      options_set = true;
      ptrace(PTRACE_CONT, pid, nullptr, nullptr);
    } else if (event == PTRACE_EVENT_EXIT) {
      // Exit stop: the process still has its memory, so its high-water mark is readable.
      result.own_peak_kb = read_status_kb(std::to_string(pid), "VmHWM:");
      result.own_cpu_seconds = read_own_cpu_seconds(pid);
      ptrace(PTRACE_CONT, pid, nullptr, nullptr);
    } else {
      // Any other signal goes on to the process as it would without us.
      ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
    }
  }
}

ForkedRun run_forked(const std::function<std::string(std::vector<double>& values)>& work) {
  ForkedRun result;
  int fds[2];
  if (pipe(fds) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    result.error = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return result;
  }
  if (pid == 0) {
    close(fds[0]);
    double start_rss_kb = static_cast<double>(read_status_kb("self", "VmRSS:"));
    std::vector<double> values;
    std::string error;
    try {
      error = work(values);
    } catch (const std::exception& e) {
      error = std::string("exception: ") + e.what();
    } catch (...) {
      error = "unknown exception";
    }
    // Message: the value count, the start RSS and the values, then the error text (if any) to
    // the end.
    uint32_t n = static_cast<uint32_t>(values.size());
    bool ok = write_all(fds[1], &n, sizeof n) && write_all(fds[1], &start_rss_kb, sizeof(double)) &&
              write_all(fds[1], values.data(), n * sizeof(double)) &&
              write_all(fds[1], error.data(), error.size());
    close(fds[1]);
    _exit(ok && error.empty() ? 0 : 1);
  }
  close(fds[1]);
  std::string msg = read_all(fds[0]);
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      result.error = std::string("wait4: ") + std::strerror(errno);
      return result;
    }
  }
  result.maxrss_kb = ru.ru_maxrss;
  uint32_t n = 0;
  if (msg.size() < sizeof n) {
    result.error = "child died without reporting (status " + std::to_string(status) + ")";
    return result;
  }
  std::memcpy(&n, msg.data(), sizeof n);
  size_t need = sizeof n + (n + 1) * sizeof(double);
  if (msg.size() < need) {
    result.error = "short report from child";
    return result;
  }
  double start_rss_kb = 0;
  std::memcpy(&start_rss_kb, msg.data() + sizeof n, sizeof(double));
  result.start_rss_kb = static_cast<long>(start_rss_kb);
  result.values.resize(n);
  std::memcpy(result.values.data(), msg.data() + sizeof n + sizeof(double), n * sizeof(double));
  result.error = msg.substr(need);
  result.ok = result.error.empty() && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!result.ok && result.error.empty()) {
    result.error = "child exited with status " + std::to_string(status_to_code(status));
  }
  return result;
}

}  // namespace rk::bench
