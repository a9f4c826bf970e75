// How $(shell,...) macros run. conf runs them with popen(); toolchain profiles record those
// results once and replay them, so a variant resolves without the (cross) compiler it probes
// and a warm run spawns no process.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rk::kconfig {

using Environment = std::map<std::string, std::string>;

class ShellRunner {
 public:
  virtual ~ShellRunner() = default;
  // Runs `command` with /bin/sh in `cwd` with exactly `env`, returning its standard output with
  // conf's post-processing (newlines become spaces, one trailing newline dropped).
  virtual std::string run(const std::string& command, const Environment& env,
                          const std::string& cwd) = 0;

  // Runs independent commands, each as run() would; a command that run() would have thrown
  // for gets no output. Which order they run in, and whether at the same time, is the
  // runner's choice, so only commands that cannot see each other's effects belong together:
  // the parsed-tree cache uses this to ask again every command a parse ran, whose answers it
  // only compares.
  virtual std::vector<std::optional<std::string>> run_each(const std::vector<std::string>& commands,
                                                           const Environment& env,
                                                           const std::string& cwd);
};

}  // namespace rk::kconfig
