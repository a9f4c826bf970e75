// One Kbuild run out of tree: write the resolved .config into O=, `make olddefconfig`, check
// that Kbuild kept it exactly, build the target, check the .config again. Output goes to
// O=/build.log, progress to a ProgressDisplay.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "build/progress.hpp"

namespace rk::build {

struct KbuildJob {
  std::string label;        // progress and error prefix: the variant name
  std::string tree_dir;     // the kernel source (never written)
  std::string build_dir;    // O=, absolute
  std::string srcarch;      // arch/<srcarch>/
  std::string target;       // "vmlinux" or "Image"
  std::string config_text;  // the resolved .config
  // Variables on make's command line: ARCH, CROSS_COMPILE, CC, ..., RUSTC=false, BINDGEN=false.
  std::map<std::string, std::string> make_vars;
  // Added to the environment (KBUILD_BUILD_TIMESTAMP, ...).
  std::vector<std::pair<std::string, std::string>> env;
  int jobs = 1;
  std::FILE* progress = nullptr;  // null: silent
  bool tty = false;
  int progress_interval = 30;  // seconds between lines when not a terminal
};

struct KbuildResult {
  std::string target_path;      // O=/vmlinux or O=/arch/<srcarch>/boot/<target>
  std::string config_path;      // O=/.config
  std::string system_map_path;  // O=/System.map
  std::string log_path;         // O=/build.log
  std::string kernel_release;   // include/config/kernel.release
  std::uint64_t objects = 0;    // objects compiled by this run
  double seconds = 0;
};

// Where Kbuild puts `target` under `build_dir`.
std::string target_path(const std::string& build_dir, const std::string& srcarch,
                        const std::string& target);

// Runs the job. Throws BuildError: kConfigMismatch (listing the differing lines), kKbuild (the
// log's last error lines and its path), kInterrupted, kDiskFull.
KbuildResult run_kbuild(const KbuildJob& job);

// The lines to show when a build failed: the last `n` lines mentioning "error" (any case), or
// the last `n` lines when none does.
std::vector<std::string> failure_excerpt(const std::string& log_text, size_t n = 20);

// KBUILD_BUILD_TIMESTAMP for `epoch`: "Sun Nov 16 10:17:40 UTC 2025" (date(1)'s format, which
// `date -d` reads back).
std::string kbuild_timestamp(std::int64_t epoch);

// Objects of the last successful build (O=/.rk-objects), 0 when unknown.
std::uint64_t expected_objects(const std::string& build_dir);

}  // namespace rk::build
