#include "build/artifacts.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "build/error.hpp"
#include "source/util.hpp"

namespace rk::build {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

class Artifacts : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = source::make_temp_dir(fs::temp_directory_path().string(), "rk-build-artifacts-");
    std::string kernel;
    for (int i = 0; i < 20000; ++i)
      kernel +=
          "\x7f"
          "ELF kernel bytes " +
          std::to_string(i % 97);
    write(fs::path(dir_) / "O/vmlinux", kernel);
    write(fs::path(dir_) / "O/.config", "CONFIG_A=y\n");
    write(fs::path(dir_) / "O/System.map", "ffffffff81000000 T _text\n");
    in_.out_dir = dir_ + "/out/6.1/x86_64";
    in_.target_path = dir_ + "/O/vmlinux";
    in_.config_path = dir_ + "/O/.config";
    in_.system_map_path = dir_ + "/O/System.map";
    BuildInfo& i = in_.info;
    i.variant = "6.1-x86_64";
    i.branch = "6.1";
    i.arch = "x86_64";
    i.target = "vmlinux";
    i.kernel_version = "6.1.192";
    i.source_route = "debian";
    i.source_origin = "linux-source-6.1_6.1.192-2";
    i.source_sha256 = "ae95";
    i.patches = {{"patches/6.1/0001-x.patch", "abcd"}};
    i.cc_version = "gcc (Debian 12.2.0-14) 12.2.0";
    i.ld_version = "GNU ld (GNU Binutils for Debian) 2.40";
    i.host_machine = "x86_64";
    i.config_sha256 = source::sha256_bytes("CONFIG_A=y\n");
    i.source_date_epoch = 1763288260;
    i.kbuild_timestamp = "Sun Nov 16 10:17:40 UTC 2025";
    i.builder = "runner-kernel 0.1.0";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
  ArtifactInput in_;
};

TEST_F(Artifacts, WritesEveryFileWithChecksums) {
  std::string sha = write_artifacts(in_);
  fs::path out = in_.out_dir;
  EXPECT_EQ(sha, source::sha256_file(in_.target_path));
  EXPECT_EQ(read(out / "vmlinux"), read(in_.target_path));
  EXPECT_EQ(read(out / "config"), "CONFIG_A=y\n");
  EXPECT_EQ(read(out / "System.map"), "ffffffff81000000 T _text\n");
  // zstd round trip gives the kernel back, and it is compressed.
  std::string zst = read(out / "vmlinux.bin.zst");
  EXPECT_LT(zst.size(), read(in_.target_path).size() / 4);
  EXPECT_EQ(zstd_decompress(zst), read(in_.target_path));
  // SHA256SUMS: sha256sum's format, every other file, correct sums.
  std::istringstream sums(read(out / "SHA256SUMS"));
  std::string line;
  std::vector<std::string> names;
  while (std::getline(sums, line)) {
    ASSERT_EQ(line.size() > 66, true) << line;
    EXPECT_EQ(line.substr(64, 2), "  ");
    std::string name = line.substr(66);
    names.push_back(name);
    EXPECT_EQ(line.substr(0, 64), source::sha256_file((out / name).string())) << name;
  }
  EXPECT_EQ(names, artifact_files("vmlinux"));
  // Nothing else in the directory, and no leftovers beside it.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(out)) files += e.is_regular_file();
  EXPECT_EQ(files, 6u);
  for (const auto& e : fs::directory_iterator(out.parent_path()))
    EXPECT_EQ(e.path().filename(), "x86_64");
}

TEST_F(Artifacts, BuildInfoFields) {
  std::string sha = write_artifacts(in_);
  auto j = nlohmann::json::parse(read(fs::path(in_.out_dir) / "build-info.json"));
  EXPECT_EQ(j["variant"], "6.1-x86_64");
  EXPECT_EQ(j["branch"], "6.1");
  EXPECT_EQ(j["arch"], "x86_64");
  EXPECT_EQ(j["target"], "vmlinux");
  EXPECT_EQ(j["target_sha256"], sha);
  EXPECT_EQ(j["kernel_version"], "6.1.192");
  EXPECT_EQ(j["source"]["route"], "debian");
  EXPECT_EQ(j["source"]["origin"], "linux-source-6.1_6.1.192-2");
  EXPECT_EQ(j["source"]["sha256"], "ae95");
  ASSERT_EQ(j["patches"].size(), 1u);
  EXPECT_EQ(j["patches"][0]["path"], "patches/6.1/0001-x.patch");
  EXPECT_EQ(j["toolchain"]["cc"], "gcc (Debian 12.2.0-14) 12.2.0");
  EXPECT_EQ(j["toolchain"]["ld"], "GNU ld (GNU Binutils for Debian) 2.40");
  EXPECT_EQ(j["config_sha256"], source::sha256_bytes("CONFIG_A=y\n"));
  // The image stage reads these as seconds.
  EXPECT_EQ(j["source_date_epoch"], 1763288260);
  EXPECT_EQ(j["build_timestamp"], 1763288260);
  EXPECT_EQ(j["builder"], "runner-kernel 0.1.0");
}

TEST_F(Artifacts, ReplacesAPreviousSetWhole) {
  write_artifacts(in_);
  write(fs::path(in_.out_dir) / "stale-file", "x");
  write(fs::path(in_.out_dir).parent_path() / ".x86_64.tmp-abc123/vmlinux", "half");
  write(in_.target_path, "new kernel");
  write_artifacts(in_);
  EXPECT_FALSE(fs::exists(fs::path(in_.out_dir) / "stale-file"));
  EXPECT_EQ(read(fs::path(in_.out_dir) / "vmlinux"), "new kernel");
  EXPECT_EQ(zstd_decompress(read(fs::path(in_.out_dir) / "vmlinux.bin.zst")), "new kernel");
  for (const auto& e : fs::directory_iterator(fs::path(in_.out_dir).parent_path()))
    EXPECT_EQ(e.path().filename(), "x86_64");
}

TEST_F(Artifacts, FailureLeavesThePreviousSetUntouched) {
  write_artifacts(in_);
  std::string before = read(fs::path(in_.out_dir) / "SHA256SUMS");
  in_.system_map_path = dir_ + "/O/missing";
  EXPECT_THROW(write_artifacts(in_), BuildError);
  EXPECT_EQ(read(fs::path(in_.out_dir) / "SHA256SUMS"), before);
  for (const auto& e : fs::directory_iterator(fs::path(in_.out_dir).parent_path()))
    EXPECT_EQ(e.path().filename(), "x86_64");
}

TEST(Zstd, RoundTripAndChecksumFlag) {
  std::string data(100000, 'a');
  std::string z = zstd_compress(data);
  EXPECT_EQ(zstd_decompress(z), data);
  // Frame header descriptor: bit 2 is the content checksum flag (like `zstd -9`).
  ASSERT_GT(z.size(), 5u);
  EXPECT_EQ(static_cast<unsigned char>(z[4]) & 0x04, 0x04);
  EXPECT_THROW(zstd_decompress("not zstd"), BuildError);
}

TEST(Zstd, AgreesWithTheZstdProgram) {
  if (system("command -v zstd >/dev/null 2>&1") != 0) GTEST_SKIP() << "zstd not installed";
  std::string dir = source::make_temp_dir(fs::temp_directory_path().string(), "rk-zstd-");
  std::string data;
  for (int i = 0; i < 5000; ++i) data += std::to_string(i * 7919) + "\n";
  write(fs::path(dir) / "f.zst", zstd_compress(data));
  ASSERT_EQ(system(("zstd -q -d " + dir + "/f.zst -o " + dir + "/f").c_str()), 0);
  EXPECT_EQ(read(fs::path(dir) / "f"), data);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rk::build
