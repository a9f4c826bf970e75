// Entry point of the front end: preprocess, lex and parse a Kconfig tree, then finalize it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "kconfig/diagnostics.hpp"
#include "kconfig/parse_cache.hpp"
#include "kconfig/shell.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

// Bounds on the work a Kconfig tree may cause. conf has none (beyond its 1000-deep recursion
// check), so a few lines can make it recurse or grow without end; these sit orders of
// magnitude above what the kernel trees need (their largest macro expansion is ~250 bytes, all
// expansions together ~110 KB, ~1600 files). Exceeding one is a KconfigError.
struct ParseLimits {
  int macro_nesting = 3000;                  // "$(" evaluated inside one another
  size_t expansion_bytes = size_t{1} << 20;  // any single expansion or variable value
  size_t total_expansion_bytes = size_t{64} << 20;
  size_t macro_evaluations = size_t{1} << 20;    // "$(...)" references evaluated
  size_t source_statements = 100000;             // files opened by 'source'
  size_t total_source_bytes = size_t{64} << 20;  // text read, all files together
  size_t warnings = 100000;                      // diagnostics emitted while parsing
  // Steps (expression nodes built, operand pairs compared) spent reproducing conf's
  // simplified dependencies (finalize_tree); the kernel trees finalize in ~50 ms, far below.
  size_t simplify_work = size_t{200} << 20;
};

struct ParseOptions {
  // Top-level Kconfig file as given to conf (relative names are tried in `cwd`, then in
  // `srctree`, exactly like conf's zconf_fopen).
  std::string kconfig = "Kconfig";
  std::string cwd = ".";
  // Value of $srctree; empty when unset (conf then opens files relative to cwd only). When empty,
  // env["srctree"] is used instead.
  std::string srctree;
  // The environment macros see (conf reads getenv()); the CLI passes the process environment.
  Environment env;
  ShellRunner* shell = nullptr;  // required
  Diagnostics* diag = nullptr;   // required

  // Kernel release whose Kconfig dialect to follow. When unset: env KERNELVERSION, else
  // VERSION/PATCHLEVEL of $srctree/Makefile, else of ./Makefile, else 6.12.
  std::optional<Dialect> dialect;
  // Receives each $(info,...) line (conf prints them on stdout). Null discards them.
  std::function<void(const std::string&)> info;
  // Reads a Kconfig file: returns false when `path` cannot be opened. Null reads the file
  // system (regular files only). Tests and the fuzzer plug in an in-memory tree.
  std::function<bool(const std::string& path, std::string& contents)> read_file;
  // Where parsed trees are kept between runs (see parse_cache.hpp); null parses every time.
  // Not used with `read_file` (nothing to check the files against) or without `finalize`.
  SnapshotStore* snapshots = nullptr;
  // False stops after parsing, before finalize_tree(): tests use it to look at the tree as the
  // grammar built it.
  bool finalize = true;
  ParseLimits limits;
};

// Throws KconfigError on a fatal error (syntax error, missing source file, recursive inclusion,
// $(error-if), dependency loop...). For the front end's errors what() is exactly the text conf
// prints to stderr for the first error (one or more lines, no trailing newline); conf keeps
// going after some errors and reports more, we stop at the first. Warnings, printed as they
// come, go to options.diag.
std::unique_ptr<Tree> parse_kconfig(const ParseOptions& options);

}  // namespace rk::kconfig
