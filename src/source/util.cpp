#include "source/util.hpp"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "base/file.hpp"
#include "base/kernel_version.hpp"
#include "lazy_libs/sha256.hpp"
#include "process/run.hpp"

namespace rk::source {

namespace fs = std::filesystem;

std::string sha256_file(const std::string& path) {
  try {
    return lazy_libs::sha256_file_hex(path);
  } catch (const std::system_error& e) {
    throw SourceError(ErrorKind::kOther, e.what());
  }
}

std::string sha256_bytes(const std::string& data) {
  return lazy_libs::sha256_hex(data);
}

namespace {

// The source stage reports file errors as its own: a full disk is kDiskFull (the fetch is
// resumable once space is freed), anything else kOther.
SourceError source_error(const base::FileError& e) {
  return SourceError(e.disk_full() ? ErrorKind::kDiskFull : ErrorKind::kOther, e.what());
}

}  // namespace

std::string read_file(const std::string& path) {
  try {
    return base::read_file(path);
  } catch (const base::FileError& e) {
    throw source_error(e);
  }
}

void write_file_atomically(const std::string& path, const std::string& content) {
  try {
    base::write_file_atomically(path, content);
  } catch (const base::FileError& e) {
    throw source_error(e);
  }
}

std::uint64_t free_bytes(const std::string& dir) {
  fs::path p(dir);
  std::error_code ec;
  while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
  struct statvfs sv {};
  if (::statvfs(p.empty() ? "." : p.c_str(), &sv) != 0) return UINT64_MAX;
  return static_cast<std::uint64_t>(sv.f_bavail) * sv.f_frsize;
}

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

bool tool_available(const std::string& program) {
  return !process::find_executable(program).empty();
}

ToolResult run_tool(const Tool& tool, const std::vector<std::string>& args,
                    const std::string& cwd) {
  if (args.empty() || !tool_available(args[0]))
    throw SourceError(ErrorKind::kToolMissing,
                      fmt::format("`{}` is not installed: install the Debian package `{}` "
                                  "(apt-get install {})",
                                  tool.program, tool.package, tool.package));
  ToolResult r;
  process::Handlers handlers;
  handlers.on_output = [&r](std::string_view chunk) {
    r.output.append(chunk);
    return process::Verdict::keep_going;
  };
  process::Outcome outcome = process::run({args, cwd, {}}, handlers);
  if (!outcome.started)
    throw SourceError(ErrorKind::kOther,
                      fmt::format("cannot run {}: {}", tool.program, outcome.start_error));
  r.exit_code = outcome.exited ? outcome.exit_code : 128 + outcome.signal;
  return r;
}

std::optional<std::string> kernel_tree_version(const std::string& dir) {
  auto version = base::read_tree_version(dir);
  // A tree's Makefile always has SUBLEVEL; without it this is not a kernel tree.
  if (!version || !version->sublevel) return std::nullopt;
  return version->release();
}

std::string make_temp_dir(const std::string& parent, const std::string& prefix) {
  std::error_code ec;
  fs::create_directories(parent, ec);
  std::string tmpl = (fs::path(parent) / (prefix + "XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  if (!::mkdtemp(name.data()))
    throw SourceError(
        errno == ENOSPC ? ErrorKind::kDiskFull : ErrorKind::kOther,
        fmt::format("cannot create a directory in {}: {}", parent, std::strerror(errno)));
  return name.data();
}

}  // namespace rk::source
