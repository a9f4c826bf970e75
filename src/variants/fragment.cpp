#include "variants/fragment.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/file.hpp"
#include "base/text.hpp"
#include "variants/matrix.hpp"

namespace rk::variants {

namespace fs = std::filesystem;

namespace {

bool is_symbol_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits "value   # comment" at the first '#' outside a quoted string.
void split_value_comment(std::string_view rest, std::string& value, std::string& comment) {
  bool quoted = false;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (quoted && c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '#') {
      value = std::string(trim(rest.substr(0, i)));
      comment = std::string(trim(rest.substr(i + 1)));
      return;
    }
  }
  value = std::string(trim(rest));
  comment.clear();
}

// "# CONFIG_FOO is not set" -> "FOO".
std::optional<std::string> not_set_symbol(std::string_view line) {
  constexpr std::string_view head = "# CONFIG_", tail = " is not set";
  if (line.substr(0, head.size()) != head) return std::nullopt;
  size_t end = head.size();
  while (end < line.size() && is_symbol_char(line[end])) ++end;
  if (end == head.size()) return std::nullopt;
  std::string_view rest = line.substr(end);
  if (rest.substr(0, tail.size()) != tail) return std::nullopt;
  return std::string(line.substr(head.size(), end - head.size()));
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// Index of the line holding `symbol`'s setting, or -1.
int setting_index(const Fragment& f, const std::string& symbol) {
  const FragmentSetting* s = f.find(symbol);
  return s ? s->line - 1 : -1;
}

}  // namespace

const FragmentSetting* Fragment::find(std::string_view symbol) const {
  for (const auto& s : settings)
    if (s.symbol == symbol) return &s;
  return nullptr;
}

Fragment parse_fragment(std::string_view text, const std::string& path) {
  Fragment f;
  f.path = path;
  f.lines = base::split_lines(text);
  std::string paragraph;  // comment paragraph directly above, joined
  bool paragraph_open = false;
  std::map<std::string, int> first_line;
  for (size_t i = 0; i < f.lines.size(); ++i) {
    int lineno = static_cast<int>(i + 1);
    std::string_view line = trim(f.lines[i]);
    if (line.empty()) {
      paragraph.clear();
      paragraph_open = false;
      continue;
    }
    FragmentSetting s;
    s.line = lineno;
    if (auto sym = not_set_symbol(line)) {
      s.symbol = *sym;
      s.value = "n";
      s.reason = paragraph;
    } else if (line.front() == '#') {
      std::string_view body = trim(line.substr(1));
      if (!paragraph_open) paragraph.clear();
      if (!body.empty()) paragraph += (paragraph.empty() ? "" : " ") + std::string(body);
      paragraph_open = true;
      continue;
    } else {
      if (line.substr(0, 7) != "CONFIG_")
        throw VariantsError(
            ErrorKind::kFragment,
            fmt::format(
                "{}:{}: expected CONFIG_<SYMBOL>=<value>, a '#' comment or a blank line, got '{}'",
                path, lineno, line));
      size_t end = 7;
      while (end < line.size() && is_symbol_char(line[end])) ++end;
      if (end == 7 || end >= line.size() || line[end] != '=')
        throw VariantsError(
            ErrorKind::kFragment,
            fmt::format("{}:{}: expected CONFIG_<SYMBOL>=<value>, got '{}'", path, lineno, line));
      s.symbol = std::string(line.substr(7, end - 7));
      std::string comment;
      split_value_comment(line.substr(end + 1), s.value, comment);
      if (s.value.empty())
        throw VariantsError(ErrorKind::kFragment,
                            fmt::format("{}:{}: CONFIG_{} has no value (write CONFIG_{}=n to ask "
                                        "for n)",
                                        path, lineno, s.symbol, s.symbol));
      s.reason = comment.empty() ? paragraph : comment;
      if (!requested_value(s))
        throw VariantsError(ErrorKind::kFragment,
                            fmt::format("{}:{}: CONFIG_{}: malformed string value {}", path, lineno,
                                        s.symbol, s.value));
    }
    auto [it, fresh] = first_line.emplace(s.symbol, lineno);
    if (!fresh)
      throw VariantsError(ErrorKind::kFragment,
                          fmt::format("{}:{}: CONFIG_{} is already set at line {} of this fragment",
                                      path, lineno, s.symbol, it->second));
    f.settings.push_back(std::move(s));
  }
  return f;
}

Fragment load_fragment(const std::string& absolute_path, const std::string& path) {
  // A directory, a device or a FIFO is no fragment (a directory used to read as an empty one,
  // /dev/zero as an endless one): say so instead of reading it.
  std::error_code ec;
  fs::file_status st = fs::status(absolute_path, ec);
  if (!ec && fs::exists(st) && !fs::is_regular_file(st))
    throw VariantsError(ErrorKind::kFragment,
                        fmt::format("{}: not a regular file (listed in variants.toml as a "
                                    "fragment)",
                                    path));
  if (!ec && fs::is_regular_file(st)) {
    auto size = fs::file_size(absolute_path, ec);
    if (!ec && size > kMaxFragmentBytes)
      throw VariantsError(ErrorKind::kFragment,
                          fmt::format("{}: {} bytes; a fragment may be at most {} bytes", path,
                                      size, kMaxFragmentBytes));
  }
  auto text = base::read_file_if_readable(absolute_path);
  if (!text)
    throw VariantsError(ErrorKind::kFragment,
                        fmt::format("{}: cannot read fragment (listed in variants.toml)", path));
  return parse_fragment(*text, path);
}

std::optional<std::string> requested_value(const FragmentSetting& s) {
  const std::string& v = s.value;
  if (v.empty() || v.front() != '"') return v;
  std::string out;
  for (size_t i = 1; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\\') {
      if (++i >= v.size()) return std::nullopt;
      out += v[i];
    } else if (c == '"') {
      if (i + 1 != v.size()) return std::nullopt;
      return out;
    } else {
      out += c;
    }
  }
  return std::nullopt;
}

std::string setting_line(const std::string& symbol, const std::string& value) {
  if (value == "n") return fmt::format("CONFIG_{}=n", symbol);
  return fmt::format("CONFIG_{}={}", symbol, value);
}

std::string fragment_config_text(const Fragment& f) {
  std::string out;
  for (const auto& s : f.settings) {
    if (s.value == "n")
      out += fmt::format("# CONFIG_{} is not set\n", s.symbol);
    else
      out += fmt::format("CONFIG_{}={}\n", s.symbol, s.value);
  }
  return out;
}

namespace {

// What set_setting writes must stay one line: a newline (or any control byte) in a value or a
// reason would start a second setting that lands in .config ("--reason $'...\nCONFIG_X=y'").
void check_one_line(const std::string& what, const std::string& symbol, const std::string& text) {
  for (unsigned char c : text)
    if (c < 0x20 && c != '\t')
      throw VariantsError(
          ErrorKind::kRequest,
          fmt::format("CONFIG_{}: the {} holds a control character (byte 0x{:02x}); "
                      "a fragment line cannot hold a line break",
                      symbol, what, static_cast<unsigned>(c)));
}

}  // namespace

std::string set_setting(const Fragment& f, const std::string& symbol, const std::string& value,
                        const std::string& reason) {
  if (symbol.empty() || symbol.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                                                 "vwxyz0123456789_") != std::string::npos)
    throw VariantsError(
        ErrorKind::kRequest,
        fmt::format("'{}' is not a Kconfig symbol name (letters, digits and _)", symbol));
  check_one_line("value", symbol, value);
  check_one_line("reason", symbol, reason);
  std::vector<std::string> lines = f.lines;
  int idx = setting_index(f, symbol);
  std::string text = setting_line(symbol, value);
  if (idx >= 0) {
    std::string keep;
    if (reason.empty()) {
      std::string v, comment;
      std::string_view line = trim(lines[idx]);
      size_t eq = line.find('=');
      if (eq != std::string_view::npos) split_value_comment(line.substr(eq + 1), v, comment);
      keep = comment;
    } else {
      keep = reason;
    }
    lines[idx] = keep.empty() ? text : fmt::format("{}  # {}", text, keep);
  } else {
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
    lines.push_back(reason.empty() ? text : fmt::format("{}  # {}", text, reason));
  }
  return join_lines(lines);
}

std::string remove_setting(const Fragment& f, const std::string& symbol) {
  std::vector<std::string> lines = f.lines;
  int idx = setting_index(f, symbol);
  if (idx < 0) return join_lines(lines);
  // A comment paragraph directly above that explains only this line goes with it.
  int first = idx;
  while (first > 0 && !trim(lines[first - 1]).empty() && trim(lines[first - 1]).front() == '#' &&
         !not_set_symbol(trim(lines[first - 1])))
    --first;
  bool alone = idx + 1 >= static_cast<int>(lines.size()) || trim(lines[idx + 1]).empty();
  bool paragraph_starts_block = first == 0 || trim(lines[first - 1]).empty();
  if (first < idx && alone && paragraph_starts_block) {
    lines.erase(lines.begin() + first, lines.begin() + idx + 1);
    // Drop a blank line left doubled.
    if (first < static_cast<int>(lines.size()) && first > 0 && trim(lines[first]).empty() &&
        trim(lines[first - 1]).empty())
      lines.erase(lines.begin() + first);
  } else {
    lines.erase(lines.begin() + idx);
  }
  return join_lines(lines);
}

}  // namespace rk::variants
