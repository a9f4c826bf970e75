// `runner-kernel build`'s library entry: build one variant of the matrix, reproducibly, from
// its resolved configuration, and write its artifacts to out/<branch>/<arch>/.
//
// Reproducibility: every input of the kernel image is fixed. KBUILD_BUILD_TIMESTAMP (and
// SOURCE_DATE_EPOCH) is SOURCE_DATE_EPOCH when the caller sets it, else the modification time
// of the source tree's top-level Makefile (the release's, kept by tar from the kernel.org
// tarball or the Debian package); KBUILD_BUILD_USER/HOST are "runner-kernel",
// KBUILD_BUILD_VERSION is 1; KCFLAGS maps the tree's and O='s absolute paths away
// (-ffile-prefix-map) so neither leaks into the image; LC_ALL=C.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "build/artifacts.hpp"
#include "build/kbuild.hpp"
#include "build/toolchain.hpp"
#include "source/tree_cache.hpp"
#include "variants/workspace.hpp"

namespace rk::build {

struct BuildOptions {
  std::string build_root;  // O= is <build_root>/<variant> ...
  std::string build_dir;   // ... unless this is set (absolute or relative)
  std::string out_root;    // artifacts go to <out_root>/<branch>/<arch>/; empty: none
  int jobs = 0;            // 0: machine_jobs()
  CcachePolicy ccache = CcachePolicy::kAuto;
  std::optional<std::int64_t> source_date_epoch;  // default: the tree's Makefile mtime
  // Resolve this KCONFIG_ALLCONFIG text instead of the variant's fragments (smoke builds).
  std::optional<std::string> allconfig;
  bool allconfig_from_allno = false;          // allnoconfig, not alldefconfig, under `allconfig`
  std::uint64_t min_free_bytes = 2ull << 30;  // refuse to start below this
  std::string builder = "runner-kernel";
  std::FILE* progress = nullptr;
  bool tty = false;
  int progress_interval = 30;
};

struct BuildResult {
  KbuildResult kbuild;
  BuildInfo info;
  std::string out_dir;  // "" when no artifacts were written
  std::string target_sha256;
  bool ccache = false;
  std::string ccache_note;
};

// The epoch of a tree: `override` when set, else its Makefile's mtime.
std::int64_t source_epoch(const std::string& tree_dir, std::optional<std::int64_t> override);

// The make command-line variables of a variant, taken from the environment our engine
// resolved it with (ARCH, CROSS_COMPILE, CC, LD, ..., RUSTC=false, BINDGEN=false, CARGO=false).
std::map<std::string, std::string> make_variables(const kconfig::Environment& engine_env,
                                                  bool ccache);

// Resolves, builds and (with out_root) writes the artifacts of `v`. Throws BuildError, or the
// workspace's VariantsError when the variant does not resolve.
BuildResult build_variant(variants::Workspace& ws, const variants::Variant& v,
                          const source::TreeLocation& tree, const BuildOptions& opts);

}  // namespace rk::build
