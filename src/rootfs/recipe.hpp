// What a guest root filesystem is made of: the Debian suite, mirror, architecture and package
// list, and the canonical text of all of it that, with the lock file's text, keys the cache.
// An image is rebuilt exactly when that text changes.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rootfs/guest_agent.hpp"

namespace rk::rootfs {

// Every failure of the rootfs stage: bad input, a refused lock change, a tool that failed.
class RootfsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A program taken from another architecture's build of an installed package (the x86_64 guest
// runs busybox for arm64 through qemu-user and binfmt_misc). Downloaded at build time from the
// recipe's mirror by apt, at exactly the version installed for the image's own arch (which the
// lock pins), so apt checks it against the mirror's signed index; never installed with dpkg.
struct ForeignBinary {
  std::string package;      // "busybox-static": installed in the image for its own arch
  std::string debian_arch;  // "arm64"
  std::string program;      // the file's name in the package: "busybox"
  std::string path;         // where it goes in the guest, mode 0755
};

struct Recipe {
  std::string arch;         // the project's name: "x86_64" or "arm64"
  std::string debian_arch;  // Debian's name: "amd64" or "arm64"
  std::string suite;        // "forky"
  std::string mirror;       // "http://deb.debian.org/debian"
  std::string variant;      // mmdebstrap's --variant ("apt": Essential + apt, then `packages`)
  std::vector<std::string> packages;     // installed with their dependencies, no Recommends
  std::vector<std::string> apt_options;  // mmdebstrap --aptopt values
  std::vector<GuestFile> files;          // added after the packages (the workload agent)
  // Units the packages enable that must not start at boot: each scenario starts what it tests
  // (dockerd with the iptables backend it chose, the NFS server), so a kernel lacking one
  // feature fails that scenario, not the boot.
  std::vector<std::string> disabled_units;
  std::vector<ForeignBinary> foreign_binaries;
};

// The project's recipe for `arch` ("x86_64" or "arm64"); throws RootfsError for any other.
Recipe default_recipe(const std::string& arch);

// Debian's architecture name for one of ours ("" when we do not build that arch).
std::string debian_arch_of(std::string_view arch);

// Checks every field against the characters its consumer accepts (package names as Debian
// policy defines them, suite names, an http(s) mirror URL without spaces or quotes, apt options
// as `Name "value"`, guest file paths absolute and plain), so nothing from a recipe can inject an
// option or a line. Throws RootfsError naming the field and the value.
void validate_recipe(const Recipe& recipe);

// One field per line, packages sorted and deduplicated, preceded by the recipe format's version.
std::string recipe_text(const Recipe& recipe);

// mmdebstrap customize hook (after "--customize-hook=") that puts a foreign binary in the tree;
// its text is part of recipe_text, so changing how the binary is fetched rebuilds the image.
std::string foreign_binary_hook(const ForeignBinary& binary);

// sha256 (hex) of recipe_text(recipe) and the lock file's text: the cache key of the image.
std::string cache_key(const Recipe& recipe, std::string_view lock_text);

bool is_unit_name(std::string_view name);       // systemd unit: name.service/.socket/...
bool is_package_name(std::string_view name);    // Debian policy 5.6.1: [a-z0-9][a-z0-9+.-]+
bool is_debian_version(std::string_view text);  // [epoch:]upstream[-revision], policy 5.6.12

}  // namespace rk::rootfs
