#include "build/config_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace rk::build {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

}  // namespace

std::string strip_config_header(const std::string& text) {
  auto lines = lines_of(text);
  if (lines.size() >= 4 && lines[0] == "#" &&
      lines[1] == "# Automatically generated file; DO NOT EDIT." &&
      lines[2].rfind("# Linux/", 0) == 0 &&
      lines[2].find("Kernel Configuration") != std::string::npos && lines[3] == "#") {
    size_t pos = 0;
    for (int i = 0; i < 4; ++i) pos = text.find('\n', pos) + 1;
    return text.substr(pos);
  }
  return text;
}

ConfigComparison compare_configs(const std::string& resolved, const std::string& kbuild) {
  ConfigComparison c;
  std::string a = strip_config_header(resolved), b = strip_config_header(kbuild);
  if (a == b) return c;
  c.equal = false;
  auto la = lines_of(a), lb = lines_of(b);
  std::map<std::string, long> count;
  for (const auto& l : la) ++count[l];
  for (const auto& l : lb) --count[l];
  // Report in each file's own order.
  std::map<std::string, long> left = count;
  for (const auto& l : la)
    if (left[l] > 0 && !l.empty()) {
      c.only_resolved.push_back(l);
      --left[l];
    }
  left = count;
  for (const auto& l : lb)
    if (left[l] < 0 && !l.empty()) {
      c.only_kbuild.push_back(l);
      ++left[l];
    }
  if (c.only_resolved.empty() && c.only_kbuild.empty()) c.order_differs = true;
  return c;
}

std::string describe_difference(const ConfigComparison& c, size_t limit) {
  if (c.equal) return {};
  if (c.order_differs) return "  (the same lines in another order, or blank lines differ)\n";
  std::string out;
  auto side = [&](const std::vector<std::string>& lines, const char* mark) {
    for (size_t i = 0; i < lines.size() && i < limit; ++i)
      out += fmt::format("  {} {}\n", mark, lines[i]);
    if (lines.size() > limit) out += fmt::format("  {} ... {} more\n", mark, lines.size() - limit);
  };
  side(c.only_resolved, "-");
  side(c.only_kbuild, "+");
  return out;
}

}  // namespace rk::build
