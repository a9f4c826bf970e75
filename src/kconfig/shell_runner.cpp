#include "kconfig/shell_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "kconfig/diagnostics.hpp"

namespace rk::kconfig {

namespace {

// conf reads the command's output with one fread() into a 4096-byte buffer and keeps at most
// 4095 bytes of it.
constexpr size_t kConfReadSize = 4096;

[[noreturn]] void fail(const std::string& command, int err) {
  // conf: perror(cmd); exit(1);
  throw KconfigError(command + ": " + std::strerror(err));
}

// Owns the pipe's descriptors so every exit path closes them.
struct Pipe {
  int fds[2] = {-1, -1};
  ~Pipe() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  void close_end(int i) {
    if (fds[i] >= 0) ::close(fds[i]);
    fds[i] = -1;
  }
};

struct SpawnActions {
  posix_spawn_file_actions_t actions;
  SpawnActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
};

}  // namespace

std::string shell_output_as_conf_sees_it(std::string_view raw) {
  size_t n = raw.size();
  if (n >= kConfReadSize) n = kConfReadSize - 1;
  while (n > 0 && raw[n - 1] == '\n') --n;
  std::string out(raw.substr(0, n));
  for (char& c : out)
    if (c == '\n') c = ' ';
  if (size_t nul = out.find('\0'); nul != std::string::npos) out.resize(nul);
  return out;
}

namespace {

// One `/bin/sh -c COMMAND` with its standard output on a pipe this process reads.
class ShellChild {
 public:
  ShellChild(const std::string& command, char* const* envp, const std::string& cwd)
      : command_(command) {
    std::string sh = "/bin/sh", dash_c = "-c", cmd = command;
    char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
    if (::pipe2(pipe_.fds, O_CLOEXEC) != 0) fail(command, errno);
    SpawnActions fa;
    posix_spawn_file_actions_adddup2(&fa.actions, pipe_.fds[1], STDOUT_FILENO);
    if (!cwd.empty() && cwd != ".") posix_spawn_file_actions_addchdir_np(&fa.actions, cwd.c_str());
    int err = posix_spawn(&pid_, sh.c_str(), &fa.actions, nullptr, argv, envp);
    if (err != 0) fail(command, err);
    pipe_.close_end(1);
    raw_.reserve(kConfReadSize);
  }
  ShellChild(const ShellChild&) = delete;
  ShellChild& operator=(const ShellChild&) = delete;
  ~ShellChild() {
    if (pid_ > 0) {
      pipe_.close_end(0);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }

  int fd() const { return pipe_.fds[0]; }

  // Reads what is there, like one step of fread(buf, 1, 4096, pipe); true once the buffer is
  // full or the writer is done.
  bool read_some() {
    char buf[kConfReadSize];
    ssize_t n = ::read(fd(), buf, kConfReadSize - raw_.size());
    if (n > 0) raw_.append(buf, static_cast<size_t>(n));
    if (n < 0 && errno == EINTR) return false;
    return n <= 0 || raw_.size() >= kConfReadSize;
  }

  // Like pclose(): stop listening, then reap the child. A child still writing gets SIGPIPE,
  // exactly as under conf.
  std::string finish() {
    pipe_.close_end(0);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
      if (errno != EINTR) fail(command_, errno);
    }
    pid_ = -1;
    return shell_output_as_conf_sees_it(raw_);
  }

 private:
  std::string command_;
  Pipe pipe_;
  pid_t pid_ = -1;
  std::string raw_;
};

struct EnvBlock {
  std::vector<std::string> strings;
  std::vector<char*> pointers;
  explicit EnvBlock(const Environment& env) {
    strings.reserve(env.size());
    for (const auto& [name, value] : env) strings.push_back(name + "=" + value);
    for (std::string& s : strings) pointers.push_back(s.data());
    pointers.push_back(nullptr);
  }
};

}  // namespace

std::vector<std::optional<std::string>> ShellRunner::run_each(
    const std::vector<std::string>& commands, const Environment& env, const std::string& cwd) {
  std::vector<std::optional<std::string>> out(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    try {
      out[i] = run(commands[i], env, cwd);
    } catch (const std::exception&) {
    }
  }
  return out;
}

std::string LiveShell::run(const std::string& command, const Environment& env,
                           const std::string& cwd) {
  EnvBlock envp(env);
  ShellChild child(command, envp.pointers.data(), cwd);
  while (!child.read_some()) {
  }
  return child.finish();
}

// The commands are compilers probing options, each busy on one core for a few milliseconds:
// as many at once as there are cores.
std::vector<std::optional<std::string>> LiveShell::run_each(
    const std::vector<std::string>& commands, const Environment& env, const std::string& cwd) {
  std::vector<std::optional<std::string>> out(commands.size());
  const size_t width = std::max(1u, std::thread::hardware_concurrency());
  EnvBlock envp(env);
  struct Running {
    size_t index;
    std::unique_ptr<ShellChild> child;
  };
  std::vector<Running> running;
  size_t next = 0;
  while (next < commands.size() || !running.empty()) {
    while (next < commands.size() && running.size() < width) {
      try {
        running.push_back(
            {next, std::make_unique<ShellChild>(commands[next], envp.pointers.data(), cwd)});
      } catch (const std::exception&) {
      }
      ++next;
    }
    if (running.empty()) continue;
    std::vector<pollfd> fds;
    for (const auto& r : running) fds.push_back({r.child->fd(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      fail(commands[running.front().index], errno);
    }
    for (size_t i = fds.size(); i-- > 0;) {
      if (fds[i].revents == 0 || !running[i].child->read_some()) continue;
      try {
        out[running[i].index] = running[i].child->finish();
      } catch (const std::exception&) {
      }
      running.erase(running.begin() + static_cast<ptrdiff_t>(i));
    }
  }
  return out;
}

}  // namespace rk::kconfig
