// The environment Kbuild gives scripts/kconfig for a variant (ARCH, SRCARCH, srctree,
// KERNELVERSION, the toolchain's names and version texts), computed without running make, so
// the engine sees what conf sees under `make ARCH=... CROSS_COMPILE=... olddefconfig`.
#pragma once

#include <string>

#include "kconfig/shell.hpp"
#include "variants/matrix.hpp"

namespace rk::variants {

// `uname -m` of this machine.
std::string host_machine();

// CROSS_COMPILE for building `arch` on a host whose `uname -m` is `host`: empty when the host
// builds it natively.
std::string cross_compile_for(const ArchSpec& arch, const std::string& host);

// VERSION.PATCHLEVEL.SUBLEVEL plus EXTRAVERSION from the tree's top-level Makefile, as Kbuild
// forms KERNELVERSION. Throws VariantsError when the Makefile cannot be read.
std::string tree_kernel_version(const std::string& tree_dir);

// The variables Kconfig files read. Version texts (CC_VERSION_TEXT, RUSTC_VERSION_TEXT) come
// from the same commands the kernel's Makefile runs, through `shell`, so a toolchain profile
// records and replays them like any $(shell,...) macro.
kconfig::Environment kbuild_environment(const ArchSpec& arch, const std::string& tree_dir,
                                        const std::string& host, kconfig::ShellRunner& shell);

}  // namespace rk::variants
