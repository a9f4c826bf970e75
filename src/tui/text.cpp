#include "tui/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rk::tui {

namespace {

bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace

size_t text_width(std::string_view s) {
  size_t w = 0;
  for (char c : s)
    if (!continuation(c)) ++w;
  return w;
}

std::string fit(std::string_view s, size_t width) {
  if (width == 0) return "";
  std::string out;
  if (text_width(s) <= width) {
    out = std::string(s);
    out.append(width - text_width(s), ' ');
    return out;
  }
  size_t w = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!continuation(s[i])) {
      if (w + 1 == width) break;
      ++w;
    }
    out += s[i];
  }
  return out + "~";
}

std::vector<std::string> wrap_lines(std::string_view text, size_t width) {
  std::vector<std::string> out;
  if (width == 0) width = 1;
  for (std::string line : split_lines(text)) {
    for (char& c : line)
      if (c == '\t') c = ' ';
    while (text_width(line) > width) {
      // Byte offset of column `width`.
      size_t cut = 0, w = 0;
      while (cut < line.size() && w < width) {
        ++cut;
        while (cut < line.size() && continuation(line[cut])) ++cut;
        ++w;
      }
      size_t space = line.rfind(' ', cut);
      size_t indent = line.find_first_not_of(' ');
      if (space != std::string::npos && space > indent && space > 0) cut = space;
      out.push_back(line.substr(0, cut));
      size_t rest = line.find_first_not_of(' ', cut);
      line = rest == std::string::npos ? "" : line.substr(rest);
      if (line.empty()) break;
    }
    out.push_back(line);
  }
  return out;
}

std::string unified_diff(const std::string& path, const std::string& old_text,
                         const std::string& new_text) {
  if (old_text == new_text) return "";
  std::vector<std::string> a = split_lines(old_text), b = split_lines(new_text);
  size_t n = a.size(), m = b.size();
  // Longest common subsequence table (fragments are small).
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  struct Op {
    char kind;  // ' ', '-', '+'
    size_t ai, bi;
  };
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ops.push_back({' ', i++, j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push_back({'-', i++, j});
    } else {
      ops.push_back({'+', i, j++});
    }
  }
  std::string out = fmt::format("--- a/{}\n+++ b/{}\n", path, path);
  const size_t ctx = 3;
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    size_t start = k >= ctx ? k - ctx : 0;
    size_t end = k;
    // Extend the hunk while changes are within 2*ctx of each other.
    size_t last_change = k;
    for (size_t x = k; x < ops.size(); ++x) {
      if (ops[x].kind != ' ') last_change = x;
      if (x - last_change > 2 * ctx) break;
      end = x;
    }
    end = std::min(ops.size() - 1, last_change + ctx);
    size_t a_start = ops[start].ai, b_start = ops[start].bi, a_len = 0, b_len = 0;
    std::string body;
    for (size_t x = start; x <= end; ++x) {
      const Op& op = ops[x];
      if (op.kind == ' ') {
        body += " " + a[op.ai] + "\n";
        ++a_len;
        ++b_len;
      } else if (op.kind == '-') {
        body += "-" + a[op.ai] + "\n";
        ++a_len;
      } else {
        body += "+" + b[op.bi] + "\n";
        ++b_len;
      }
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_len ? a_start + 1 : a_start, a_len,
                       b_len ? b_start + 1 : b_start, b_len);
    out += body;
    k = end + 1;
  }
  return out;
}

}  // namespace rk::tui
