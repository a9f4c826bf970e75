// Building a guest root filesystem image from a Recipe: mmdebstrap installs the packages from
// the Debian mirror into a tarball, the installed versions are checked against (or, on an
// explicit update, written to) the lock file, and the tarball becomes an ext4 image with
// `mkfs.ext4 -d` under fakeroot, so no step needs a loop mount or real root. Images are cached
// under cache_root()/rootfs/, keyed by the recipe and the lock; an image is written to a
// temporary file and renamed into place, so a reader never sees half of one.
#pragma once

#include <cstdio>
#include <string>

#include "rootfs/lock.hpp"
#include "rootfs/recipe.hpp"

namespace rk::rootfs {

struct BuildOptions {
  std::string lock_path;  // rootfs/<arch>.lock in the repository
  std::string cache_dir;  // images and scratch; default: source::cache_root() + "/rootfs"
  bool update = false;    // write the lock from what was installed instead of enforcing it
  std::string mmdebstrap = "mmdebstrap";  // the program (tests pass a fake)
  FILE* log = stderr;                     // progress lines; nullptr: quiet
  std::string update_command;  // what errors tell the user to run ("": the plain command)
};

struct BuildResult {
  std::string image;  // path of the ext4 image
  bool cached = false;
  bool lock_written = false;
  size_t packages = 0;  // installed packages (0 when cached)
};

// Throws RootfsError: bad recipe, missing tool (naming its Debian package), a foreign arch the
// host cannot run, mmdebstrap or mkfs failing (with the end of their output), or installed
// versions that differ from the lock without `update` (refusal_message()).
BuildResult build_rootfs(const Recipe& recipe, const BuildOptions& options);

// The image a build with these inputs would produce (whether it exists or not).
std::string image_path(const Recipe& recipe, const std::string& lock_text,
                       const std::string& cache_dir);

// Whether this host can run programs of Debian arch `debian_arch`: its own arch, or a
// binfmt_misc handler named qemu-<cpu> that is enabled. `why_not` says what to install.
bool host_runs_arch(const std::string& debian_arch, std::string* why_not);

}  // namespace rk::rootfs
