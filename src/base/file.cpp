#include "base/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace rk::base {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& path, int error_number, const std::string& doing) {
  std::string what = doing + ": " + std::strerror(error_number);
  if (error_number == ENOSPC || error_number == EDQUOT)
    what += " (disk full; " + path + " was left unchanged)";
  throw FileError(path, error_number, what);
}

// Reads all of `fd`; false with errno set on a read error.
bool read_all(int fd, std::string& out) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buffer, static_cast<size_t>(n));
  }
}

bool write_all(int fd, std::string_view content) {
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Opens `path` for reading and sizes `out` for it; -1 with errno set on failure.
int open_for_reading(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    errno = EISDIR;
    return -1;
  }
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<size_t>(st.st_size));
  return fd;
}

}  // namespace

bool FileError::disk_full() const {
  return error_number_ == ENOSPC || error_number_ == EDQUOT;
}

std::string read_file(const std::string& path) {
  std::string out;
  int fd = open_for_reading(path, out);
  if (fd < 0) fail(path, errno, "cannot read " + path);
  bool ok = read_all(fd, out);
  int e = errno;
  ::close(fd);
  if (!ok) fail(path, e, "cannot read " + path);
  return out;
}

std::optional<std::string> read_file_if_readable(const std::string& path) {
  std::string out;
  int fd = open_for_reading(path, out);
  if (fd < 0) return std::nullopt;
  bool ok = read_all(fd, out);
  ::close(fd);
  if (!ok) return std::nullopt;
  return out;
}

void write_file_atomically(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options) {
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (options.create_directories) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail(path, ec.value(), "cannot create the directory " + dir.string());
  }
  std::string pattern = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) fail(path, errno, "cannot create a temporary file in " + dir.string());
  const std::string temp(name.data());
  auto give_up = [&](int error_number, const std::string& doing) {
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    fail(path, error_number, doing);
  };
  struct stat st {};
  mode_t mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : options.new_file_mode;
  if (::fchmod(fd, mode) != 0) give_up(errno, "cannot set the mode of " + temp);
  if (!write_all(fd, content)) give_up(errno, "cannot write " + path);
  if (options.durable && ::fsync(fd) != 0) give_up(errno, "cannot write " + path);
  int closed = ::close(fd);
  fd = -1;
  if (closed != 0) give_up(errno, "cannot write " + path);
  if (!options.keep_previous_as.empty())
    (void)::rename(path.c_str(), options.keep_previous_as.c_str());
  if (::rename(temp.c_str(), path.c_str()) != 0)
    give_up(errno, "cannot rename " + temp + " to " + path);
  // The rename is durable only once the directory is on disk; a failure here leaves the new
  // file in place, so it is not an error of the write.
  int dir_fd = options.durable ? ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

bool write_file_if_changed(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options) {
  if (read_file_if_readable(path) == content) return false;
  write_file_atomically(path, content, options);
  return true;
}

}  // namespace rk::base
