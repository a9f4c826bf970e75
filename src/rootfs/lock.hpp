// The lock file of a root filesystem (rootfs/<arch>.lock in the repository): every installed
// package with its architecture, version and the sha256 of its .deb as the mirror's Packages
// index gives it. A build that is not an explicit update refuses to produce an image whose
// packages differ from the lock.
//
// Format, one package per line, sorted, `#` comments and blank lines ignored:
//   docker.io:amd64=28.5.2+dfsg4-5 sha256:<64 lowercase hex>
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rk::rootfs {

struct LockedPackage {
  std::string version;
  std::string sha256;  // 64 lowercase hex
};

// Key: "name:arch" (arch "all" for architecture-independent packages).
using Lock = std::map<std::string, LockedPackage>;

// Parses a lock file; throws RootfsError "<origin>:<line>: ..." on any malformed line or a
// package listed twice.
Lock parse_lock(std::string_view text, const std::string& origin);

// The file's text for `lock`, with a header saying what it is and how to change it. Throws
// RootfsError if any field would not parse back (a newline or space in a name, a bad version).
std::string format_lock(const Lock& lock, const std::string& arch);

// One difference between the lock and what a build installed.
struct LockChange {
  std::string package;                   // "name:arch"
  std::string locked;                    // "" when the lock does not have it
  std::string offered;                   // "" when the build did not install it
  bool same_version_other_hash = false;  // same version, different .deb: never expected
};

std::vector<LockChange> compare_lock(const Lock& locked, const Lock& offered);

// The refusal: each change (package, locked and offered version) and the command that accepts
// them.
// `update_command`: how the user reruns with --update ("" for the plain command).
std::string refusal_message(const std::vector<LockChange>& changes, const std::string& arch,
                            const std::string& lock_path, const std::string& update_command = "");

// "runner-kernel rootfs --arch <arch> --update", or `update_command` when given.
std::string update_command_for(const std::string& arch, const std::string& update_command);

// What a build installed, as a Lock: the packages dpkg's status file (`status_text`) says are
// installed, with the sha256 of each from the Packages indexes (`packages_indexes`, the texts
// of apt's lists). Throws RootfsError when a field is malformed or an installed package has no
// index entry for its version.
Lock installed_packages(std::string_view status_text,
                        const std::vector<std::string>& packages_indexes);

}  // namespace rk::rootfs
