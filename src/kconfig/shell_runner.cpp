#include "kconfig/shell_runner.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

// Reads like fread(buf, 1, 4096, pipe): until the buffer is full or the writer is done.
std::string read_conf_sized_chunk(int fd) {
  std::string out(kConfReadSize, '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n > 0) {
      got += static_cast<size_t>(n);
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      break;
    }
  }
  out.resize(got);
  return out;
}

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

std::string LiveShell::run(const std::string& command, const Environment& env,
                           const std::string& cwd) {
  std::vector<std::string> env_strings;
  env_strings.reserve(env.size());
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::string sh = "/bin/sh", dash_c = "-c", cmd = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};

  Pipe pipe;
  if (::pipe2(pipe.fds, O_CLOEXEC) != 0) fail(command, errno);

  SpawnActions fa;
  posix_spawn_file_actions_adddup2(&fa.actions, pipe.fds[1], STDOUT_FILENO);
  if (!cwd.empty() && cwd != ".") posix_spawn_file_actions_addchdir_np(&fa.actions, cwd.c_str());

  pid_t pid = 0;
  int err = posix_spawn(&pid, sh.c_str(), &fa.actions, nullptr, argv, envp.data());
  if (err != 0) fail(command, err);
  pipe.close_end(1);

  std::string raw = read_conf_sized_chunk(pipe.fds[0]);
  // Like pclose(): stop listening, then reap the child. A child still writing gets SIGPIPE,
  // exactly as under conf.
  pipe.close_end(0);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail(command, errno);
  }
  return shell_output_as_conf_sees_it(raw);
}

}  // namespace rk::kconfig
