#include "kconfig/toolchain_profile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/file.hpp"
#include "base/text.hpp"
#include "kconfig/diagnostics.hpp"

namespace rk::kconfig {

namespace {

constexpr std::string_view kMagic = "rk-toolchain-profile 1";

// The profile's escapes: backslash, newline, return and tab by name, other control characters
// as \xNN. Profiles are committed files: this spelling must not change.
void escape_into(std::string& out, std::string_view raw) {
  base::append_escaped(out, raw, '\0', "\\x");
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Returns false on a malformed escape.
bool unescape(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    if (++i >= in.size()) return false;
    switch (in[i]) {
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'x': {
        if (i + 2 >= in.size()) return false;
        int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

ToolchainProfile ToolchainProfile::load(const std::string& path) {
  std::string text;
  try {
    text = base::read_file(path);
  } catch (const base::FileError& e) {
    throw KconfigError(std::string("can't read the toolchain profile: ") + e.what());
  }
  return parse(text, path);
}

ToolchainProfile ToolchainProfile::parse(std::string_view text, const std::string& origin) {
  ToolchainProfile p;
  p.origin_ = origin;
  bool seen_magic = false;
  std::optional<std::string> pending_command;
  int lineno = 0;
  auto bad = [&](const std::string& why) -> KconfigError {
    return KconfigError("toolchain profile " + origin + ":" + std::to_string(lineno) + ": " + why);
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    if (!seen_magic) {
      if (line != kMagic)
        throw bad("not a toolchain profile (expected \"" + std::string(kMagic) + "\")");
      seen_magic = true;
      continue;
    }
    if (line.size() < 2 || line[1] != ' ' || (line[0] != '$' && line[0] != '>'))
      throw bad("expected \"$ <command>\" or \"> <output>\"");
    std::string value;
    if (!unescape(line.substr(2), value)) throw bad("bad escape sequence");
    if (line[0] == '$') {
      if (pending_command) throw bad("command without output");
      pending_command = std::move(value);
    } else {
      if (!pending_command) throw bad("output without command");
      p.add(*pending_command, value);
      pending_command.reset();
    }
  }
  if (!seen_magic) {
    lineno = 1;
    throw bad("not a toolchain profile (expected \"" + std::string(kMagic) + "\")");
  }
  if (pending_command) throw bad("command without output");
  return p;
}

std::string ToolchainProfile::serialize() const {
  std::string out;
  out += "# Results of the $(shell,...) macros of a Kconfig tree (runner-kernel).\n";
  out += kMagic;
  out += '\n';
  for (const auto& [command, output] : entries_) {
    out += "$ ";
    escape_into(out, command);
    out += "\n> ";
    escape_into(out, output);
    out += '\n';
  }
  return out;
}

void ToolchainProfile::save(const std::string& path) const {
  try {
    base::write_file_atomically(path, serialize(), {.create_directories = false});
  } catch (const base::FileError& e) {
    throw KconfigError(std::string("can't write the toolchain profile: ") + e.what());
  }
}

const std::string* ToolchainProfile::find(std::string_view command) const {
  auto it = index_.find(std::string(command));
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

bool ToolchainProfile::add(const std::string& command, const std::string& output) {
  if (index_.count(command)) return false;
  index_.emplace(command, entries_.size());
  entries_.emplace_back(command, output);
  return true;
}

std::string RecordingShell::run(const std::string& command, const Environment& env,
                                const std::string& cwd) {
  std::string output = inner_.run(command, env, cwd);
  profile_.add(command, output);
  return output;
}

std::vector<std::optional<std::string>> RecordingShell::run_each(
    const std::vector<std::string>& commands, const Environment& env, const std::string& cwd) {
  auto outputs = inner_.run_each(commands, env, cwd);
  for (size_t i = 0; i < commands.size(); ++i)
    if (outputs[i]) profile_.add(commands[i], *outputs[i]);
  return outputs;
}

std::string ReplayShell::run(const std::string& command, const Environment&, const std::string&) {
  if (const std::string* output = profile_.find(command)) return *output;
  if (fallback_) return *fallback_;
  const std::string& file =
      profile_.origin().empty() ? std::string("(in memory)") : profile_.origin();
  throw KconfigError("toolchain profile " + file + " has no result for $(shell," + command +
                     "): re-record it with 'runner-kernel kconfig --record-profile " + file +
                     " ...'");
}

std::string SrctreeMarkShell::translate(const std::string& command) const {
  if (tree_dir_.size() < 2 || tree_dir_[0] != '/') return command;
  const std::string_view from = to_mark_ ? std::string_view(tree_dir_) : kSrctreeMark;
  const std::string_view to = to_mark_ ? kSrctreeMark : std::string_view(tree_dir_);
  std::string s = command;
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

std::string SrctreeMarkShell::run(const std::string& command, const Environment& env,
                                  const std::string& cwd) {
  return next_.run(translate(command), env, cwd);
}

std::vector<std::optional<std::string>> SrctreeMarkShell::run_each(
    const std::vector<std::string>& commands, const Environment& env, const std::string& cwd) {
  std::vector<std::string> translated;
  translated.reserve(commands.size());
  for (const auto& c : commands) translated.push_back(translate(c));
  return next_.run_each(translated, env, cwd);
}

}  // namespace rk::kconfig
