#include "source/cache_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "source/util.hpp"

namespace rk::source {

namespace fs = std::filesystem;

CacheLock::CacheLock(const std::string& lock_path, const std::string& what, std::FILE* log,
                     const std::atomic<bool>* cancel, std::chrono::seconds max_wait) {
  std::error_code ec;
  fs::create_directories(fs::path(lock_path).parent_path(), ec);
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw SourceError(ErrorKind::kOther, fmt::format("cannot open the lock file {}: {}", lock_path,
                                                     std::strerror(errno)));
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  bool said = false;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int e = errno;
      ::close(fd_);
      throw SourceError(ErrorKind::kOther,
                        fmt::format("cannot lock {}: {}", lock_path, std::strerror(e)));
    }
    if (!said && log) {
      std::fprintf(log, "%s: waiting for another runner-kernel that is fetching it (lock %s)\n",
                   what.c_str(), lock_path.c_str());
      std::fflush(log);
    }
    said = true;
    if ((cancel && cancel->load()) || std::chrono::steady_clock::now() > deadline) {
      ::close(fd_);
      bool cancelled = cancel && cancel->load();
      throw SourceError(cancelled ? ErrorKind::kInterrupted : ErrorKind::kOther,
                        cancelled ? fmt::format("{}: interrupted while waiting for the lock", what)
                                  : fmt::format("{}: busy: another runner-kernel has held {} "
                                                "for over {} minutes",
                                                what, lock_path, max_wait.count() / 60));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

CacheLock::~CacheLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace rk::source
