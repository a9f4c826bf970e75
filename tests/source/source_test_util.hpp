// Helpers for the source stage's tests: temporary directories with RK_CACHE pointing into
// them, a tiny HTTP server on 127.0.0.1 with Range support and a "drop the connection
// half-way" mode, and fake kernel tarballs made with libarchive.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "source/debian.hpp"
#include "source/util.hpp"

namespace rk::source::testing {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << s;
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size())
    s.replace(p, from.size(), to);
  return s;
}

// A temporary directory, removed at the end; RK_CACHE points at <dir>/cache meanwhile.
class TempCache {
 public:
  TempCache() {
    std::string tmpl = (fs::temp_directory_path() / "rk-source-test-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    dir_ = mkdtemp(buf.data());
    const char* old = std::getenv("RK_CACHE");
    if (old) old_ = old, had_old_ = true;
    setenv("RK_CACHE", (dir_ / "cache").c_str(), 1);
  }
  ~TempCache() {
    if (had_old_)
      setenv("RK_CACHE", old_.c_str(), 1);
    else
      unsetenv("RK_CACHE");
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }
  fs::path cache() const { return dir_ / "cache"; }

 private:
  fs::path dir_;
  std::string old_;
  bool had_old_ = false;
};

// Files of a fake kernel tree: path (relative to the top directory) -> content.
using Tree = std::map<std::string, std::string>;

inline Tree fake_kernel(const std::string& version, size_t noise_bytes = 0) {
  unsigned v = 0, p = 0, s = 0;
  std::sscanf(version.c_str(), "%u.%u.%u", &v, &p, &s);
  Tree t;
  t["Makefile"] = "# SPDX-License-Identifier: GPL-2.0\nVERSION = " + std::to_string(v) +
                  "\nPATCHLEVEL = " + std::to_string(p) + "\nSUBLEVEL = " + std::to_string(s) +
                  "\nEXTRAVERSION =\nNAME = Test\n";
  t["README"] = "Linux kernel (fake, for tests)\n";
  std::string foo;
  for (int i = 1; i <= 40; ++i)
    foo += "int line" + std::to_string(i) + " = " + std::to_string(i) + ";\n";
  t["drivers/foo.c"] = foo;
  t["scripts/kconfig/Makefile"] = "# kconfig\n";
  if (noise_bytes) {
    std::mt19937 rng(42);
    std::string noise(noise_bytes, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    t["firmware/blob.bin"] = noise;  // incompressible: the tarball stays big enough to cut
  }
  return t;
}

// A pax tar writer into `out`, xz- or gzip-compressed; close and free it with
// archive_write_close and archive_write_free.
inline archive* open_tar_writer(std::string& out, bool xz) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (xz)
    archive_write_add_filter_xz(a);
  else
    archive_write_add_filter_gzip(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* user, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(user)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  return a;
}

// A .tar.xz (or .tar.gz) of `tree` under `top/`.
inline std::string make_tarball(const std::string& top, const Tree& tree, bool xz = true) {
  std::string out;
  archive* a = open_tar_writer(out, xz);
  std::set<std::string> dirs;
  auto add_dir = [&](const std::string& d) {
    if (!dirs.insert(d).second) return;
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, (d + "/").c_str());
    archive_entry_set_filetype(e, AE_IFDIR);
    archive_entry_set_perm(e, 0755);
    archive_write_header(a, e);
    archive_entry_free(e);
  };
  add_dir(top);
  for (const auto& [path, content] : tree) {
    fs::path rel(path);
    std::string acc = top;
    for (auto it = rel.begin(); std::next(it) != rel.end(); ++it)
      add_dir(acc += "/" + it->string());
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, (top + "/" + path).c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_write_header(a, e);
    archive_write_data(a, content.data(), content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

// One entry of a hand-made tarball: any type, mode and link, to craft what a kernel.org
// tarball never holds.
struct RawEntry {
  std::string path;
  unsigned type = AE_IFREG;  // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO, ...
  unsigned perm = 0644;
  std::string content;   // regular files
  std::string symlink;   // AE_IFLNK: the target
  std::string hardlink;  // a hard link to this earlier path
};

// A .tar.xz of exactly `entries`, in order.
inline std::string make_raw_tarball(const std::vector<RawEntry>& entries) {
  std::string out;
  archive* a = open_tar_writer(out, true);
  for (const auto& r : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, r.path.c_str());
    archive_entry_set_filetype(e, r.type);
    archive_entry_set_perm(e, r.perm);
    if (!r.symlink.empty()) archive_entry_set_symlink(e, r.symlink.c_str());
    if (!r.hardlink.empty()) archive_entry_set_hardlink(e, r.hardlink.c_str());
    if (r.type == AE_IFCHR || r.type == AE_IFBLK) archive_entry_set_rdev(e, makedev(1, 3));
    const bool data = r.type == AE_IFREG && r.hardlink.empty();
    archive_entry_set_size(e, data ? static_cast<la_int64_t>(r.content.size()) : 0);
    archive_write_header(a, e);
    if (data) archive_write_data(a, r.content.data(), r.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

// The entries of a minimal 6.1.192 tree under `top`, to which a test adds one hostile entry.
inline std::vector<RawEntry> kernel_entries(const std::string& top = "linux-6.1.192") {
  std::vector<RawEntry> out{{top, AE_IFDIR, 0755}};
  for (const auto& [path, content] : fake_kernel("6.1.192")) {
    fs::path rel(path);
    std::string acc = top;
    for (auto it = rel.begin(); std::next(it) != rel.end(); ++it) {
      acc += "/" + it->string();
      bool seen = false;
      for (const auto& e : out) seen = seen || e.path == acc;
      if (!seen) out.push_back({acc, AE_IFDIR, 0755});
    }
    out.push_back({top + "/" + path, AE_IFREG, 0644, content});
  }
  return out;
}

// One HTTP/1.1 server thread on 127.0.0.1:<ephemeral port>, one request per connection.
class HttpServer {
 public:
  struct Request {
    std::string path;
    std::string range;  // the Range header's value, "" when absent
  };

  HttpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~HttpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void serve(const std::string& path, std::string body) {
    std::lock_guard<std::mutex> l(mu_);
    files_[path] = std::move(body);
  }
  // The next `times` full (non-range) responses for `path` stop after `bytes` bytes of body.
  void cut_after(const std::string& path, size_t bytes, int times = 1) {
    std::lock_guard<std::mutex> l(mu_);
    cuts_[path] = {bytes, times};
  }
  // Answers `path` with a 302 to `location`.
  void redirect(const std::string& path, const std::string& location) {
    std::lock_guard<std::mutex> l(mu_);
    redirects_[path] = location;
  }
  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  static void send_all(int c, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(c, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  void loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) {
        if (stop_) return;
        continue;
      }
      handle(c);
      ::close(c);
    }
  }

  void handle(int c) {
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      req.append(buf, static_cast<size_t>(n));
    }
    std::istringstream in(req);
    std::string method, path, line;
    in >> method >> path;
    std::getline(in, line);
    Request r{path, ""};
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("Range:", 0) == 0 || line.rfind("range:", 0) == 0) {
        r.range = line.substr(6);
        r.range.erase(0, r.range.find_first_not_of(' '));
      }
    }
    std::string body;
    size_t cut = std::string::npos;
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(r);
      if (auto rd = redirects_.find(path); rd != redirects_.end()) {
        send_all(c, "HTTP/1.1 302 Found\r\nLocation: " + rd->second +
                        "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      auto it = files_.find(path);
      if (it == files_.end()) {
        send_all(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      body = it->second;
      auto ct = cuts_.find(path);
      if (r.range.empty() && ct != cuts_.end() && ct->second.second > 0) {
        cut = ct->second.first;
        --ct->second.second;
      }
    }
    if (!r.range.empty()) {
      size_t from = std::stoul(r.range.substr(r.range.find('=') + 1));
      if (from >= body.size()) {
        send_all(c,
                 "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\nConnection: "
                 "close\r\n\r\n");
        return;
      }
      std::string part = body.substr(from);
      send_all(c, "HTTP/1.1 206 Partial Content\r\nContent-Length: " + std::to_string(part.size()) +
                      "\r\nContent-Range: bytes " + std::to_string(from) + "-" +
                      std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) +
                      "\r\nConnection: close\r\n\r\n");
      send_all(c, part);
      return;
    }
    send_all(c, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n");
    send_all(c, cut == std::string::npos ? body : body.substr(0, cut));
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> files_;
  std::map<std::string, std::pair<size_t, int>> cuts_;
  std::map<std::string, std::string> redirects_;
  std::vector<Request> requests_;
};

// Builds <dir>/<package>_<version>_all.deb holding /usr/src/<package>.tar.xz.
inline std::string build_deb(const fs::path& dir, const std::string& package,
                             const std::string& version, const std::string& kernel_version) {
  fs::path root = dir / "debroot";
  fs::remove_all(root);
  spit(root / "DEBIAN" / "control",
       "Package: " + package + "\nVersion: " + version +
           "\nArchitecture: all\nMaintainer: Test <test@example.org>\nDescription: fake kernel "
           "source for tests\n");
  spit(root / "usr" / "src" / (package + ".tar.xz"),
       make_tarball(package, fake_kernel(kernel_version)));
  fs::path deb = dir / deb_file_name(package, version);
  ToolResult r = run_tool(Tool{"dpkg-deb", "dpkg"}, {"dpkg-deb", "--root-owner-group", "--build",
                                                     root.string(), deb.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return deb.string();
}

}  // namespace rk::source::testing
