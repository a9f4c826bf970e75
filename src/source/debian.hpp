// Debian's linux-source-X packages: finding a verified .deb in the cache, or downloading one
// with `apt-get download` through a private apt configuration kept under the cache (its own
// sources list, lists, archives and an empty dpkg status), never touching the machine's.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "source/archive.hpp"

namespace rk::source {

struct DebianOptions {
  std::string mirror = "http://deb.debian.org/debian";
  std::string security_mirror = "http://deb.debian.org/debian-security";  // for *-security
  std::string keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
  std::string component = "main";
};

// The suites of the Debian release `suite` belongs to, in the order a pinned version is looked
// for: `suite` itself, then the release and its -security, -updates, -backports and
// -proposed-updates suites ("bookworm-security" -> bookworm-security, bookworm, bookworm-updates,
// bookworm-backports, bookworm-proposed-updates). A pin names the suite it was found in, but a
// mirror moves packages between them (a security upload reaches the point release later), so
// the exact version is looked for in all of them. A suite the mirror does not carry (sid has no
// -security; old releases lose -backports) is skipped.
std::vector<std::string> release_suites(const std::string& suite);

// The release a suite belongs to ("bookworm" for "bookworm-security").
std::string release_of_suite(const std::string& suite);

// The deb line of the private sources list for one suite.
std::string apt_source_line(const std::string& suite, const DebianOptions& options);

// apt-get/apt-cache options selecting the private configuration under `apt_dir` (created), whose
// sources list holds one line per suite of `suites`.
std::vector<std::string> private_apt_options(const std::string& apt_dir,
                                             const std::vector<std::string>& suites,
                                             const DebianOptions& options);

// "<package>_<version>_all.deb" as apt names it (an epoch's ':' becomes "%3a").
std::string deb_file_name(const std::string& package, const std::string& version);

// The .deb of `package` `version` in `debs_dir` whose sha256 is `sha256` (any version's file
// is hashed when the name does not match), or "" when none is.
std::string find_cached_deb(const std::string& debs_dir, const std::string& package,
                            const std::string& version, const std::string& sha256);

// One version of a package as one suite offers it.
struct AptOffer {
  std::string version;
  std::string suite;
  bool operator==(const AptOffer&) const = default;
};

// What the private lists of a release say about a package.
struct AptIndex {
  std::vector<AptOffer> offers;          // newest first; a version in two suites is listed twice
  std::vector<std::string> suites_read;  // suites whose signed lists apt holds
  // Suites apt could not read, with its reason. `absent` ones the mirror does not carry (404,
  // no Release file): not an error. The others could not be reached: what they hold is unknown.
  std::vector<std::pair<std::string, std::string>> suites_absent;
  std::vector<std::pair<std::string, std::string>> suites_unreachable;

  // The suites offering `version`, in the order of `suites` (the lookup order).
  std::vector<std::string> suites_of(const std::string& version,
                                     const std::vector<std::string>& suites) const;
  // "6.1.192-3 (bookworm-security), 6.1.176-1 (bookworm)": every version once, newest first.
  std::string describe_versions() const;
};

// Reads the private lists of `suites` for `package` (runs `apt-get update` first when
// `refresh`, or when the lists were never updated for this set of suites). Throws
// SourceError(kNetwork) when no suite could be read, kToolMissing without apt.
AptIndex apt_lookup(const std::string& apt_dir, const std::string& package,
                    const std::vector<std::string>& suites, const DebianOptions& options,
                    bool refresh);

struct AptDownload {
  std::string path;   // the .deb, in debs_dir
  std::string suite;  // where apt found it
};

// Downloads `package`=`version` into `debs_dir` (through debs_dir/.partial, renamed when
// complete) from whichever suite of `suites` offers it, refreshing the lists once when they do
// not list it or the mirror no longer serves what they list. Throws SourceError: kVersion
// (with the index, in `index_out` when given) when no suite has that version, kNetwork when apt
// cannot reach the mirror, kToolMissing without apt.
AptDownload apt_download(const std::string& apt_dir, const std::string& debs_dir,
                         const std::string& package, const std::string& version,
                         const std::vector<std::string>& suites, const DebianOptions& options,
                         AptIndex* index_out = nullptr);

// Checks a .deb against the branch: its sha256 against `pin` (when not empty; kChecksum with
// expected vs actual, the Debian version it holds and how to update the pin), then its
// package and version (kVersion). `pin_where` ("variants.toml:17") and `branch` go into the
// messages. Returns its control fields.
DebInfo check_deb(const std::string& deb, const std::string& package, const std::string& version,
                  const std::string& pin, const std::string& pin_where, const std::string& branch);

// "6.1.192" from Debian version "6.1.192-2" (epoch and revision dropped).
std::string upstream_of_debian_version(const std::string& debian_version);

}  // namespace rk::source
