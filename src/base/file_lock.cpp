#include "base/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/file.hpp"

namespace rk::base {

namespace fs = std::filesystem;

FileLock::FileLock(const std::string& lock_path, const std::string& what, std::FILE* log,
                   const std::atomic<bool>* cancel, std::chrono::seconds max_wait) {
  std::error_code ec;
  fs::create_directories(fs::path(lock_path).parent_path(), ec);
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    int e = errno;
    throw FileError(lock_path, e,
                    "cannot open the lock file " + lock_path + ": " + std::strerror(e));
  }
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  bool said = false;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int e = errno;
      ::close(fd_);
      throw FileError(lock_path, e, "cannot lock " + lock_path + ": " + std::strerror(e));
    }
    if (!said && log) {
      std::fprintf(log, "%s: waiting for another runner-kernel that holds %s\n", what.c_str(),
                   lock_path.c_str());
      std::fflush(log);
    }
    said = true;
    const bool cancelled = cancel && cancel->load();
    if (cancelled || std::chrono::steady_clock::now() > deadline) {
      ::close(fd_);
      throw FileError(lock_path, cancelled ? EINTR : EBUSY,
                      cancelled
                          ? what + ": interrupted while waiting for " + lock_path
                          : what + ": busy: another runner-kernel has held " + lock_path +
                                " for over " + std::to_string(max_wait.count() / 60) + " minutes");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace rk::base
