// A branch's patch series (patches/<branch>/*.patch, listed in variants.toml), applied with
// GNU patch: each patch is tried with --dry-run first, then applied for real.
#pragma once

#include <string>
#include <vector>

namespace rk::source {

struct PatchFile {
  std::string path;    // as listed in variants.toml (root-relative)
  std::string file;    // absolute
  std::string sha256;  // of the patch file
};

// Resolves and hashes the series; throws SourceError naming a missing patch file.
std::vector<PatchFile> load_patch_series(const std::string& root,
                                         const std::vector<std::string>& patches);

// The failing part of GNU patch's output: "file drivers/x.c: hunk #2 FAILED at 120", or the
// whole output trimmed when it names no hunk.
std::string summarize_patch_failure(const std::string& patch_output);

// Applies the series in order inside `tree` (patch -p1 --forward --fuzz=0). Throws
// SourceError(kPatch) naming the patch file and failing hunk; on a dry-run failure the tree is
// untouched by that patch. Throws kToolMissing when GNU patch is not installed.
void apply_patch_series(const std::string& tree, const std::vector<PatchFile>& series);

// True when every patch of the series is already applied to `tree` (each reverses cleanly in
// a dry run); `why` gets the first patch that is not.
bool patch_series_applied(const std::string& tree, const std::vector<PatchFile>& series,
                          std::string& why);

}  // namespace rk::source
