// `runner-kernel fetch`: a branch's kernel source as variants.toml says, verified, extracted
// once into the cache and patched. Routes:
//   tarball  kernel.org's release tarball, checked against the pin (an empty pin is recorded
//            into variants.toml after checking kernel.org's sha256sums.asc and its signature
//            with the repository's keys/kernel.org.gpg; anything unverified is refused unless
//            trust_on_first_use); resumable download.
//   debian   Debian's linux-source-X.Y package (upstream release + Debian's patches), from the
//            cache when its sha256 matches the pin, else `apt-get download` through a private
//            apt configuration.
//   local    a directory or git checkout of the pinned release, used in place (read-only).
// Default order: tarball, then debian when the tarball cannot be downloaded.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "source/debian.hpp"
#include "source/tree_cache.hpp"
#include "variants/matrix.hpp"

namespace rk::source {

struct FetchOptions {
  std::string from;                // "", "tarball", "debian", or a directory (local route)
  bool update_pins = false;        // debian: take the mirror's version and record its pins
  bool force = false;              // fetch again even when a ready tree is cached
  bool record_pins = true;         // write recorded pins back into matrix.path
  std::string kernel_org_keyring;  // for gpgv; "" = $RK_KERNEL_ORG_KEYRING or the repo's
  // Tarball route, empty pin: record the sha256 of a download whose sha256sums.asc could not be
  // verified (no signature, no keyring, no gpgv, a bad signature) instead of refusing it.
  bool trust_on_first_use = false;
  DebianOptions debian;
  std::FILE* log = stderr;  // messages and progress; null: silent
  bool tty = false;         // progress bars instead of periodic lines
  const std::atomic<bool>* cancel = nullptr;
  std::function<std::uint64_t(const std::string&)> free_space;  // tests; default free_bytes()
};

struct FetchReport {
  TreeLocation tree;
  bool already_present = false;
  std::vector<std::string> notes;  // what was checked and what was not, fallbacks taken
};

// Fetches one branch. `matrix` must have been loaded from `matrix.path` (pins are written
// there). Throws SourceError (see ErrorKind) with the reason and the fix.
FetchReport fetch_branch(const variants::Matrix& matrix, const variants::BranchSpec& branch,
                         const FetchOptions& options);

// The branch a local tree is for (its Makefile's version is the branch's pinned release), or
// nullptr.
const variants::BranchSpec* branch_for_tree(const variants::Matrix& matrix, const std::string& dir);

// The keyring used for sha256sums.asc: `configured` (--keyring), else $RK_KERNEL_ORG_KEYRING
// (both `configured`: a path that does not exist is an error), else the keyring shipped in the
// repository, `<matrix_root>/keys/kernel.org.gpg` (see keys/README.md).
struct KernelOrgKeyring {
  std::string path;
  bool configured = false;
};
KernelOrgKeyring kernel_org_keyring(const std::string& configured, const std::string& matrix_root);

}  // namespace rk::source
