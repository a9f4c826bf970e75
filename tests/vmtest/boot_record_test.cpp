// The boot-test record is the contract between `runner-kernel test` and `runner-kernel image`:
// what the one writes, the other must accept when it passed and refuse when it did not.
#include "vmtest/boot_record.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/file.hpp"
#include "image/artifacts.hpp"
#include "image/oci.hpp"
#include "lazy_libs/zstd.hpp"

namespace rk::vmtest {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class BootRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rk-boot-record-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const char* name : {"vmlinux", "config", "System.map"}) {
      std::ofstream(dir_ / name) << name << " of 6.1-x86_64\n";
    }
    // As the build writes it: a zstd frame of the very vmlinux beside it.
    std::ofstream(dir_ / "vmlinux.bin.zst")
        << lazy_libs::zstd_compress(base::read_file((dir_ / "vmlinux").string()), 3, true);
  }

  // What `runner-kernel image` checks: the layer files as it read them.
  image::LayerFiles files() const {
    image::LayerFiles f;
    for (const std::string& name : image::layer_files())
      f[name] = base::read_file((dir_ / name).string());
    return f;
  }
  void check() const { image::check_boot_test(dir_, "6.1-x86_64", "x86_64", files()); }
  void TearDown() override { fs::remove_all(dir_); }

  VariantReport report(bool passed) {
    VariantReport r;
    r.variant = "6.1-x86_64";
    r.arch = "x86_64";
    r.kernel = (dir_ / "vmlinux").string();
    r.passed = passed;
    r.probes.push_back({"overlayfs", true, passed ? CellStatus::pass : CellStatus::fail, ""});
    if (!passed) r.failures.push_back("required probe overlayfs failed: mount: No such device");
    return r;
  }

  fs::path dir_;
};

TEST_F(BootRecordTest, RecordsVerdictProbesAndHashes) {
  std::string path = write_boot_test_record(dir_, dir_ / "vmlinux", report(true));
  EXPECT_EQ(path, (dir_ / "boot-test.json").string());
  auto j = nlohmann::json::parse(std::ifstream(path));
  EXPECT_EQ(j.at("schema"), "runner-kernel/boot-test/v1");
  EXPECT_EQ(j.at("passed"), true);
  EXPECT_EQ(j.at("probes").at("overlayfs"), "pass");
  for (const char* name : {"vmlinux", "vmlinux.bin.zst", "config", "System.map"}) {
    EXPECT_EQ(j.at("artifacts").at(name), image::sha256_file_hex(dir_ / name)) << name;
  }
}

TEST_F(BootRecordTest, ImageAcceptsAPassAndRefusesAFailure) {
  write_boot_test_record(dir_, dir_ / "vmlinux", report(true));
  EXPECT_NO_THROW(check());

  write_boot_test_record(dir_, dir_ / "vmlinux", report(false));
  try {
    check();
    FAIL() << "a failed boot test was accepted";
  } catch (const image::ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("required probe overlayfs failed"));
  }

  // A pass followed by a rebuild: the shipped file is no longer the tested one.
  write_boot_test_record(dir_, dir_ / "vmlinux", report(true));
  std::ofstream(dir_ / "vmlinux.bin.zst") << "rebuilt\n";
  EXPECT_THROW(check(), image::ImageError);

  // The record's vmlinux is the kernel the image ships compressed: another kernel is refused.
  std::ofstream(dir_ / "vmlinux.bin.zst") << lazy_libs::zstd_compress("other kernel\n", 3, true);
  std::ofstream(dir_ / "vmlinux") << "other kernel\n";
  write_boot_test_record(dir_, dir_ / "vmlinux", report(true));
  EXPECT_NO_THROW(check());
  std::ofstream(dir_ / "vmlinux.bin.zst") << lazy_libs::zstd_compress("third kernel\n", 3, true);
  auto j = nlohmann::json::parse(std::ifstream(dir_ / "boot-test.json"));
  j["artifacts"]["vmlinux.bin.zst"] = image::sha256_file_hex(dir_ / "vmlinux.bin.zst");
  std::ofstream(dir_ / "boot-test.json") << j.dump();
  try {
    check();
    FAIL() << "a vmlinux.bin.zst of a kernel never booted was accepted";
  } catch (const image::ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("decompresses to a kernel with sha256"));
  }
}

// The workload boot's record travels beside the probe boot's: image refuses a kernel whose
// workload failed even when its probes passed, and a pass of both is accepted.
TEST_F(BootRecordTest, ImageRefusesAKernelWhoseWorkloadFailed) {
  write_boot_test_record(dir_, dir_ / "vmlinux", report(true));
  VariantReport workload = report(true);
  workload.variant = "6.1-x86_64/workload";
  std::string path =
      write_boot_test_record(dir_, dir_ / "vmlinux", workload, kWorkloadTestRecordName);
  EXPECT_EQ(path, (dir_ / "workload-test.json").string());
  EXPECT_NO_THROW(check());

  workload.passed = false;
  workload.failures = {"required probe docker-iptables-legacy skipped: needs CONFIG_IP_NF_RAW=y"};
  write_boot_test_record(dir_, dir_ / "vmlinux", workload, kWorkloadTestRecordName);
  try {
    check();
    FAIL() << "a failed workload was accepted";
  } catch (const image::ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("6.1-x86_64 failed its workload test"));
    EXPECT_THAT(e.what(), HasSubstr("docker-iptables-legacy"));
  }

  // A passing workload of another build: its hashes are not the shipped files'.
  workload.passed = true;
  workload.failures.clear();
  write_boot_test_record(dir_, dir_ / "vmlinux", workload, kWorkloadTestRecordName);
  auto j = nlohmann::json::parse(std::ifstream(dir_ / "workload-test.json"));
  j["artifacts"]["config"] = std::string(64, '0');
  std::ofstream(dir_ / "workload-test.json") << j.dump();
  try {
    check();
    FAIL() << "a workload record of other files was accepted";
  } catch (const image::ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("changed after its workload test"));
    EXPECT_THAT(e.what(), HasSubstr("runner-kernel test --workload 6.1-x86_64"));
  }
}

}  // namespace
}  // namespace rk::vmtest
