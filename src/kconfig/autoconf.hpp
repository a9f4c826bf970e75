// What conf writes for Kbuild next to .config (conf_write_autoconf): include/config/auto.conf,
// include/generated/autoconf.h, include/generated/rustc_cfg (6.1+), include/config/auto.conf.cmd
// and the per-symbol dependency files under include/config/ that Kbuild's fixdep relies on
// (touched for every symbol whose value changed since the previous auto.conf).
//
// The engine plans; the caller applies the plan (writes files, touches dependency files).
#pragma once

#include <string>
#include <vector>

#include "kconfig/confdata.hpp"
#include "kconfig/config.hpp"
#include "kconfig/shell.hpp"

namespace rk::kconfig {

struct AutoconfPlan {
  bool skip = false;  // auto.conf exists and overwriting was not asked for: conf does nothing
  // Files in the order conf writes them (auto.conf.cmd first, auto.conf last), paths as conf
  // uses them (relative to the working directory unless configured absolute).
  std::vector<std::pair<std::string, std::string>> files;
  // Dependency files to create empty (or truncate), in the order conf touches them.
  std::vector<std::string> touch;
  // 5.10 creates missing directories for the dependency files (include/config/foo/bar.h).
  bool touch_makes_dirs = false;
};

// conf_write_autoconf(overwrite) after the configuration was written: reads the previous
// auto.conf ($KCONFIG_AUTOCONFIG, default include/config/auto.conf) to find what changed.
// `overwrite` is true for syncconfig; otherwise an existing auto.conf is left alone. Like conf,
// this re-evaluates the configuration (5.10 and 6.1 recompute every value after reading the old
// auto.conf).
AutoconfPlan plan_autoconf(Config& config, const FileAccess& files, const Environment& env,
                           bool overwrite);

// Writes and touches what `plan` says, creating parent directories; files are replaced through
// a temporary name. Returns false (with `error`) at the first failure, like conf stops.
bool apply_autoconf(const AutoconfPlan& plan, const std::string& cwd, std::string& error);

}  // namespace rk::kconfig
