#include "source/util.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <system_error>

#include "lazy_libs/sha256.hpp"

extern char** environ;

namespace rk::source {

namespace fs = std::filesystem;

std::string sha256_file(const std::string& path) {
  try {
    return lazy_libs::sha256_file_hex(path);
  } catch (const std::system_error& e) {
    throw SourceError(ErrorKind::kOther, e.what());
  }
}

std::string sha256_bytes(const std::string& data) {
  return lazy_libs::sha256_hex(data);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw SourceError(ErrorKind::kOther,
                      fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file_atomically(const std::string& path, const std::string& content) {
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0)
    throw SourceError(errno == ENOSPC ? ErrorKind::kDiskFull : ErrorKind::kOther,
                      fmt::format("cannot create a temporary file in {}: {}", dir.string(),
                                  std::strerror(errno)));
  std::string tmp(name.data());
  auto fail = [&](int e) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw SourceError(e == ENOSPC ? ErrorKind::kDiskFull : ErrorKind::kOther,
                      fmt::format("cannot write {}: {}{}", path, std::strerror(e),
                                  e == ENOSPC ? " (disk full; the file was left unchanged)" : ""));
  };
  struct stat st {};
  mode_t mode = 0644;
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  if (::fchmod(fd, mode) != 0) fail(errno);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(errno);
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) fail(errno);
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw SourceError(ErrorKind::kOther,
                      fmt::format("cannot write {}: {}", path, std::strerror(e)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw SourceError(ErrorKind::kOther,
                      fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(e)));
  }
}

std::uint64_t free_bytes(const std::string& dir) {
  fs::path p(dir);
  std::error_code ec;
  while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
  struct statvfs sv {};
  if (::statvfs(p.empty() ? "." : p.c_str(), &sv) != 0) return UINT64_MAX;
  return static_cast<std::uint64_t>(sv.f_bavail) * sv.f_frsize;
}

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

bool tool_available(const std::string& program) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  std::stringstream ss(p);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) dir = ".";
    if (::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

ToolResult run_tool(const Tool& tool, const std::vector<std::string>& args,
                    const std::string& cwd) {
  if (args.empty() || !tool_available(args[0]))
    throw SourceError(ErrorKind::kToolMissing,
                      fmt::format("`{}` is not installed: install the Debian package `{}` "
                                  "(apt-get install {})",
                                  tool.program, tool.package, tool.package));
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0)
    throw SourceError(ErrorKind::kOther, fmt::format("pipe: {}", std::strerror(errno)));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    if (rc == ENOENT)
      throw SourceError(ErrorKind::kToolMissing,
                        fmt::format("`{}` is not installed: install the Debian package `{}`",
                                    tool.program, tool.package));
    throw SourceError(ErrorKind::kOther,
                      fmt::format("cannot run {}: {}", tool.program, std::strerror(rc)));
  }
  ToolResult r;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    r.output.append(buf, static_cast<size_t>(n));
  }
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::optional<std::string> kernel_tree_version(const std::string& dir) {
  std::ifstream in(fs::path(dir) / "Makefile");
  if (!in) return std::nullopt;
  static const std::regex re(R"(^(VERSION|PATCHLEVEL|SUBLEVEL)\s*=\s*(\d+)\s*$)");
  std::string v, p, s, line;
  for (int n = 0; n < 20 && std::getline(in, line); ++n) {
    std::smatch m;
    if (!std::regex_match(line, m, re)) continue;
    if (m[1] == "VERSION") v = m[2];
    if (m[1] == "PATCHLEVEL") p = m[2];
    if (m[1] == "SUBLEVEL") s = m[2];
  }
  if (v.empty() || p.empty() || s.empty()) return std::nullopt;
  return s == "0" ? v + "." + p : v + "." + p + "." + s;
}

std::string make_temp_dir(const std::string& parent, const std::string& prefix) {
  std::error_code ec;
  fs::create_directories(parent, ec);
  std::string tmpl = (fs::path(parent) / (prefix + "XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  if (!::mkdtemp(name.data()))
    throw SourceError(
        errno == ENOSPC ? ErrorKind::kDiskFull : ErrorKind::kOther,
        fmt::format("cannot create a directory in {}: {}", parent, std::strerror(errno)));
  return name.data();
}

}  // namespace rk::source
