// Where fetched kernel trees live, and finding the one a branch needs.
//
// Cache root: $RK_CACHE, else $XDG_CACHE_HOME/runner-kernel, else ~/.cache/runner-kernel (the
// home directory from $HOME, else the password database; never a shared directory).
// Layout under it:
//   downloads/<tarball>[.part]        kernel.org tarballs (a .part is resumed)
//   debs/<package>_<version>_all.deb  Debian linux-source packages
//   apt/<suite>/                      the private apt configuration of a suite
//   sources/<version>-<route>/        an extracted, patched tree (route: tarball, debian)
//   sources/<version>-<route>.json    its marker, written last (see TreeMarker)
//   sources/<version>-local.json      marker of a local tree used in place
//   sources/<version>.route           the route fetched last for that version
//   locks/<version>.lock              held by the fetch of that release (base/file_lock.hpp)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "variants/matrix.hpp"

namespace rk::source {

std::string cache_root();

// A kernel tree ready for a branch: fetched, verified and patched.
struct TreeLocation {
  std::string dir;
  std::string route;       // "tarball", "debian", "local"
  std::string origin;      // URL, package_version, or directory
  std::string sha256;      // of the tarball or .deb ("" for local trees)
  bool read_only = false;  // a local tree: build out of tree, never write into it
};

struct MarkerPatch {
  std::string path;
  std::string sha256;
  bool operator==(const MarkerPatch&) const = default;
};

// What sources/<version>-<route>.json records about a tree.
struct TreeMarker {
  std::string branch;
  std::string version;         // upstream release, e.g. 6.1.192
  std::string route;           // tarball, debian, local
  std::string origin;          // URL, <package>_<debian version>, or directory
  std::string sha256;          // tarball or .deb
  std::string debian_version;  // debian route
  std::string debian_suite;    // debian route: the suite apt found the package in
  std::string dir;             // the tree
  std::string git_head;        // local git checkouts
  bool git_dirty = false;
  std::vector<MarkerPatch> patches;  // applied, in order
  std::string note;                  // e.g. "Debian's patches applied on top of 6.1.192"
  std::string fetched_at;            // UTC, ISO 8601
};

std::string marker_to_json(const TreeMarker& m);
TreeMarker marker_from_json(const std::string& text);  // throws SourceError

std::string sources_dir();                                                   // cache_root()/sources
std::string tree_key(const std::string& version, const std::string& route);  // "6.1.192-tarball"
std::string marker_path(const std::string& version, const std::string& route);
std::optional<TreeMarker> read_marker(const std::string& version, const std::string& route);
void write_marker(const TreeMarker& m);  // atomically, then records the route as the latest
void remove_tree(const std::string& version, const std::string& route);  // marker first

// The marker's tree is still what the branch asks for (version, pin, Debian version, patch
// series with the patch files' current sha256, the directory). `why` says what differs.
bool marker_matches(const TreeMarker& m, const variants::Matrix& matrix,
                    const variants::BranchSpec& branch, std::string* why = nullptr);

// The branch's ready tree, or nullopt when it has not been fetched. The route fetched last
// wins, then tarball, debian, local. Only trees with a marker that matches the branch's pins
// count: the cache key is the pin, so a cached tree never needs the network.
std::optional<TreeLocation> find_tree(const variants::Matrix& matrix,
                                      const variants::BranchSpec& branch);

// The tree of one route only (`route`: tarball, debian, local).
std::optional<TreeLocation> find_tree_route(const variants::Matrix& matrix,
                                            const variants::BranchSpec& branch,
                                            const std::string& route);

// find_tree or a VariantsError saying how to fetch it.
TreeLocation require_tree(const variants::Matrix& matrix, const variants::BranchSpec& branch);

}  // namespace rk::source
