// Entry point of the front end: preprocess, lex and parse a Kconfig tree, then finalize it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "kconfig/diagnostics.hpp"
#include "kconfig/shell.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

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
  // False stops after parsing, before finalize_tree(): tests use it to look at the tree as the
  // grammar built it.
  bool finalize = true;
};

// Throws KconfigError on a fatal error (syntax error, missing source file, recursive inclusion,
// $(error-if), dependency loop...). For the front end's errors what() is exactly the text conf
// prints to stderr for the first error (one or more lines, no trailing newline); conf keeps
// going after some errors and reports more, we stop at the first. Warnings, printed as they
// come, go to options.diag.
std::unique_ptr<Tree> parse_kconfig(const ParseOptions& options);

}  // namespace rk::kconfig
