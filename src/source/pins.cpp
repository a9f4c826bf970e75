#include "source/pins.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>

#include "source/util.hpp"

namespace rk::source {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& msg) {
  throw SourceError(ErrorKind::kOther, fmt::format("{}: {}", path, msg));
}

// Byte offset of a toml++ position (1-based line, 1-based column counted in code points).
size_t offset_of(const std::string& text, toml::source_position pos) {
  size_t off = 0;
  for (toml::source_index line = 1; line < pos.line; ++line) {
    off = text.find('\n', off);
    if (off == std::string::npos) return std::string::npos;
    ++off;
  }
  for (toml::source_index col = 1; col < pos.column; ++col) {
    if (off >= text.size() || text[off] == '\n') return std::string::npos;
    ++off;
    while (off < text.size() && (static_cast<unsigned char>(text[off]) & 0xC0) == 0x80) ++off;
  }
  return off;
}

// End (one past the closing quote) of the single-line string literal starting at `start`.
size_t string_end(const std::string& text, size_t start) {
  char q = text[start];
  if (text.compare(start, 3, std::string(3, q)) == 0) return std::string::npos;  // multi-line
  for (size_t i = start + 1; i < text.size(); ++i) {
    if (text[i] == '\n') return std::string::npos;
    if (q == '"' && text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] == q) return i + 1;
  }
  return std::string::npos;
}

std::string quoted(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string apply_one(const std::string& text, const std::string& path, const PinEdit& e) {
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& err) {
    fail(path, std::string(err.description()));
  }
  std::string where = e.table.empty() ? fmt::format("[branch.\"{}\"]", e.branch)
                                      : fmt::format("[branch.\"{}\"].{}", e.branch, e.table);
  auto branch_view = doc["branch"][e.branch];
  toml::node* table_node = e.table.empty() ? branch_view.node() : branch_view[e.table].node();
  if (!table_node || !table_node->is_table()) fail(path, fmt::format("no table {}", where));
  toml::table& table = *table_node->as_table();
  std::string out;
  if (toml::node* value = table.get(e.key)) {
    if (!value->is_string()) fail(path, fmt::format("{}.{} is not a string", where, e.key));
    size_t start = offset_of(text, value->source().begin);
    size_t end = start == std::string::npos || start >= text.size() ||
                         (text[start] != '"' && text[start] != '\'')
                     ? std::string::npos
                     : string_end(text, start);
    if (end == std::string::npos)
      fail(path, fmt::format("cannot locate the string {}.{} to edit it", where, e.key));
    out = text.substr(0, start) + quoted(e.value) + text.substr(end);
  } else {
    if (!table.is_inline())
      fail(path,
           fmt::format("{} has no {}: add `{} = \"\"` to it and run again", where, e.key, e.key));
    size_t end = offset_of(text, table.source().end);
    if (end == std::string::npos || end == 0) fail(path, fmt::format("cannot locate {}", where));
    size_t close = text.rfind('}', end);
    if (close == std::string::npos) fail(path, fmt::format("cannot locate {}", where));
    size_t insert = close;
    while (insert > 0 && (text[insert - 1] == ' ' || text[insert - 1] == '\t')) --insert;
    std::string sep = text[insert - 1] == '{' ? " " : ", ";
    out = text.substr(0, insert) + sep + e.key + " = " + quoted(e.value) + text.substr(insert);
  }
  // The edit must change exactly that value.
  toml::table expected = doc;
  auto expected_branch = expected["branch"][e.branch];
  (e.table.empty() ? expected_branch.as_table() : expected_branch[e.table].as_table())
      ->insert_or_assign(e.key, e.value);
  toml::table got;
  try {
    got = toml::parse(out, path);
  } catch (const toml::parse_error& err) {
    fail(path, fmt::format("editing {}.{} would break the file ({}); left unchanged", where, e.key,
                           err.description()));
  }
  if (got != expected)
    fail(path, fmt::format("editing {}.{} would change more than that value; left unchanged", where,
                           e.key));
  return out;
}

}  // namespace

std::string apply_pin_edits(const std::string& text, const std::string& path,
                            const std::vector<PinEdit>& edits) {
  std::string out = text;
  for (const auto& e : edits) out = apply_one(out, path, e);
  return out;
}

void write_pins(const std::string& matrix_path, const std::vector<PinEdit>& edits) {
  std::string text = read_file(matrix_path);
  std::string out = apply_pin_edits(text, matrix_path, edits);
  if (out != text) write_file_atomically(matrix_path, out);
}

}  // namespace rk::source
