// Finding the build's artifacts for the OCI layout: out/<branch>/<arch>/ with
// vmlinux.bin.zst, config, System.map and build-info.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "image/oci.hpp"

namespace rk::image {

// The OCI architecture of an artifact directory name: x86_64 -> amd64, arm64 -> arm64.
// Returns "" for names that are no architecture.
std::string oci_architecture(const std::string& arch_dir);

struct DiscoverOptions {
  std::filesystem::path artifacts = "out";
  // Architecture directories each branch must have (directory names).
  std::vector<std::string> arches{"x86_64", "arm64"};
  // Only these branches (directory names, e.g. "6.1"); empty: every branch found.
  std::vector<std::string> branches;
  // SOURCE_DATE_EPOCH: `created` of every image. Without it, a branch's `created` comes from
  // its build-info.json ("source_date_epoch" or "build_timestamp", seconds since the epoch)
  // or else from the newest modification time of its artifacts.
  std::optional<std::int64_t> source_date_epoch;
  // Package only kernels that passed their boot test: each <branch>/<arch>/ needs a
  // boot-test.json (written by `runner-kernel test`) that passed and whose sha256 of every
  // layer file matches the file now there. Off only by an explicit --allow-untested.
  bool require_boot_test = true;
};

// Every out/<branch>/ holding an architecture directory is a branch; each must have all of
// `arches`, each with the layer files and a build-info.json giving "kernel_version" (the same
// for every architecture of the branch). The layer files are read once into each platform's
// `files`, checked there (boot test) and packaged from there. Throws ImageError naming the
// file and the fix.
std::vector<BranchInput> discover_branches(const DiscoverOptions& opts);

// The kernel `runner-kernel test` boots from an architecture directory, whose sha256 the
// boot-test record keeps under its file name: "vmlinux" (x86_64), "Image" (arm64); "" for
// names that are no architecture.
std::string booted_kernel_name(const std::string& arch_dir);

// Throws ImageError unless dir/boot-test.json (and dir/workload-test.json, when there is one)
// passed, records the sha256 of each of `files` (the layer files' bytes as read once) as they
// are, and vmlinux.bin.zst decompresses to the very kernel the test booted (its sha256
// recorded under booted_kernel_name(arch_dir)).
void check_boot_test(const std::filesystem::path& dir, const std::string& variant,
                     const std::string& arch_dir, const LayerFiles& files);

// Parses a SOURCE_DATE_EPOCH value (decimal seconds); nullopt when empty, throws when bad.
std::optional<std::int64_t> parse_source_date_epoch(const char* value);

}  // namespace rk::image
