// Debian's linux-source-X packages: finding a verified .deb in the cache, or downloading one
// with `apt-get download` through a private apt configuration kept under the cache (its own
// sources list, lists, archives and an empty dpkg status), never touching the machine's.
#pragma once

#include <string>
#include <vector>

#include "source/archive.hpp"

namespace rk::source {

struct DebianOptions {
  std::string mirror = "http://deb.debian.org/debian";
  std::string security_mirror = "http://deb.debian.org/debian-security";  // for *-security
  std::string keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
  std::string component = "main";
};

// The deb line of the private sources list for `suite`.
std::string apt_source_line(const std::string& suite, const DebianOptions& options);

// apt-get/apt-cache options selecting the private configuration under `apt_dir` (created).
std::vector<std::string> private_apt_options(const std::string& apt_dir, const std::string& suite,
                                             const DebianOptions& options);

// "<package>_<version>_all.deb" as apt names it (an epoch's ':' becomes "%3a").
std::string deb_file_name(const std::string& package, const std::string& version);

// The .deb of `package` `version` in `debs_dir` whose sha256 is `sha256` (any version's file
// is hashed when the name does not match), or "" when none is.
std::string find_cached_deb(const std::string& debs_dir, const std::string& package,
                            const std::string& version, const std::string& sha256);

struct AptDownload {
  std::string path;     // the .deb, in debs_dir
  std::string version;  // its Debian version
};

// Versions of `package` that the private lists of `suite` offer, newest first (runs apt-get
// update first when `refresh` or when no list is there yet).
std::vector<std::string> apt_available_versions(const std::string& apt_dir,
                                                const std::string& package,
                                                const std::string& suite,
                                                const DebianOptions& options, bool refresh);

// Downloads `package`=`version` into `debs_dir` (through debs_dir/.partial, renamed when
// complete). Throws SourceError: kVersion naming the versions available when `version` is not
// among them, kNetwork when apt cannot reach the mirror, kToolMissing without apt.
AptDownload apt_download(const std::string& apt_dir, const std::string& debs_dir,
                         const std::string& package, const std::string& version,
                         const std::string& suite, const DebianOptions& options);

// Checks a .deb against the branch: its sha256 against `pin` (when not empty; kChecksum with
// expected vs actual, the Debian version it holds and how to update the pin), then its
// package and version (kVersion). `pin_where` ("variants.toml:17") and `branch` go into the
// messages. Returns its control fields.
DebInfo check_deb(const std::string& deb, const std::string& package, const std::string& version,
                  const std::string& pin, const std::string& pin_where, const std::string& branch);

// "6.1.192" from Debian version "6.1.192-2" (epoch and revision dropped).
std::string upstream_of_debian_version(const std::string& debian_version);

}  // namespace rk::source
