#include "vmtest/console.hpp"

#include <charconv>

namespace rk::vmtest {
namespace {

constexpr std::string_view kPrefix = "rk-probe: ";
constexpr std::string_view kLogPrefix = "rk-log: ";

std::vector<std::string_view> split_words(std::string_view text, size_t max_words) {
  // Splits on single spaces into at most max_words pieces; the last holds the rest.
  std::vector<std::string_view> words;
  while (!text.empty() && words.size() + 1 < max_words) {
    size_t sp = text.find(' ');
    if (sp == std::string_view::npos) break;
    words.push_back(text.substr(0, sp));
    text.remove_prefix(sp + 1);
  }
  words.push_back(text);
  return words;
}

template <typename T>
bool parse_number(std::string_view s, T& value) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::string_view to_string(ProbeStatus status) {
  switch (status) {
    case ProbeStatus::pass:
      return "pass";
    case ProbeStatus::fail:
      return "fail";
    case ProbeStatus::skip:
      return "skip";
  }
  return "fail";
}

std::string clean_console_line(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == 0x1b) {
      // CSI: ESC [ parameters final-byte; other escapes: ESC + one byte.
      if (i + 1 < raw.size() && raw[i + 1] == '[') {
        i += 2;
        while (i < raw.size() && !(raw[i] >= 0x40 && raw[i] <= 0x7e)) ++i;
      } else {
        ++i;
      }
      continue;
    }
    if (c == '\t' || c >= 0x20) out.push_back(static_cast<char>(c));
  }
  return out;
}

void ConsoleParser::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(bytes);
      // A console that never sends a newline must not grow without bound.
      if (partial_.size() > 64 * 1024) {
        line(partial_);
        partial_.clear();
      }
      return;
    }
    if (partial_.empty()) {
      line(bytes.substr(0, nl));
    } else {
      partial_.append(bytes.substr(0, nl));
      line(partial_);
      partial_.clear();
    }
    bytes.remove_prefix(nl + 1);
  }
}

void ConsoleParser::finish() {
  if (!partial_.empty()) {
    line(partial_);
    partial_.clear();
  }
}

void ConsoleParser::error(std::string message) {
  if (state_.protocol_errors.size() < 50) state_.protocol_errors.push_back(std::move(message));
}

void ConsoleParser::line(std::string_view raw) {
  std::string text = clean_console_line(raw);
  ++state_.lines;
  if (tail_lines_ > 0) {
    state_.tail.push_back(text);
    while (state_.tail.size() > tail_lines_) state_.tail.pop_front();
  }
  if (text.starts_with(kPrefix)) {
    protocol_line(std::string_view(text).substr(kPrefix.size()));
    return;
  }
  if (text.starts_with(kLogPrefix)) {
    std::string_view rest = std::string_view(text).substr(kLogPrefix.size());
    size_t colon = rest.find(": ");
    if (colon != std::string_view::npos && colon > 0 &&
        rest.substr(0, colon).find(' ') == std::string_view::npos) {
      auto& lines = state_.logs[std::string(rest.substr(0, colon))];
      if (lines.size() < ConsoleState::kMaxLogLines) {
        lines.emplace_back(rest.substr(colon + 2));
      }
      return;
    }
  }
  if (!state_.panic && text.find("Kernel panic - not syncing") != std::string::npos) {
    state_.panic = text;
  }
}

void ConsoleParser::protocol_line(std::string_view text) {
  auto words = split_words(text, 2);
  std::string_view kind = words[0];
  std::string_view rest = words.size() > 1 ? words[1] : std::string_view();
  const std::string quoted = "\"rk-probe: " + std::string(text) + "\"";

  if (kind == "begin") {
    auto w = split_words(rest, 2);
    if (state_.begun) {
      error("second begin line: " + quoted);
      return;
    }
    if (w.size() != 2 || w[0].empty() || w[1].empty() || w[1].find(' ') != std::string::npos) {
      error("malformed begin line: " + quoted);
    }
    state_.begun = true;
    state_.probe_version = std::string(w[0]);
    if (w.size() > 1) state_.probe_arch = std::string(w[1]);
    return;
  }
  if (!state_.begun) {
    error("protocol line before begin: " + quoted);
    return;
  }
  if (state_.end) {
    error("protocol line after end: " + quoted);
    return;
  }
  if (kind == "boottime_ns") {
    uint64_t ns = 0;
    if (!parse_number(rest, ns)) {
      error("malformed boottime_ns line: " + quoted);
      return;
    }
    if (state_.boottime_ns) error("second boottime_ns line: " + quoted);
    state_.boottime_ns = ns;
    return;
  }
  if (kind == "result") {
    auto w = split_words(rest, 3);
    if (w.size() < 2 || w[0].empty()) {
      error("malformed result line: " + quoted);
      return;
    }
    ProbeResult r;
    r.name = std::string(w[0]);
    if (w[1] == "pass") {
      r.status = ProbeStatus::pass;
    } else if (w[1] == "fail") {
      r.status = ProbeStatus::fail;
    } else if (w[1] == "skip") {
      r.status = ProbeStatus::skip;
    } else {
      error("unknown status in result line: " + quoted);
      return;
    }
    r.detail = w.size() > 2 ? std::string(w[2]) : std::string();
    for (const auto& seen : state_.results) {
      if (seen.name == r.name) {
        error("second result for probe " + r.name + ": " + quoted);
        return;
      }
    }
    state_.results.push_back(std::move(r));
    return;
  }
  if (kind == "end") {
    auto w = split_words(rest, 3);
    ProbeEnd end;
    if (w.size() != 3 || !parse_number(w[0], end.passed) || !parse_number(w[1], end.failed) ||
        !parse_number(w[2], end.skipped)) {
      error("malformed end line: " + quoted);
      state_.end = ProbeEnd{};
      return;
    }
    ProbeEnd counted;
    for (const auto& r : state_.results) {
      if (r.status == ProbeStatus::pass) ++counted.passed;
      if (r.status == ProbeStatus::fail) ++counted.failed;
      if (r.status == ProbeStatus::skip) ++counted.skipped;
    }
    if (counted.passed != end.passed || counted.failed != end.failed ||
        counted.skipped != end.skipped) {
      error("end line counts " + std::string(rest) + " differ from the results seen (" +
            std::to_string(counted.passed) + " " + std::to_string(counted.failed) + " " +
            std::to_string(counted.skipped) + ")");
    }
    state_.end = end;
    return;
  }
  error("unknown protocol line: " + quoted);
}

ConsoleState parse_console(std::string_view transcript, size_t tail_lines) {
  ConsoleParser parser(tail_lines);
  parser.feed(transcript);
  parser.finish();
  return parser.state();
}

}  // namespace rk::vmtest
