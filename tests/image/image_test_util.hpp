// Helpers for the image tests: temporary directories, fake kernel artifacts, reading files,
// and running the CLI.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <utime.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "image/artifacts.hpp"
#include "image/oci.hpp"
#include "image/process.hpp"
#include "lazy_libs/zstd.hpp"

namespace rk::image::test {

namespace fs = std::filesystem;

using TempDir = rk::testing::TempDir;

inline void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A boot-test.json as `runner-kernel test` writes it, recording the layer files and the booted
// kernel (vmlinux or Image, by the directory's name) as they are now.
inline void write_boot_test(const fs::path& dir, bool passed,
                            const std::string& failure = "probe overlayfs: FAIL") {
  std::string artifacts;
  std::vector<std::string> names = layer_files();
  names.push_back(booted_kernel_name(dir.filename().string()));
  for (const std::string& name : names) {
    if (!fs::exists(dir / name)) continue;
    artifacts += std::string(artifacts.empty() ? "" : ", ") + "\"" + name + "\": \"" +
                 sha256_file_hex(dir / name) + "\"";
  }
  write_file(dir / "boot-test.json",
             std::string("{\"schema\": \"runner-kernel/boot-test/v1\", \"passed\": ") +
                 (passed ? "true" : "false") + ", \"failures\": [" +
                 (passed ? "" : "\"" + failure + "\"") + "], \"artifacts\": {" + artifacts +
                 "}}\n");
}

// Fake artifacts of one branch/arch: small files whose contents name the variant.
inline fs::path make_artifacts(const fs::path& root, const std::string& branch,
                               const std::string& arch_dir, const std::string& kernel_version,
                               std::int64_t build_timestamp = 1700000000) {
  fs::path dir = root / branch / arch_dir;
  std::string tag = branch + "/" + arch_dir;
  // A fake kernel, and vmlinux.bin.zst a real zstd frame of it, as the build writes both.
  std::string kernel;
  for (int i = 0; i < 3000; ++i) kernel += "kernel " + tag + " " + std::to_string(i) + "\n";
  write_file(dir / booted_kernel_name(arch_dir), kernel);
  write_file(dir / "vmlinux.bin.zst", lazy_libs::zstd_compress(kernel, 3, true));
  write_file(dir / "config", "# Linux/" + arch_dir + " " + kernel_version +
                                 " Kernel Configuration\nCONFIG_VIRTIO=y\n");
  write_file(dir / "System.map", "ffffffff81000000 T _stext\n# " + tag + "\n");
  write_file(dir / "build-info.json",
             "{\"kernel_version\": \"" + kernel_version +
                 "\", \"build_timestamp\": " + std::to_string(build_timestamp) + "}\n");
  write_boot_test(dir, true);
  return dir;
}

inline BranchInput branch_input(const fs::path& root, const std::string& branch,
                                const std::string& kernel_version, std::int64_t created) {
  BranchInput b;
  b.branch = branch;
  b.kernel_version = kernel_version;
  b.created = created;
  b.platforms.push_back({"linux", "amd64", root / branch / "x86_64"});
  b.platforms.push_back({"linux", "arm64", root / branch / "arm64"});
  return b;
}

// Artifacts for 6.1 and 6.12, both arches, and the request writing them to root/oci.
inline LayoutRequest sample_request(const fs::path& root) {
  make_artifacts(root, "6.1", "x86_64", "6.1.112");
  make_artifacts(root, "6.1", "arm64", "6.1.112");
  make_artifacts(root, "6.12", "x86_64", "6.12.9");
  make_artifacts(root, "6.12", "arm64", "6.12.9");
  LayoutRequest req;
  req.version = "0.7.0";
  req.source = "https://example.org/runner-kernel";
  req.revision = "0123456789abcdef0123456789abcdef01234567";
  req.out = root / "oci";
  req.branches.push_back(branch_input(root, "6.12", "6.12.9", 1700000100));
  req.branches.push_back(branch_input(root, "6.1", "6.1.112", 1700000000));
  return req;
}

// Every regular file under dir, relative path -> contents.
inline std::map<std::string, std::string> tree_contents(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = read_file(e.path());
  }
  return files;
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace rk::image::test
