#include "console.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "runner.hpp"

namespace rk::probe {

std::string format_begin(std::string_view version, std::string_view arch) {
  return std::string(kLinePrefix) + "begin " + std::string(version) + " " + std::string(arch);
}

std::string format_boottime(int64_t ns) {
  return std::string(kLinePrefix) + "boottime_ns " + std::to_string(ns);
}

std::string format_result(std::string_view probe, const Outcome& o) {
  std::string detail = one_line(o.detail);
  if (detail.empty()) detail = "-";
  return std::string(kLinePrefix) + "result " + one_line(probe, 64) + " " +
         std::string(status_name(o.status)) + " " + detail;
}

std::string format_end(int passed, int failed, int skipped) {
  return std::string(kLinePrefix) + "end " + std::to_string(passed) + " " + std::to_string(failed) +
         " " + std::to_string(skipped);
}

void Console::open() {
  fd_ = ::open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd_ < 0) {
    // No devtmpfs on /dev: make our own node for the console device (5:1).
    ::mkdir("/dev", 0755);
    ::mknod("/dev/rk-console", S_IFCHR | 0600, makedev(5, 1));
    fd_ = ::open("/dev/rk-console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
  }
  if (fd_ < 0 && ::fcntl(1, F_GETFD) >= 0) fd_ = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
}

void Console::line(const std::string& text) {
  if (fd_ < 0) return;
  std::string l = text + "\n";
  std::string_view rest = l;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace rk::probe
