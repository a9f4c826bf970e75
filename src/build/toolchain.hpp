// What a Kbuild run needs from the machine: the (cross) compiler and the tools and headers
// Kbuild uses, each named with the Debian package that provides it; ccache; the job count.
#pragma once

#include <string>
#include <vector>

namespace rk::build {

struct Requirement {
  std::string what;     // "aarch64-linux-gnu-gcc", "gelf.h"
  std::string package;  // Debian package: "gcc-aarch64-linux-gnu", "libelf-dev"
};

// The Debian package of the gcc for CROSS_COMPILE `cross` ("" is the native gcc):
// "aarch64-linux-gnu-" -> "gcc-aarch64-linux-gnu", "x86_64-linux-gnu-" -> "gcc-x86-64-linux-gnu".
std::string gcc_package(const std::string& cross);

// Programs and headers Kbuild needs for CROSS_COMPILE `cross` that are missing: programs are
// looked up in `path` (a PATH value), headers in `include_dirs`.
std::vector<Requirement> missing_requirements(const std::string& cross, const std::string& path,
                                              const std::vector<std::string>& include_dirs);

// Throws BuildError(kToolMissing) listing every missing requirement and the apt-get command.
void require_toolchain(const std::string& cross, const std::string& path,
                       const std::vector<std::string>& include_dirs = {"/usr/include",
                                                                       "/usr/local/include"});

// Whether `program` is an executable file in one of `path`'s directories.
bool in_path(const std::string& program, const std::string& path);

enum class CcachePolicy { kAuto, kOn, kOff };

// Whether to build through ccache: never when it is not installed (or `policy` is kOff);
// always when kOn; with kAuto only when its cache already holds objects (a cold cache makes a
// build about 60% slower, so CI never pays for it by default). `why` says why.
bool use_ccache(CcachePolicy policy, const std::string& path, std::string* why = nullptr);

// ccache's cache directory (CCACHE_DIR, else XDG_CACHE_HOME/ccache, else ~/.cache/ccache, else
// ~/.ccache when it exists) and whether it holds cached results.
std::string ccache_dir();
bool ccache_warm(const std::string& dir);

// CPUs this process may run on (like nproc).
int machine_jobs();

// First line of `program --version` ("" when it cannot run).
std::string version_line(const std::string& program);

}  // namespace rk::build
