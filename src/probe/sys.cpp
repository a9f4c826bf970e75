#include "sys.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

namespace rk::probe {

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::optional<std::string> read_file(const std::string& path, int* err, size_t max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (err) *err = errno;
    return std::nullopt;
  }
  std::string out;
  char buf[8192];
  while (out.size() < max) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (err) *err = errno;
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string read_file_or_fail(const std::string& path) {
  int err = 0;
  auto s = read_file(path, &err);
  if (!s) fail_errno("read " + path, err);
  return *s;
}

std::string read_line_or_fail(const std::string& path) {
  std::string s = read_file_or_fail(path);
  size_t nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

int write_file(const std::string& path, const std::string& data, int flags) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | flags, 0644);
  if (fd < 0) return errno;
  ssize_t n = ::write(fd, data.data(), data.size());
  int err = n < 0 ? errno : (static_cast<size_t>(n) != data.size() ? EIO : 0);
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

void write_file_or_fail(const std::string& path, const std::string& data) {
  int err = write_file(path, data);
  if (err) fail_errno("write '" + data + "' to " + path, err);
}

int mkdir_p(const std::string& path, mode_t mode) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos == path.size() || path[pos] == '/') {
      std::string part = path.substr(0, pos);
      if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST) return errno;
    }
  }
  return is_dir(path) ? 0 : ENOTDIR;
}

void mkdir_or_fail(const std::string& path) {
  int err = mkdir_p(path);
  if (err) fail_errno("mkdir " + path, err);
}

int mount_fs(const std::string& source, const std::string& target, const std::string& type,
             unsigned long flags, const std::string& data) {
  int err = mkdir_p(target);
  if (err) return err;
  if (::mount(source.c_str(), target.c_str(), type.c_str(), flags,
              data.empty() ? nullptr : data.c_str()) != 0)
    return errno;
  return 0;
}

void mount_or_fail(const std::string& source, const std::string& target, const std::string& type,
                   unsigned long flags, const std::string& data) {
  int err = mount_fs(source, target, type, flags, data);
  if (err) fail_errno("mount -t " + type + " " + source + " " + target, err);
}

std::string mounted_type(const std::string& target) {
  auto mounts = read_file("/proc/self/mounts");
  if (!mounts) return "";
  std::istringstream in(*mounts);
  std::string line, type;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string dev, dir, fstype;
    f >> dev >> dir >> fstype;
    if (dir == target) type = fstype;
  }
  return type;
}

bool cpuinfo_has_word(const std::string& word) {
  auto info = read_file("/proc/cpuinfo");
  if (!info) return false;
  std::istringstream in(*info);
  std::string w;
  while (in >> w)
    if (w == word) return true;
  return false;
}

std::string ensure_cgroup2() {
  const std::string root = "/sys/fs/cgroup";
  if (mounted_type(root) == "cgroup2") return root;
  step("mount cgroup2 at " + root);
  int err = mount_fs("cgroup2", root, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (err) fail_errno("mount -t cgroup2 cgroup2 " + root, err);
  return root;
}

bool wait_for_path(const std::string& path, int timeout_ms) {
  for (int waited = 0;; waited += 50) {
    if (path_exists(path)) return true;
    if (waited >= timeout_ms) return false;
    ::usleep(50 * 1000);
  }
}

void child_report(int fd, const std::string& text) {
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::close(fd);
}

std::string wait_child(pid_t pid, int read_fd, int timeout_ms) {
  int status = 0;
  for (int waited = 0;; waited += 10) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0) {
      ::close(read_fd);
      return "waitpid: " + errno_str(errno);
    }
    if (waited >= timeout_ms) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ::close(read_fd);
      return "helper process timed out";
    }
    ::usleep(10 * 1000);
  }
  ::fcntl(read_fd, F_SETFL, O_NONBLOCK);
  std::string text;
  char buf[1024];
  ssize_t n;
  while ((n = ::read(read_fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(read_fd);
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) == 0) return "";
    return text.empty() ? "helper exited with " + std::to_string(WEXITSTATUS(status)) : text;
  }
  if (WIFSIGNALED(status)) return "helper killed by signal " + std::to_string(WTERMSIG(status));
  return "helper ended oddly";
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace rk::probe
