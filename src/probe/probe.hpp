// Core types of the in-guest probe: outcomes, failures raised by checks, small RAII helpers.
#pragma once

#include <string>
#include <string_view>

namespace rk::probe {

enum class Status { kPass, kFail, kSkip };

std::string_view status_name(Status s);

struct Outcome {
  Status status = Status::kFail;
  std::string detail;
};

inline Outcome pass(std::string detail) {
  return {Status::kPass, std::move(detail)};
}
inline Outcome fail(std::string detail) {
  return {Status::kFail, std::move(detail)};
}
inline Outcome skip(std::string detail) {
  return {Status::kSkip, std::move(detail)};
}

// Thrown by checks deep inside a probe; the runner turns it into the probe's outcome.
struct ProbeAbort {
  Outcome outcome;
};

// "ENOENT (No such file or directory)".
std::string errno_str(int err);

[[noreturn]] void fail_msg(std::string what);
[[noreturn]] void skip_msg(std::string what);
// Fails with "<what>: <errno_str(err)>".
[[noreturn]] void fail_errno(const std::string& what, int err);

// Returns rc, or fails with errno when rc < 0.
long check(long rc, const std::string& what);
void require(bool cond, const std::string& what);

// Records what the probe is doing, so that a timeout can say where it hung. Set by the runner in
// the probe's child process; a no-op elsewhere.
void step(std::string_view what);

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace rk::probe
