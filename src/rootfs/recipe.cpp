#include "rootfs/recipe.hpp"

#include <algorithm>
#include <cstdio>

#include "lazy_libs/sha256.hpp"

namespace rk::rootfs {
namespace {

// Bump when the meaning of a recipe changes without its text changing (how the image is made
// from it), so that cached images made the old way are not reused.
constexpr std::string_view kRecipeFormat = "rootfs-recipe v1";

// What the CI workload needs in the guest (issue 16). The suite must carry docker.io 28 or
// newer: read from the mirror, trixie has 26.1.5 and forky/sid 28.5.2 (see README.md).
const std::vector<std::string>& common_packages() {
  static const std::vector<std::string> packages = {
      // systemd as PID 1 and what its units expect
      "systemd-sysv", "dbus", "udev", "kmod", "procps",
      // the container stack
      // (docker.io 28 holds only the daemon: the client is docker-cli, which it merely
      // recommends, and the recipe installs no Recommends)
      "docker.io", "docker-cli", "docker-buildx", "docker-compose", "containerd", "runc",
      // iptables brings both backends (iptables-nft and iptables-legacy alternatives)
      "iptables", "ipset", "ipvsadm",
      // rootless Podman
      "podman", "fuse-overlayfs", "uidmap",
      // the rootless user's session bus (podman's systemd cgroup manager, lingering user)
      "dbus-user-session",
      // NFS v3 and v4 over loopback
      "nfs-kernel-server", "nfs-common",
      // scenario tools; busybox-static is also the source of the locally built test image
      "curl", "iproute2", "busybox-static"};
  return packages;
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_suite_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || !is_lower_alnum(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

bool is_mirror_url(std::string_view s) {
  std::string_view rest;
  if (s.starts_with("http://")) {
    rest = s.substr(7);
  } else if (s.starts_with("https://")) {
    rest = s.substr(8);
  } else {
    return false;
  }
  if (rest.empty() || rest[0] == '/' || s.size() > 512) return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_' ||
           c == '/' || c == ':' || c == '~';
  });
}

// apt configuration as `Name::Part "value"`: the name in apt's characters, the value without
// quotes, semicolons, braces or control characters (each of which would end the statement).
bool is_apt_option(std::string_view s) {
  size_t space = s.find(' ');
  if (space == std::string_view::npos || space == 0 || s.size() > 256) return false;
  std::string_view name = s.substr(0, space);
  std::string_view value = s.substr(space + 1);
  bool name_ok = std::all_of(name.begin(), name.end(), [](char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == ':' || c == '-' || c == '_';
  });
  if (!name_ok || value.size() < 2 || value.front() != '"' || value.back() != '"') return false;
  std::string_view inner = value.substr(1, value.size() - 2);
  return std::all_of(inner.begin(), inner.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != ';' && c != '{' && c != '}';
  });
}

bool is_guest_path(std::string_view p) {
  if (p.size() < 2 || p.size() > 256 || p[0] != '/' || p.back() == '/') return false;
  if (p.find("//") != std::string_view::npos || p.find("/./") != std::string_view::npos ||
      p.find("/../") != std::string_view::npos || p.ends_with("/..") || p.ends_with("/.")) {
    return false;
  }
  return std::all_of(p.begin(), p.end(), [](char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '/' || c == '.' || c == '-' ||
           c == '_' || c == '@' || c == '+';
  });
}

}  // namespace

bool is_package_name(std::string_view name) {
  if (name.size() < 2 || name.size() > 128 || !is_lower_alnum(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_lower_alnum(c) || c == '+' || c == '-' || c == '.'; });
}

bool is_unit_name(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || name.size() > 128) return false;
  std::string_view type = name.substr(dot + 1);
  if (type != "service" && type != "socket" && type != "timer" && type != "mount" &&
      type != "path" && type != "target") {
    return false;
  }
  std::string_view stem = name.substr(0, dot);
  return std::all_of(stem.begin(), stem.end(), [](char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '@' ||
           c == '.';
  });
}

bool is_debian_version(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  size_t colon = text.find(':');
  std::string_view rest = text;
  if (colon != std::string_view::npos) {
    std::string_view epoch = text.substr(0, colon);
    if (epoch.empty() ||
        !std::all_of(epoch.begin(), epoch.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    rest = text.substr(colon + 1);
  }
  if (rest.empty() || !(rest[0] >= '0' && rest[0] <= '9')) return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' || c == '~' ||
           c == '-' || c == ':';
  });
}

std::string debian_arch_of(std::string_view arch) {
  if (arch == "x86_64") return "amd64";
  if (arch == "arm64") return "arm64";
  return "";
}

Recipe default_recipe(const std::string& arch) {
  Recipe r;
  r.arch = arch;
  r.debian_arch = debian_arch_of(arch);
  if (r.debian_arch.empty()) {
    throw RootfsError("rootfs: no recipe for arch '" + arch + "' (arches: x86_64, arm64)");
  }
  r.suite = "forky";
  r.mirror = "http://deb.debian.org/debian";
  r.variant = "apt";
  r.packages = common_packages();
  if (arch == "x86_64") {
    // The x86_64 guest runs an arm64 binary through binfmt_misc. Since QEMU 9.1 Debian ships
    // the static emulators as qemu-user and their registration as qemu-user-binfmt (which
    // provides the old qemu-user-static name).
    r.packages.push_back("qemu-user");
    r.packages.push_back("qemu-user-binfmt");
    // The arm64 binary it runs (also as a --platform linux/arm64 image): busybox, static.
    r.foreign_binaries.push_back(
        {"busybox-static", "arm64", "busybox", "/usr/local/lib/rk-agent/busybox-arm64"});
  } else {
    // The arm64 guest runs a 32-bit binary natively (COMPAT) and as a linux/arm/v7 container.
    r.foreign_binaries.push_back(
        {"busybox-static", "armhf", "busybox", "/usr/local/lib/rk-agent/busybox-armhf"});
  }
  // A mirror may serve a Release file whose Valid-Until has passed (a frozen or slow mirror,
  // as here). The lock file pins every package's version and sha256, so an old Release cannot
  // change what is installed without the build refusing it.
  r.apt_options.push_back("Acquire::Check-Valid-Until \"false\"");
  r.files = guest_agent_files();
  r.disabled_units = {"docker.service", "docker.socket", "containerd.service", "nfs-server.service",
                      "ipvsadm.service"};
  return r;
}

void validate_recipe(const Recipe& r) {
  if (debian_arch_of(r.arch).empty() || debian_arch_of(r.arch) != r.debian_arch) {
    throw RootfsError("rootfs recipe: arch '" + r.arch + "' / '" + r.debian_arch +
                      "' is not one of x86_64/amd64, arm64/arm64");
  }
  if (!is_suite_name(r.suite)) throw RootfsError("rootfs recipe: bad suite name '" + r.suite + "'");
  if (!is_mirror_url(r.mirror)) {
    throw RootfsError("rootfs recipe: bad mirror URL '" + r.mirror + "' (http(s)://host/path)");
  }
  if (r.variant != "apt" && r.variant != "required" && r.variant != "important" &&
      r.variant != "essential" && r.variant != "minbase") {
    throw RootfsError("rootfs recipe: unsupported mmdebstrap variant '" + r.variant + "'");
  }
  if (r.packages.empty()) throw RootfsError("rootfs recipe: no packages");
  for (const std::string& p : r.packages) {
    if (!is_package_name(p)) throw RootfsError("rootfs recipe: bad package name '" + p + "'");
  }
  for (const std::string& o : r.apt_options) {
    if (!is_apt_option(o)) {
      throw RootfsError("rootfs recipe: bad apt option '" + o + "' (Name::Part \"value\")");
    }
  }
  for (const std::string& u : r.disabled_units) {
    if (!is_unit_name(u)) throw RootfsError("rootfs recipe: bad unit name '" + u + "'");
  }
  for (const ForeignBinary& b : r.foreign_binaries) {
    bool known_arch =
        b.debian_arch == "amd64" || b.debian_arch == "arm64" || b.debian_arch == "armhf";
    if (!is_package_name(b.package) || !known_arch || b.debian_arch == r.debian_arch ||
        !is_package_name(b.program) || !is_guest_path(b.path) ||
        std::find(r.packages.begin(), r.packages.end(), b.package) == r.packages.end()) {
      throw RootfsError("rootfs recipe: bad foreign binary '" + b.program + "' of " + b.package +
                        ":" + b.debian_arch + " -> '" + b.path +
                        "' (the package must be in the recipe, the arch another one)");
    }
  }
  for (const GuestFile& f : r.files) {
    if (!is_guest_path(f.path) || (!f.symlink.empty() && !is_guest_path(f.symlink)) ||
        f.mode > 07777) {
      throw RootfsError("rootfs recipe: bad guest file '" + f.path + "'" +
                        (f.symlink.empty() ? "" : " -> '" + f.symlink + "'"));
    }
  }
}

std::string recipe_text(const Recipe& r) {
  validate_recipe(r);
  std::vector<std::string> packages = r.packages;
  std::sort(packages.begin(), packages.end());
  packages.erase(std::unique(packages.begin(), packages.end()), packages.end());
  std::string text(kRecipeFormat);
  text += "\narch " + r.arch + "\ndebian-arch " + r.debian_arch + "\nsuite " + r.suite +
          "\nmirror " + r.mirror + "\nvariant " + r.variant + "\n";
  for (const std::string& o : r.apt_options) text += "aptopt " + o + "\n";
  for (const std::string& p : packages) text += "package " + p + "\n";
  for (const std::string& u : r.disabled_units) text += "disable " + u + "\n";
  for (const ForeignBinary& b : r.foreign_binaries) {
    // The hook itself: how the binary is fetched is part of what the image is.
    text += "foreign " + b.package + ":" + b.debian_arch + " " + b.program + " " + b.path +
            " sha256:" + lazy_libs::sha256_hex(foreign_binary_hook(b)) + "\n";
  }
  for (const GuestFile& f : r.files) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", f.mode);
    text += "file " + f.path + " " + mode + " " +
            (f.symlink.empty() ? "sha256:" + lazy_libs::sha256_hex(f.content)
                               : "symlink:" + f.symlink) +
            "\n";
  }
  return text;
}

std::string foreign_binary_hook(const ForeignBinary& f) {
  // In the chroot, after the lists were copied out for the lock: the other arch's index, the
  // .deb at the version dpkg installed for ours (apt checks its hash against the index), the
  // one program out of it (a bin/ file: packages also ship configs of the same name). The
  // fields are validated plain names and paths.
  const std::string apt = "apt-get -q -o APT::Architectures::=" + f.debian_arch;
  return "chroot \"$1\" sh -ec 'v=$(dpkg-query -W -f=\"\\${Version}\" " + f.package + "); " +
         "d=$(mktemp -d); cd \"$d\"; " + apt + " update; " + apt + " download " + f.package + ":" +
         f.debian_arch + "=\"$v\"; dpkg-deb -x ./*.deb x; " + "p=$(find x -type f -path \"*bin/" +
         f.program + "\" | head -n 1); test -n \"$p\"; " + "install -D -m 0755 \"$p\" " + f.path +
         "; cd /; rm -rf \"$d\"'";
}

std::string cache_key(const Recipe& recipe, std::string_view lock_text) {
  lazy_libs::Sha256 hash;
  std::string text = recipe_text(recipe);
  // Lengths first, so that no split of the same bytes between the two parts gives the same key.
  hash.update(std::to_string(text.size()) + "\n");
  hash.update(text);
  hash.update(std::to_string(lock_text.size()) + "\n");
  hash.update(lock_text);
  return hash.hex();
}

}  // namespace rk::rootfs
