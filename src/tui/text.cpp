#include "tui/text.hpp"

#include <algorithm>

#include "base/text.hpp"

namespace rk::tui {

namespace {

bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
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
  for (std::string line : base::split_lines(text)) {
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

}  // namespace rk::tui
