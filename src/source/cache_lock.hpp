// An exclusive lock on one branch's part of the cache (its downloads, its extraction, its
// tree and marker), held for a whole fetch. Two fetches of the same branch, in two processes,
// run one after the other: the second finds the first's verified tree, or fetches again if the
// first failed; neither sees the other's half-extracted directory or half-written download.
// flock(2) on a lock file under the cache: released by the kernel when the holder dies, so a
// crashed fetch never leaves a stale lock behind.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

namespace rk::source {

class CacheLock {
 public:
  // Takes the lock on `lock_path` (created), waiting while another process holds it: a line on
  // `log` says so once. Throws SourceError: kInterrupted when `cancel` is set while waiting,
  // kOther ("busy") after `max_wait`, or when the lock file cannot be created.
  CacheLock(const std::string& lock_path, const std::string& what, std::FILE* log,
            const std::atomic<bool>* cancel, std::chrono::seconds max_wait = std::chrono::hours(2));
  ~CacheLock();
  CacheLock(const CacheLock&) = delete;
  CacheLock& operator=(const CacheLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace rk::source
