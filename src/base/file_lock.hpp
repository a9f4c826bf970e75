// An exclusive lock held by one process at a time, on a lock file: flock(2), so the kernel
// releases it when the holder dies and a crashed run never leaves a stale lock behind. Used
// for a branch's part of the source cache (two fetches of one release take turns) and for the
// repository's configuration (every writer of configs/ and variants.toml takes it, then reads
// what is there now, so two edits at once both land).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

namespace rk::base {

class FileLock {
 public:
  // Takes the lock on `lock_path` (created, mode 0600), waiting while another process holds
  // it; a line on `log` says so once, naming `what`. Throws FileError: error_number EINTR when
  // `cancel` is set while waiting, EBUSY after `max_wait`, or the errno of a lock file that
  // cannot be created.
  FileLock(const std::string& lock_path, const std::string& what, std::FILE* log,
           const std::atomic<bool>* cancel = nullptr,
           std::chrono::seconds max_wait = std::chrono::hours(2));
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace rk::base
