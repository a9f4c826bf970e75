#include "base/text.hpp"

#include <algorithm>
#include <utility>

namespace rk::base {

size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  size_t length_gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (length_gap > limit) return limit + 1;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
      row_min = std::min(row_min, cur[j]);
    }
    // Every later row is at least this row's minimum.
    if (row_min > limit) return limit + 1;
    std::swap(prev, cur);
  }
  return std::min(prev[b.size()], limit + 1);
}

std::optional<size_t> near_name_rank(std::string_view query, std::string_view candidate) {
  const size_t limit = std::max<size_t>(2, query.size() / 4);
  size_t d = edit_distance(query, candidate, limit);
  if (d <= limit) return d;
  const size_t shorter = std::min(query.size(), candidate.size());
  const bool contains = candidate.find(query) != std::string_view::npos ||
                        query.find(candidate) != std::string_view::npos;
  if (shorter >= 4 && contains)
    return limit + 1 + (std::max(query.size(), candidate.size()) - shorter);
  return std::nullopt;
}

std::vector<std::string> near_names(std::string_view query,
                                    const std::vector<std::string_view>& candidates,
                                    size_t max_results) {
  std::vector<std::pair<size_t, std::string_view>> ranked;
  for (std::string_view c : candidates)
    if (auto rank = near_name_rank(query, c)) ranked.emplace_back(*rank, c);
  std::sort(ranked.begin(), ranked.end());
  ranked.erase(std::unique(ranked.begin(), ranked.end(),
                           [](const auto& x, const auto& y) { return x.second == y.second; }),
               ranked.end());
  std::vector<std::string> out;
  for (const auto& [rank, name] : ranked) {
    if (out.size() >= max_results) break;
    out.emplace_back(name);
  }
  return out;
}

void append_escaped(std::string& out, std::string_view raw, char quote,
                    std::string_view control_prefix) {
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : raw) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (quote != '\0' && c == static_cast<unsigned char>(quote)) {
          out += '\\';
          out += quote;
        } else if (c < 0x20 || c == 0x7f) {
          out += control_prefix;
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
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
  std::string out = "--- a/" + path + "\n+++ b/" + path + "\n";
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
    out += "@@ -" + std::to_string(a_len ? a_start + 1 : a_start) + "," + std::to_string(a_len) +
           " +" + std::to_string(b_len ? b_start + 1 : b_start) + "," + std::to_string(b_len) +
           " @@\n";
    out += body;
    k = end + 1;
  }
  return out;
}

}  // namespace rk::base
