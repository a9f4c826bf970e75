#include "build/progress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rk::build {

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::kConfig:
      return "config";
    case Phase::kCompile:
      return "compile";
    case Phase::kLink:
      return "link";
    case Phase::kArtifacts:
      return "artifacts";
    case Phase::kDone:
      return "done";
  }
  return "?";
}

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Splits Kbuild's quiet line "  TAG     target" (tags are upper case, possibly "CC [M]").
bool split_quiet(std::string_view line, std::string_view& tag, std::string_view& target) {
  if (line.size() < 4 || line[0] != ' ' || line[1] != ' ' || line[2] == ' ') return false;
  line.remove_prefix(2);
  size_t end = line.find(' ');
  if (end == std::string_view::npos) return false;
  tag = line.substr(0, end);
  for (char c : tag)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  std::string_view rest = line.substr(end);
  size_t b = rest.find_first_not_of(' ');
  if (b == std::string_view::npos) return false;
  rest.remove_prefix(b);
  if (rest.rfind("[M]", 0) == 0) {
    rest.remove_prefix(3);
    b = rest.find_first_not_of(' ');
    if (b == std::string_view::npos) return false;
    rest.remove_prefix(b);
  }
  while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
  target = rest;
  return !target.empty();
}

}  // namespace

bool ProgressParser::feed(std::string_view line) {
  std::string_view tag, target;
  if (!split_quiet(line, tag, target)) return false;
  if ((tag == "CC" || tag == "AS") && ends_with(target, ".o")) {
    ++objects_;
    if (phase_ == Phase::kConfig) phase_ = Phase::kCompile;
    return true;
  }
  bool vmlinux_link = (tag == "LD" && (target == "vmlinux.o" || target == "vmlinux" ||
                                       target.rfind(".tmp_vmlinux", 0) == 0)) ||
                      (tag == "MODPOST" && target.rfind("vmlinux", 0) == 0);
  if (vmlinux_link && phase_ != Phase::kLink) {
    phase_ = Phase::kLink;
    return true;
  }
  return false;
}

std::string format_duration(std::chrono::seconds s) {
  long long t = s.count();
  if (t < 0) t = 0;
  if (t >= 3600) return fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
  return fmt::format("{}:{:02}", t / 60, t % 60);
}

std::string progress_line(const std::string& label, Phase phase, std::uint64_t objects,
                          std::uint64_t expected, std::chrono::seconds elapsed) {
  std::string count;
  // Past the estimate (a smaller build taught it), a made-up total would only mislead.
  if (expected > 0 && objects <= expected) {
    unsigned pct = static_cast<unsigned>(std::min<std::uint64_t>(99, objects * 100 / expected));
    if (phase == Phase::kDone) pct = 100;
    count = fmt::format("{}/~{} objects {:>3}%", objects, expected, pct);
  } else {
    count = fmt::format("{} objects", objects);
  }
  return fmt::format("{}  {:<9} {}  {}", label, phase_name(phase), count, format_duration(elapsed));
}

ProgressDisplay::ProgressDisplay(std::FILE* out, bool tty, std::string label,
                                 std::uint64_t expected, std::chrono::seconds interval)
    : out_(out),
      tty_(tty),
      label_(std::move(label)),
      expected_(expected),
      interval_(interval),
      start_(Clock::now()),
      last_(start_) {
  draw(true);
}

std::chrono::seconds ProgressDisplay::elapsed() const {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start_);
}

void ProgressDisplay::update(Phase phase, std::uint64_t objects) {
  bool phase_changed = phase != phase_;
  phase_ = phase;
  objects_ = objects;
  if (phase == Phase::kDone) return;  // finish() prints the final line
  draw(phase_changed && !tty_);
}

void ProgressDisplay::tick() {
  draw(false);
}

void ProgressDisplay::draw(bool force) {
  if (!out_ || finished_) return;
  auto now = Clock::now();
  if (tty_) {
    if (!force && now - last_ < std::chrono::milliseconds(200)) return;
    std::string line = progress_line(label_, phase_, objects_, expected_, elapsed());
    size_t width = line.size();
    if (width < last_width_) line.append(last_width_ - width, ' ');
    last_width_ = width;
    std::fprintf(out_, "\r%s", line.c_str());
    std::fflush(out_);
  } else {
    if (!force && any_printed_ && now - last_ < interval_) return;
    if (!force && !any_printed_ && now - start_ < interval_ && phase_ == printed_phase_) return;
    std::fprintf(out_, "%s\n",
                 progress_line(label_, phase_, objects_, expected_, elapsed()).c_str());
    std::fflush(out_);
    any_printed_ = true;
    printed_phase_ = phase_;
  }
  last_ = now;
}

void ProgressDisplay::finish(const std::string& note) {
  if (!out_ || finished_) return;
  std::string line = progress_line(label_, phase_, objects_, expected_, elapsed());
  if (!note.empty()) line += "  " + note;
  if (tty_) {
    if (line.size() < last_width_) line.append(last_width_ - line.size(), ' ');
    std::fprintf(out_, "\r%s\n", line.c_str());
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
  finished_ = true;
}

}  // namespace rk::build
