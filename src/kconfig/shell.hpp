// How $(shell,...) macros run. conf runs them with popen(); toolchain profiles record those
// results once and replay them, so a variant resolves without the (cross) compiler it probes
// and a warm run spawns no process.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace rk::kconfig {

using Environment = std::map<std::string, std::string>;

class ShellRunner {
 public:
  virtual ~ShellRunner() = default;
  // Runs `command` with /bin/sh in `cwd` with exactly `env`, returning its standard output with
  // conf's post-processing (newlines become spaces, one trailing newline dropped).
  virtual std::string run(const std::string& command, const Environment& env,
                          const std::string& cwd) = 0;
};

}  // namespace rk::kconfig
