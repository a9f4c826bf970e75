// The build stage's error type: what went wrong, and what the user can do about it.
#pragma once

#include <stdexcept>
#include <string>

#include "base/error.hpp"

namespace rk::build {

enum class ErrorKind {
  kOther,
  kToolMissing,     // a program or header Kbuild needs is not installed (the message names
                    // the Debian package)
  kDiskFull,        // not enough free space, or ENOSPC during the build
  kInterrupted,     // SIGINT/SIGTERM: the next run resumes (make is incremental)
  kConfigMismatch,  // the .config Kbuild used is not the one our engine resolved
  kKbuild,          // make failed (compile error, ...): the message has the log's last errors
};

class BuildError : public base::StageError<ErrorKind> {
 public:
  using StageError::StageError;
};

}  // namespace rk::build
