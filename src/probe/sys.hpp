// Small system helpers the probes share. Functions named *_or_fail raise ProbeAbort with the
// errno text; the others return an errno (0 on success) or an optional.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "probe.hpp"

namespace rk::probe {

bool path_exists(const std::string& path);
bool is_dir(const std::string& path);

// Reads a whole file (up to max bytes); sets err (errno) and returns nullopt on failure.
std::optional<std::string> read_file(const std::string& path, int* err = nullptr,
                                     size_t max = 1 << 24);
std::string read_file_or_fail(const std::string& path);
// First line without the newline.
std::string read_line_or_fail(const std::string& path);

// write(2) of data in one call (sysfs/cgroupfs/procfs files want that); returns 0 or errno.
int write_file(const std::string& path, const std::string& data, int flags = 0);
void write_file_or_fail(const std::string& path, const std::string& data);

// mkdir -p; returns 0 or errno.
int mkdir_p(const std::string& path, mode_t mode = 0755);
void mkdir_or_fail(const std::string& path);

// mount(2) after creating the target; returns 0 or errno.
int mount_fs(const std::string& source, const std::string& target, const std::string& type,
             unsigned long flags = 0, const std::string& data = "");
void mount_or_fail(const std::string& source, const std::string& target, const std::string& type,
                   unsigned long flags = 0, const std::string& data = "");

// The filesystem type mounted exactly at `target` per /proc/self/mounts ("" when none; the
// last mount wins).
std::string mounted_type(const std::string& target);

// The first line of /proc/cpuinfo "flags"/"Features" and so on is not needed: this says whether
// the word appears as a whole word in /proc/cpuinfo.
bool cpuinfo_has_word(const std::string& word);

// Makes sure cgroup v2 is mounted at /sys/fs/cgroup (mounting it there if nothing is) and
// returns its path.
std::string ensure_cgroup2();

// Waits up to timeout_ms for a path to appear (devices may show up after init starts).
bool wait_for_path(const std::string& path, int timeout_ms);

// Forks a helper process that runs fn (returning "" for success or what went wrong; a
// ProbeAbort counts as its detail) and returns that text, or what happened to the helper. The
// helper is killed after timeout_ms.
template <class F>
std::string run_child(F fn, int timeout_ms = 5000);
std::string wait_child(pid_t pid, int read_fd, int timeout_ms);
void child_report(int fd, const std::string& text);

std::string join(const std::vector<std::string>& items, const std::string& sep);

}  // namespace rk::probe

#include <fcntl.h>
#include <unistd.h>

namespace rk::probe {
template <class F>
std::string run_child(F fn, int timeout_ms) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) fail_errno("pipe", errno);
  pid_t pid = ::fork();
  if (pid < 0) fail_errno("fork", errno);
  if (pid == 0) {
    ::close(p[0]);
    std::string r;
    try {
      r = fn();
    } catch (const ProbeAbort& a) {
      r = a.outcome.detail.empty() ? "failed" : a.outcome.detail;
    } catch (...) {
      r = "exception in helper";
    }
    child_report(p[1], r);
    ::_exit(r.empty() ? 0 : 1);
  }
  ::close(p[1]);
  return wait_child(pid, p[0], timeout_ms);
}
}  // namespace rk::probe
