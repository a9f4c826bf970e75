#include "probe.hpp"

#include <string.h>
#include <unistd.h>

#include <cerrno>

#include "runner.hpp"

namespace rk::probe {

std::string_view status_name(Status s) {
  switch (s) {
    case Status::kPass:
      return "pass";
    case Status::kFail:
      return "fail";
    case Status::kSkip:
      return "skip";
  }
  return "fail";
}

std::string errno_str(int err) {
  const char* name = strerrorname_np(err);
  std::string out = name ? name : "E" + std::to_string(err);
  out += " (";
  out += strerror(err);
  out += ")";
  return out;
}

void fail_msg(std::string what) {
  throw ProbeAbort{fail(std::move(what))};
}
void skip_msg(std::string what) {
  throw ProbeAbort{skip(std::move(what))};
}
void fail_errno(const std::string& what, int err) {
  fail_msg(what + ": " + errno_str(err));
}

long check(long rc, const std::string& what) {
  if (rc < 0) fail_errno(what, errno);
  return rc;
}

void require(bool cond, const std::string& what) {
  if (!cond) fail_msg(what);
}

void step(std::string_view what) {
  report_step(what);
}

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace rk::probe
