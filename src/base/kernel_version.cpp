#include "base/kernel_version.hpp"

#include <charconv>

#include "base/file.hpp"

namespace rk::base {

namespace {

std::string_view trim_blanks(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The value of "KEY = value" when `line` assigns `key`, else nullopt.
std::optional<std::string_view> assigned_value(std::string_view line, std::string_view key) {
  if (line.substr(0, key.size()) != key) return std::nullopt;
  std::string_view rest = line.substr(key.size());
  size_t eq = rest.find_first_not_of(" \t");
  if (eq == std::string_view::npos || rest[eq] != '=') return std::nullopt;
  return trim_blanks(rest.substr(eq + 1));
}

std::optional<int> number(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string MakefileVersion::kernelversion() const {
  std::string out = std::to_string(version) + "." + std::to_string(patchlevel);
  if (sublevel) out += "." + std::to_string(*sublevel);
  return out + extraversion;
}

std::string MakefileVersion::release() const {
  std::string out = std::to_string(version) + "." + std::to_string(patchlevel);
  if (sublevel && *sublevel != 0) out += "." + std::to_string(*sublevel);
  return out;
}

std::optional<MakefileVersion> parse_makefile_version(std::string_view text) {
  std::optional<int> version, patchlevel;
  MakefileVersion out;
  size_t pos = 0;
  for (int n = 0; n < 50 && pos < text.size(); ++n) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (auto v = assigned_value(line, "VERSION")) version = number(*v);
    if (auto v = assigned_value(line, "PATCHLEVEL")) patchlevel = number(*v);
    if (auto v = assigned_value(line, "SUBLEVEL")) out.sublevel = number(*v);
    if (auto v = assigned_value(line, "EXTRAVERSION")) out.extraversion = std::string(*v);
  }
  if (!version || !patchlevel) return std::nullopt;
  out.version = *version;
  out.patchlevel = *patchlevel;
  return out;
}

std::optional<MakefileVersion> read_tree_version(const std::string& tree_dir) {
  auto text = read_file_if_readable(tree_dir + "/Makefile");
  if (!text) return std::nullopt;
  return parse_makefile_version(*text);
}

}  // namespace rk::base
