// Progress of downloads (bytes, rate, ETA) and extractions (files): a redrawn bar when the
// output is a terminal, otherwise a one-line update every few seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace rk::source {

class Progress {
 public:
  enum class Unit { kBytes, kFiles };

  // `out` null: silent. `tty`: redraw one line with \r; otherwise print a line every
  // `interval` (and at the end).
  Progress(std::FILE* out, bool tty, std::string label, Unit unit,
           std::chrono::seconds interval = std::chrono::seconds(5));
  ~Progress();

  // `done` units of `total` (0: unknown). For files, `bytes_done`/`bytes_total` of the input
  // give the percentage when known.
  void update(std::uint64_t done, std::uint64_t total, std::uint64_t bytes_done = 0,
              std::uint64_t bytes_total = 0);
  void finish();  // prints the final state once

  // The status line for the current state (exposed for tests).
  std::string line(bool bar) const;

 private:
  using Clock = std::chrono::steady_clock;
  std::FILE* out_;
  bool tty_;
  std::string label_;
  Unit unit_;
  std::chrono::seconds interval_;
  Clock::time_point start_, last_print_;
  std::uint64_t start_done_ = 0;
  bool started_ = false, finished_ = false, printed_ = false;
  std::uint64_t done_ = 0, total_ = 0, bytes_done_ = 0, bytes_total_ = 0;
};

// Whether stderr is a terminal.
bool stderr_is_tty();

}  // namespace rk::source
