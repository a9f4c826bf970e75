// The vmtest stage's error type: what went wrong before a boot could be judged, and what the
// user can do about it. A boot that runs and fails is not an error: it is a verdict in the
// report (report.hpp).
#pragma once

#include <stdexcept>
#include <string>

#include "base/error.hpp"
#include "base/file.hpp"

namespace rk::vmtest {

enum class ErrorKind {
  kOther,
  kRequest,      // the request itself is wrong (unknown arch, missing kernel, --boots < 1)
  kToolMissing,  // a VMM or disk tool is not installed (the message names the Debian package)
  kNoKvm,        // Firecracker was asked for, but KVM is not usable (the message says why)
  kKernel,       // the kernel file is not one the backend can boot for this arch
  kDiskImage,    // making the test disks failed (the message has the tool's output)
  kIo,           // a file could not be read or written
};

class VmtestError : public base::StageError<ErrorKind> {
 public:
  using StageError::StageError;
};

// Writes or reads through base:: (file.hpp) and reports its FileError as this stage's kIo.
template <typename FileCall>
decltype(auto) stage_file_io(FileCall&& call) {
  try {
    return call();
  } catch (const base::FileError& e) {
    throw VmtestError(ErrorKind::kIo, e.what());
  }
}

}  // namespace rk::vmtest
