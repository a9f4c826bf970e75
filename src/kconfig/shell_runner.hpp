// The ShellRunner implementations: LiveShell runs commands like conf's popen(); RecordingShell
// and ReplayShell (toolchain_profile.hpp) record and replay their results.
#pragma once

#include <string>
#include <string_view>

#include "kconfig/shell.hpp"
#include "kconfig/toolchain_profile.hpp"

namespace rk::kconfig {

// Runs `/bin/sh -c COMMAND` in the given directory with exactly the given environment. Standard
// error and standard input are shared with this process, as popen() shares them with conf.
class LiveShell : public ShellRunner {
 public:
  std::string run(const std::string& command, const Environment& env,
                  const std::string& cwd) override;
  std::vector<std::optional<std::string>> run_each(const std::vector<std::string>& commands,
                                                   const Environment& env,
                                                   const std::string& cwd) override;
};

// conf's treatment of what a $(shell,...) command printed (preprocess.c, do_shell): only the
// first 4095 bytes count, trailing newlines go, the remaining newlines become spaces, and the
// text ends at the first NUL byte (it is handled as a C string from there on).
std::string shell_output_as_conf_sees_it(std::string_view raw);

}  // namespace rk::kconfig
