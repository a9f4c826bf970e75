// The release of a kernel tree, read from the assignments at the top of its Makefile
// ("VERSION = 6", "PATCHLEVEL = 1", "SUBLEVEL = 192", "EXTRAVERSION = -rc1").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rk::base {

struct MakefileVersion {
  int version = 0;
  int patchlevel = 0;
  std::optional<int> sublevel;  // absent in some trees' Makefiles
  std::string extraversion;

  // The Makefile's own $(KERNELVERSION): "6.1.192-rc1", "6.1.0" (SUBLEVEL 0 is kept).
  std::string kernelversion() const;
  // The release as kernel.org and the matrix name it: "6.1.192", and "6.1" for SUBLEVEL 0.
  std::string release() const;
};

// The version assignments in the first 50 lines of `makefile_text`, or nullopt when VERSION or
// PATCHLEVEL is missing or not a number (not a kernel Makefile).
std::optional<MakefileVersion> parse_makefile_version(std::string_view makefile_text);

// The same for `<tree_dir>/Makefile`; nullopt also when the file cannot be read.
std::optional<MakefileVersion> read_tree_version(const std::string& tree_dir);

}  // namespace rk::base
