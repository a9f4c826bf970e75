// The build's artifacts in out/<branch>/<arch>/, written into a temporary directory beside it
// and swapped into place, so out/ never holds a half-written set:
//   vmlinux (x86_64, ELF) or Image (arm64)   the kernel Kbuild built
//   vmlinux.bin.zst                          the same file, zstd level 9 (what the image ships)
//   config                                   the .config Kbuild used
//   System.map
//   build-info.json                          see BuildInfo
//   SHA256SUMS                               of every other file, in sha256sum's format
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rk::build {

struct PatchInfo {
  std::string path;
  std::string sha256;
};

// build-info.json. It holds no wall-clock time or machine path, so two builds of the same
// inputs write the same file.
struct BuildInfo {
  std::string variant, branch, arch;
  std::string target;          // "vmlinux" or "Image"
  std::string kernel_version;  // Kbuild's kernelrelease
  std::string source_route, source_origin, source_sha256;
  std::vector<PatchInfo> patches;
  std::string cc_version, ld_version;  // first lines of --version
  std::string cross_compile;
  std::string host_machine;
  bool ccache = false;
  std::string config_sha256;
  std::int64_t source_date_epoch = 0;  // KBUILD_BUILD_TIMESTAMP's time, seconds
  std::string kbuild_timestamp;        // the KBUILD_BUILD_TIMESTAMP text
  std::string builder;                 // "runner-kernel 0.1.0"
};

std::string build_info_json(const BuildInfo& info, const std::string& target_sha256);

struct ArtifactInput {
  std::string out_dir;      // out/<branch>/<arch>
  std::string target_path;  // the built vmlinux or Image
  std::string config_path;  // O=/.config
  std::string system_map_path;
  BuildInfo info;
};

// Names of the files written, in SHA256SUMS order.
std::vector<std::string> artifact_files(const std::string& target);

// Writes the artifacts and replaces out_dir in one rename; leftovers of an interrupted earlier
// write are removed. Throws BuildError (kDiskFull on ENOSPC). Returns the target's sha256.
std::string write_artifacts(const ArtifactInput& in);

// zstd (level 9, with a content checksum, like `zstd -9`) of `data`, and back.
std::string zstd_compress(const std::string& data, int level = 9);
std::string zstd_decompress(const std::string& data);

// "<sha256>  <name>\n" lines of `names` in `dir`.
std::string sha256sums(const std::string& dir, const std::vector<std::string>& names);

}  // namespace rk::build
