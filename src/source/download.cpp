#include "source/download.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "lazy_libs/libcurl.hpp"
#include "source/progress.hpp"
#include "source/util.hpp"

namespace rk::source {

namespace fs = std::filesystem;

namespace {

using lazy_libs::Libcurl;

// libcurl, loaded on first use; a missing library is reported like a missing tool.
const Libcurl& libcurl() {
  try {
    return lazy_libs::libcurl();
  } catch (const lazy_libs::LibraryLoadError& e) {
    throw SourceError(ErrorKind::kToolMissing, e.what());
  }
}

using CurlPtr = std::unique_ptr<CURL, decltype(Libcurl::curl_easy_cleanup)>;

// http://127.0.0.1..., http://localhost..., http://[::1]...: a server on this machine.
bool is_loopback_http(const std::string& url) {
  for (const char* prefix :
       {"http://127.", "http://localhost:", "http://localhost/", "http://[::1]"})
    if (url.rfind(prefix, 0) == 0) return true;
  return false;
}

// curl_easy_setopt is variadic: every value this file passes it has the exact type its option
// takes (long, not int; curl_off_t for *_LARGE).
CurlPtr new_handle(const Libcurl& curl, const std::string& url, const DownloadOptions& o) {
  const bool loopback = is_loopback_http(url);
  if (url.rfind("https://", 0) != 0 && !loopback)
    throw SourceError(ErrorKind::kOther,
                      fmt::format("refusing to download {}: only https URLs are fetched (plain "
                                  "http only from this machine's loopback interface)",
                                  url));
  CurlPtr c(curl.curl_easy_init(), curl.curl_easy_cleanup);
  if (!c) throw SourceError(ErrorKind::kOther, "libcurl: cannot create a handle");
  curl.curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl.curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl.curl_easy_setopt(c.get(), CURLOPT_MAXREDIRS, 10L);
  curl.curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, loopback ? "http,https" : "https");
  curl.curl_easy_setopt(c.get(), CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl.curl_easy_setopt(c.get(), CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_bytes));
  curl.curl_easy_setopt(c.get(), CURLOPT_FAILONERROR, 1L);
  curl.curl_easy_setopt(c.get(), CURLOPT_USERAGENT, "runner-kernel/0.1");
  curl.curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT, o.connect_timeout_s);
  curl.curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl.curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_TIME, o.stall_timeout_s);
  curl.curl_easy_setopt(c.get(), CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
  curl.curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  return c;
}

bool connection_failure(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return true;
    default:
      return false;
  }
}

struct Transfer {
  std::FILE* file = nullptr;
  std::string part;
  std::uint64_t offset = 0;  // bytes on disk before this request
  std::uint64_t written = 0;
  bool checked_space = false;
  int write_errno = 0;
  bool disk_full = false;
  bool too_big = false;
  std::string space_error;
  const Libcurl* libcurl = nullptr;
  CURL* curl = nullptr;
  const DownloadOptions* opts = nullptr;
  Progress* progress = nullptr;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (!t->checked_space) {
    t->checked_space = true;
    curl_off_t cl = -1;
    t->libcurl->curl_easy_getinfo(t->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    if (cl > 0) {
      std::string dir = fs::path(t->part).parent_path().string();
      std::uint64_t avail = t->opts->free_space ? t->opts->free_space(dir) : free_bytes(dir);
      if (avail < static_cast<std::uint64_t>(cl)) {
        t->disk_full = true;
        t->space_error =
            fmt::format("disk full: the download needs {} more in {}, {} free",
                        human_bytes(static_cast<std::uint64_t>(cl)), dir, human_bytes(avail));
        return 0;
      }
    }
  }
  if (t->offset + t->written + len > t->opts->max_bytes) {
    t->too_big = true;  // the server does not say the size, or says less than it sends
    return 0;
  }
  if (std::fwrite(data, 1, len, t->file) != len) {
    t->write_errno = errno;
    if (errno == ENOSPC) t->disk_full = true;
    return 0;
  }
  t->written += len;
  return len;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->opts->cancel && t->opts->cancel->load()) return 1;
  if (t->progress && dlnow > 0)
    t->progress->update(t->offset + static_cast<std::uint64_t>(dlnow),
                        dltotal > 0 ? t->offset + static_cast<std::uint64_t>(dltotal) : 0);
  return 0;
}

std::uint64_t size_of(const std::string& path) {
  std::error_code ec;
  auto s = fs::file_size(path, ec);
  return ec ? 0 : static_cast<std::uint64_t>(s);
}

}  // namespace

DownloadResult download_file(const std::string& url, const std::string& dest,
                             const DownloadOptions& o) {
  DownloadResult result;
  result.path = dest;
  std::error_code ec;
  if (fs::is_regular_file(dest, ec)) {
    result.size = size_of(dest);
    return result;
  }
  fs::create_directories(fs::path(dest).parent_path(), ec);
  const std::string part = dest + ".part";
  result.resumed_from = size_of(part);
  std::string name = fs::path(dest).filename().string();
  const Libcurl& curl = libcurl();
  Progress progress(o.log, o.tty, name, Progress::Unit::kBytes);
  if (result.resumed_from > 0 && o.log)
    std::fprintf(o.log, "%s: resuming an interrupted download at %s\n", name.c_str(),
                 human_bytes(result.resumed_from).c_str());

  int failures = 0;
  for (;;) {
    Transfer t;
    t.part = part;
    t.offset = size_of(part);
    t.opts = &o;
    t.progress = &progress;
    t.file = std::fopen(part.c_str(), t.offset ? "ab" : "wb");
    if (!t.file)
      throw SourceError(errno == ENOSPC ? ErrorKind::kDiskFull : ErrorKind::kOther,
                        fmt::format("cannot write {}: {}", part, std::strerror(errno)));
    CurlPtr c = new_handle(curl, url, o);
    t.libcurl = &curl;
    t.curl = c.get();
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl.curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
    curl.curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, on_write);
    curl.curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &t);
    curl.curl_easy_setopt(c.get(), CURLOPT_NOPROGRESS, 0L);
    curl.curl_easy_setopt(c.get(), CURLOPT_XFERINFOFUNCTION, on_progress);
    curl.curl_easy_setopt(c.get(), CURLOPT_XFERINFODATA, &t);
    if (t.offset > 0)
      curl.curl_easy_setopt(c.get(), CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(t.offset));
    CURLcode rc = curl.curl_easy_perform(c.get());
    ++result.requests;
    long status = 0;
    curl.curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
    bool flushed = std::fflush(t.file) == 0 && ::fsync(::fileno(t.file)) == 0;
    int flush_errno = flushed ? 0 : errno;
    std::fclose(t.file);
    std::string detail = errbuf[0] ? errbuf : curl.curl_easy_strerror(rc);

    if (rc == CURLE_OK && !flushed) {
      rc = CURLE_WRITE_ERROR;
      t.write_errno = flush_errno;
      t.disk_full = flush_errno == ENOSPC;
    }
    if (rc == CURLE_OK) {
      if (::rename(part.c_str(), dest.c_str()) != 0)
        throw SourceError(ErrorKind::kOther,
                          fmt::format("cannot rename {}: {}", part, std::strerror(errno)));
      progress.finish();
      result.size = size_of(dest);
      return result;
    }
    if (t.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
      fs::remove(part, ec);
      throw SourceError(ErrorKind::kOther,
                        fmt::format("refusing {}: it is larger than {}, more than any kernel "
                                    "source; the partial download was deleted",
                                    url, human_bytes(o.max_bytes)));
    }
    if (t.disk_full)
      throw SourceError(ErrorKind::kDiskFull,
                        !t.space_error.empty()
                            ? t.space_error
                            : fmt::format("disk full while writing {} ({} kept; free some space "
                                          "and run again to resume)",
                                          part, human_bytes(size_of(part))));
    if (rc == CURLE_WRITE_ERROR)
      throw SourceError(ErrorKind::kOther,
                        fmt::format("cannot write {}: {}", part, std::strerror(t.write_errno)));
    if (rc == CURLE_ABORTED_BY_CALLBACK)
      throw SourceError(ErrorKind::kInterrupted,
                        fmt::format("download of {} interrupted: {} kept in {}; the next run "
                                    "resumes it",
                                    url, human_bytes(size_of(part)), part));
    if (rc == CURLE_RANGE_ERROR || (rc == CURLE_HTTP_RETURNED_ERROR && status == 416)) {
      // The server cannot resume (or the part is stale): start over, once.
      if (o.log)
        std::fprintf(o.log, "%s: the server did not resume the download; starting over\n",
                     name.c_str());
      fs::remove(part, ec);
      if (++failures > o.max_attempts)
        throw SourceError(ErrorKind::kNetwork, fmt::format("cannot download {}: {}", url, detail));
      continue;
    }
    if (rc == CURLE_HTTP_RETURNED_ERROR || connection_failure(rc) || t.written == 0) {
      // Nothing came through: no network, or an HTTP error; the part (if any) stays.
      if (size_of(part) == 0) fs::remove(part, ec);
      throw SourceError(ErrorKind::kNetwork,
                        rc == CURLE_HTTP_RETURNED_ERROR
                            ? fmt::format("cannot download {}: HTTP {}", url, status)
                            : fmt::format("cannot download {}: {}", url, detail));
    }
    // The connection dropped after some bytes: resume.
    if (++failures >= o.max_attempts)
      throw SourceError(ErrorKind::kInterrupted,
                        fmt::format("download of {} interrupted ({}): {} kept in {}; run again "
                                    "to resume",
                                    url, detail, human_bytes(size_of(part)), part));
    if (o.log)
      std::fprintf(o.log, "%s: connection dropped at %s (%s); resuming\n", name.c_str(),
                   human_bytes(size_of(part)).c_str(), detail.c_str());
  }
}

std::string fetch_text(const std::string& url, const DownloadOptions& o) {
  const Libcurl& curl = libcurl();
  CurlPtr c = new_handle(curl, url, o);
  std::string body;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl.curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl.curl_easy_setopt(c.get(), CURLOPT_TIMEOUT, 120L);
  curl.curl_easy_setopt(
      c.get(), CURLOPT_WRITEFUNCTION, +[](char* d, size_t s, size_t n, void* u) -> size_t {
        auto* b = static_cast<std::string*>(u);
        if (b->size() + s * n > (16u << 20)) return 0;  // not a small text file
        b->append(d, s * n);
        return s * n;
      });
  curl.curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl.curl_easy_perform(c.get());
  if (rc != CURLE_OK) {
    long status = 0;
    curl.curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
    throw SourceError(ErrorKind::kNetwork,
                      rc == CURLE_HTTP_RETURNED_ERROR
                          ? fmt::format("cannot download {}: HTTP {}", url, status)
                          : fmt::format("cannot download {}: {}", url,
                                        errbuf[0] ? errbuf : curl.curl_easy_strerror(rc)));
  }
  return body;
}

}  // namespace rk::source
