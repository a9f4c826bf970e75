// The shape of every stage's error: a message for the user (what went wrong, naming the file and
// line or the program, and what to do about it) and a kind the caller can act on (retry another
// route, report a missing package, ...). Each stage declares its own `ErrorKind` and
//   class FooError : public base::StageError<ErrorKind> { using StageError::StageError; };
#pragma once

#include <stdexcept>
#include <string>

namespace rk::base {

template <typename Kind>
class StageError : public std::runtime_error {
 public:
  StageError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace rk::base
