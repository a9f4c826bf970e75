#include "build/toolchain.hpp"

#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "build/error.hpp"
#include "build/process.hpp"

namespace rk::build {

namespace fs = std::filesystem;

std::string gcc_package(const std::string& cross) {
  if (cross.empty()) return "gcc";
  std::string triplet = cross;
  if (!triplet.empty() && triplet.back() == '-') triplet.pop_back();
  for (char& c : triplet)
    if (c == '_') c = '-';
  return "gcc-" + triplet;
}

bool in_path(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) dir = ".";
    std::string p = dir + "/" + program;
    std::error_code ec;
    if (fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::vector<Requirement> missing_requirements(const std::string& cross, const std::string& path,
                                              const std::vector<std::string>& include_dirs) {
  std::string binutils = cross.empty() ? "binutils" : "binutils-" + gcc_package(cross).substr(4);
  std::vector<Requirement> programs = {
      {cross + "gcc", gcc_package(cross)},
      {cross + "ld", binutils},
      {"gcc", "gcc"},  // HOSTCC: scripts/ and tools run on the build machine
      {"make", "make"},
      {"bc", "bc"},
      {"flex", "flex"},
      {"bison", "bison"},
      {"perl", "perl"},
  };
  std::vector<Requirement> missing;
  for (const auto& r : programs) {
    bool dup = false;
    for (const auto& m : missing) dup |= m.what == r.what;
    if (!dup && !in_path(r.what, path)) missing.push_back(r);
  }
  // Host headers: objtool and resolve_btfids need libelf, extract-cert and sign-file OpenSSL.
  std::vector<Requirement> headers = {{"gelf.h", "libelf-dev"},
                                      {"openssl/opensslv.h", "libssl-dev"}};
  for (const auto& h : headers) {
    bool found = false;
    for (const auto& dir : include_dirs) {
      std::error_code ec;
      found |= fs::exists(fs::path(dir) / h.what, ec);
    }
    if (!found) missing.push_back(h);
  }
  return missing;
}

void require_toolchain(const std::string& cross, const std::string& path,
                       const std::vector<std::string>& include_dirs) {
  auto missing = missing_requirements(cross, path, include_dirs);
  if (missing.empty()) return;
  std::string list, packages;
  for (const auto& m : missing) {
    list += fmt::format("  {} (Debian package {})\n", m.what, m.package);
    if (packages.find(" " + m.package + " ") == std::string::npos &&
        packages.rfind(m.package + " ", 0) != 0)
      packages += m.package + " ";
  }
  if (!packages.empty()) packages.pop_back();
  throw BuildError(ErrorKind::kToolMissing,
                   fmt::format("Kbuild needs programs and headers that are not installed:\n{}"
                               "install them with: apt-get install {}",
                               list, packages));
}

std::string ccache_dir() {
  if (const char* d = std::getenv("CCACHE_DIR"); d && *d) return d;
  std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
  std::error_code ec;
  if (!home.empty() && fs::is_directory(home + "/.ccache", ec) &&
      !fs::exists(home + "/.cache/ccache", ec))
    return home + "/.ccache";
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/ccache";
  return home + "/.cache/ccache";
}

bool ccache_warm(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  // ccache 4 keeps results as <hex>/<hex>/<hash>R (and manifests ...M) files under 16
  // subdirectories; stats, config and lock files do not count.
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (name == "stats" || name == "ccache.conf" || name.ends_with(".lock") ||
        name.ends_with(".tmp") || name == "CACHEDIR.TAG" || name.starts_with("stats"))
      continue;
    return true;
  }
  return false;
}

bool use_ccache(CcachePolicy policy, const std::string& path, std::string* why) {
  auto say = [&](const std::string& s) {
    if (why) *why = s;
  };
  if (policy == CcachePolicy::kOff) {
    say("ccache off (--no-ccache)");
    return false;
  }
  if (!in_path("ccache", path)) {
    say(policy == CcachePolicy::kOn ? "ccache asked for but not installed (apt-get install ccache)"
                                    : "ccache not installed");
    return false;
  }
  if (const char* d = std::getenv("CCACHE_DISABLE"); d && *d && std::string(d) != "0") {
    say("ccache disabled by CCACHE_DISABLE");
    return false;
  }
  if (policy == CcachePolicy::kOn) {
    say("ccache on (--ccache)");
    return true;
  }
  std::string dir = ccache_dir();
  if (ccache_warm(dir)) {
    say("ccache on (warm cache in " + dir + ")");
    return true;
  }
  say("ccache off (cold cache; --ccache to fill it)");
  return false;
}

int machine_jobs() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

std::string version_line(const std::string& program) {
  int code = 0;
  std::string out = capture({program, "--version"}, &code);
  if (code != 0) return {};
  return out.substr(0, out.find('\n'));
}

}  // namespace rk::build
