#include "source/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "source/util.hpp"

namespace rk::source {

bool stderr_is_tty() {
  return ::isatty(2) == 1;
}

Progress::Progress(std::FILE* out, bool tty, std::string label, Unit unit,
                   std::chrono::seconds interval)
    : out_(out), tty_(tty), label_(std::move(label)), unit_(unit), interval_(interval) {
  start_ = last_print_ = Clock::now();
}

Progress::~Progress() {
  if (tty_ && printed_ && !finished_ && out_) std::fputc('\n', out_);
}

namespace {

std::string clock_text(double seconds) {
  auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

std::string Progress::line(bool bar) const {
  double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  std::uint64_t num = unit_ == Unit::kBytes ? done_ : bytes_done_;
  std::uint64_t den = unit_ == Unit::kBytes ? total_ : bytes_total_;
  double frac = den > 0 ? std::min(1.0, static_cast<double>(num) / static_cast<double>(den)) : -1;
  std::string s = label_ + " ";
  if (bar && frac >= 0) {
    int width = 24, fill = static_cast<int>(frac * width);
    s += "[" + std::string(fill, '#') + std::string(width - fill, ' ') + "] ";
  }
  if (frac >= 0) s += fmt::format("{:3.0f}% ", frac * 100);
  if (unit_ == Unit::kBytes) {
    s += human_bytes(done_);
    if (total_) s += " / " + human_bytes(total_);
    double rate = elapsed > 0.2 ? static_cast<double>(done_ - start_done_) / elapsed : 0;
    if (rate > 0) {
      s += fmt::format(", {}/s", human_bytes(static_cast<std::uint64_t>(rate)));
      if (total_ > done_) s += ", ETA " + clock_text(static_cast<double>(total_ - done_) / rate);
    }
  } else {
    s += fmt::format("{} files", done_);
    if (frac > 0.01 && frac < 1) s += ", ETA " + clock_text(elapsed / frac - elapsed);
  }
  return s;
}

void Progress::update(std::uint64_t done, std::uint64_t total, std::uint64_t bytes_done,
                      std::uint64_t bytes_total) {
  if (!started_) {
    started_ = true;
    start_done_ = done;  // a resumed download's rate counts only this run's bytes
  }
  done_ = done;
  total_ = total;
  bytes_done_ = bytes_done;
  bytes_total_ = bytes_total;
  if (!out_) return;
  auto now = Clock::now();
  if (tty_) {
    if (now - last_print_ < std::chrono::milliseconds(100) && printed_) return;
    last_print_ = now;
    std::fprintf(out_, "\r\033[K%s", line(true).c_str());
    std::fflush(out_);
    printed_ = true;
  } else if (now - last_print_ >= interval_) {
    last_print_ = now;
    std::fprintf(out_, "%s\n", line(false).c_str());
    std::fflush(out_);
    printed_ = true;
  }
}

void Progress::finish() {
  if (finished_ || !out_) return;
  finished_ = true;
  if (tty_)
    std::fprintf(out_, "\r\033[K%s\n", line(true).c_str());
  else
    std::fprintf(out_, "%s\n", line(false).c_str());
  std::fflush(out_);
}

}  // namespace rk::source
