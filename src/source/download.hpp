// Resumable HTTP(S) downloads with libcurl.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace rk::source {

struct DownloadOptions {
  std::FILE* log = stderr;                    // progress and notes; null: silent
  bool tty = false;                           // progress bar instead of periodic lines
  const std::atomic<bool>* cancel = nullptr;  // set (e.g. by SIGINT): stop, keep the part
  int max_attempts = 3;                       // attempts that each made progress before giving up
  long connect_timeout_s = 20;
  long stall_timeout_s = 60;  // abort when under 1 byte/s for this long
  // The most a download may be: kernel tarballs and linux-source packages are 100-200 MiB; a
  // server sending more is not serving a kernel.
  std::uint64_t max_bytes = std::uint64_t{1} << 30;
  // Free space in a directory (tests override it); default free_bytes().
  std::function<std::uint64_t(const std::string&)> free_space;
};

struct DownloadResult {
  std::string path;
  std::uint64_t size = 0;
  std::uint64_t resumed_from = 0;  // bytes already on disk when this call started
  int requests = 0;
};

// Only https is fetched, and redirects are followed only to https: a plain-http hop would let
// anyone on the path swap the bytes before the pin or signature check, and an ftp or file hop
// is never a kernel mirror. The one exception is http on the loopback interface (a local
// mirror, the tests' server), whose redirects still must be https.
//
// Downloads `url` to `dest`. Bytes go to `dest + ".part"`, which a later call resumes with a
// Range request (a server ignoring ranges restarts it); the part is renamed to `dest` only when
// complete. An existing `dest` is returned as is: the caller verifies it. Throws SourceError:
// kNetwork (cannot connect, HTTP error), kInterrupted (connection dropped repeatedly or
// cancelled: the part is kept), kDiskFull, kOther (a URL that is not https, a download over
// max_bytes: the part is deleted).
DownloadResult download_file(const std::string& url, const std::string& dest,
                             const DownloadOptions& options);

// A small file (e.g. sha256sums.asc) into memory; throws SourceError(kNetwork).
std::string fetch_text(const std::string& url, const DownloadOptions& options);

}  // namespace rk::source
