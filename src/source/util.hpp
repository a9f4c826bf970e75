// Building blocks of the source stage: its error type, sha256 of files, atomic file writes,
// free-space checks, running external tools (naming the Debian package when one is missing),
// and reading a kernel tree's version from its Makefile.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace rk::source {

// Why a fetch failed; the default route order falls back to Debian only on kNetwork.
enum class ErrorKind {
  kOther,
  kNetwork,      // the source could not be downloaded (no network, HTTP error)
  kChecksum,     // downloaded bytes do not match the pin; nothing was extracted
  kDiskFull,     // not enough space, or ENOSPC while writing
  kInterrupted,  // cancelled or the connection dropped; the next run resumes
  kToolMissing,  // an external program is not installed
  kPatch,        // a patch of the series does not apply
  kVersion,      // the tree or package is not the pinned version
};

class SourceError : public base::StageError<ErrorKind> {
 public:
  using StageError::StageError;
};

// Lowercase hex sha256 of a file's bytes; throws SourceError when it cannot be read.
std::string sha256_file(const std::string& path);
std::string sha256_bytes(const std::string& data);

// Writes `content` to `path` through a temporary file in the same directory, fsync and rename;
// keeps the mode of an existing file. Throws SourceError (kDiskFull on ENOSPC).
void write_file_atomically(const std::string& path, const std::string& content);

std::string read_file(const std::string& path);  // throws SourceError

// Free bytes for an unprivileged writer in the filesystem holding `dir` (or its nearest
// existing parent).
std::uint64_t free_bytes(const std::string& dir);

std::string human_bytes(std::uint64_t n);

// A program the source stage runs, and the Debian package that provides it.
struct Tool {
  std::string program;  // "patch"
  std::string package;  // "patch"
};

struct ToolResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs `args` (args[0] is looked up in PATH) in `cwd` (empty: the current directory), with
// stdin from /dev/null. Throws SourceError(kToolMissing) naming the package when the program
// is not installed.
ToolResult run_tool(const Tool& tool, const std::vector<std::string>& args,
                    const std::string& cwd = {});
bool tool_available(const std::string& program);

// "6.1.192" from a kernel tree's top Makefile (VERSION, PATCHLEVEL, SUBLEVEL; a SUBLEVEL of 0
// reads "6.1"), or nullopt when `dir` is not a kernel tree.
std::optional<std::string> kernel_tree_version(const std::string& dir);

// A fresh directory `<parent>/<prefix>XXXXXX`.
std::string make_temp_dir(const std::string& parent, const std::string& prefix);

}  // namespace rk::source
