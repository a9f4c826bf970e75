// Reading kernel source archives with libarchive: tarballs (.tar.xz/.gz/...) and Debian
// linux-source .deb packages (an ar archive whose data.tar holds
// /usr/src/linux-source-X.Y.tar.xz).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <set>
#include <string>

namespace rk::source {

struct ExtractOptions {
  std::FILE* log = stderr;  // progress; null: silent
  bool tty = false;
  const std::atomic<bool>* cancel = nullptr;
  // Space needed is estimated as `space_factor` x the compressed size; extraction refuses to
  // start when less is free (kDiskFull).
  double space_factor = 10;
  std::function<std::uint64_t(const std::string&)> free_space;  // default free_bytes()
};

struct ExtractResult {
  std::uint64_t files = 0;
  std::set<std::string> top_level;  // first path components of the entries
};

// Extracts every entry of `archive_path` under `dest` (an existing directory). Entries with
// absolute paths or ".." are refused. Throws SourceError (kDiskFull on ENOSPC, kInterrupted
// when cancelled); the caller removes `dest` on failure.
ExtractResult extract_archive(const std::string& archive_path, const std::string& dest,
                              const ExtractOptions& options);

struct DebInfo {
  std::string package;
  std::string version;
  std::string architecture;
};

// The control fields of a .deb; throws SourceError when it is not a readable .deb.
DebInfo read_deb_info(const std::string& deb_path);

// Extracts the tarball `inner` (e.g. "usr/src/linux-source-6.1.tar.xz") held in the .deb's
// data archive under `dest`, streaming (nothing but the tree is written). Throws SourceError,
// naming the .deb's files when `inner` is missing.
ExtractResult extract_deb_tarball(const std::string& deb_path, const std::string& inner,
                                  const std::string& dest, const ExtractOptions& options);

}  // namespace rk::source
