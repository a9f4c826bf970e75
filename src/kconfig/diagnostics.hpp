// Where the engine reports warnings and errors. The engine never prints: callers decide whether
// diagnostics go to stderr (the conf-compatible command), into a list (tests, `config check`),
// or nowhere.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rk::kconfig {

struct SourceFile;

// A fatal problem in the input: parsing stops and the message is what conf would print.
class KconfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Diagnostics {
 public:
  using Sink = std::function<void(const std::string&)>;

  Diagnostics() = default;
  explicit Diagnostics(Sink sink) : sink_(std::move(sink)) {}

  // A complete line as conf writes it to stderr (without the trailing newline).
  void emit(const std::string& line) {
    lines_.push_back(line);
    if (sink_) sink_(line);
  }
  // "<file>:<line>:warning: <msg>", conf's format for menu and property warnings.
  void warn_at(const SourceFile* file, int line, const std::string& msg);
  // "<file>:<line>: <msg>"; counts as an error.
  void error_at(const SourceFile* file, int line, const std::string& msg);

  int error_count() const { return errors_; }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  Sink sink_;
  std::vector<std::string> lines_;
  int errors_ = 0;
};

}  // namespace rk::kconfig
