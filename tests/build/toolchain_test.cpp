#include "build/toolchain.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "build/error.hpp"
#include "source/util.hpp"

namespace rk::build {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A PATH directory holding fake executables.
class FakePath : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = source::make_temp_dir(fs::temp_directory_path().string(), "rk-toolchain-");
    fs::create_directories(dir_ + "/bin");
    fs::create_directories(dir_ + "/include/openssl");
    std::ofstream(dir_ + "/include/gelf.h") << "";
    std::ofstream(dir_ + "/include/openssl/opensslv.h") << "";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void tool(const std::string& name) {
    std::string p = dir_ + "/bin/" + name;
    std::ofstream(p) << "#!/bin/sh\n";
    ::chmod(p.c_str(), 0755);
  }
  std::string path() const { return dir_ + "/bin"; }
  std::vector<std::string> includes() const { return {dir_ + "/include"}; }
  std::string dir_;
};

TEST(Toolchain, DebianPackageOfTheCrossCompiler) {
  EXPECT_EQ(gcc_package("aarch64-linux-gnu-"), "gcc-aarch64-linux-gnu");
  EXPECT_EQ(gcc_package("x86_64-linux-gnu-"), "gcc-x86-64-linux-gnu");
  EXPECT_EQ(gcc_package(""), "gcc");
}

TEST_F(FakePath, EverythingPresent) {
  for (const char* t : {"aarch64-linux-gnu-gcc", "aarch64-linux-gnu-ld", "gcc", "make", "bc",
                        "flex", "bison", "perl"})
    tool(t);
  EXPECT_TRUE(missing_requirements("aarch64-linux-gnu-", path(), includes()).empty());
  EXPECT_NO_THROW(require_toolchain("aarch64-linux-gnu-", path(), includes()));
}

TEST_F(FakePath, MissingCrossCompilerNamesThePackage) {
  for (const char* t : {"gcc", "ld", "make", "bc", "flex", "bison", "perl"}) tool(t);
  try {
    require_toolchain("aarch64-linux-gnu-", path(), includes());
    FAIL() << "no error";
  } catch (const BuildError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kToolMissing);
    EXPECT_THAT(e.what(),
                HasSubstr("aarch64-linux-gnu-gcc (Debian package gcc-aarch64-linux-gnu)"));
    EXPECT_THAT(e.what(),
                HasSubstr("aarch64-linux-gnu-ld (Debian package binutils-aarch64-linux-gnu)"));
    EXPECT_THAT(e.what(),
                HasSubstr("apt-get install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu"));
  }
  // Native builds need only the host compiler.
  EXPECT_TRUE(missing_requirements("", path(), includes()).empty());
}

TEST_F(FakePath, MissingKbuildToolsAndHeaders) {
  tool("x86_64-linux-gnu-gcc");
  tool("x86_64-linux-gnu-ld");
  tool("gcc");
  tool("make");
  fs::remove(dir_ + "/include/gelf.h");
  auto missing = missing_requirements("x86_64-linux-gnu-", path(), includes());
  std::vector<std::string> packages;
  for (const auto& m : missing) packages.push_back(m.package);
  EXPECT_EQ(packages, (std::vector<std::string>{"bc", "flex", "bison", "perl", "libelf-dev"}));
  try {
    require_toolchain("x86_64-linux-gnu-", path(), includes());
    FAIL() << "no error";
  } catch (const BuildError& e) {
    EXPECT_THAT(e.what(), HasSubstr("gelf.h (Debian package libelf-dev)"));
    EXPECT_THAT(e.what(), HasSubstr("apt-get install bc flex bison perl libelf-dev"));
  }
}

TEST_F(FakePath, CcacheOnlyWhenInstalledAndAskedOrWarm) {
  std::string why;
  EXPECT_FALSE(use_ccache(CcachePolicy::kOn, path(), &why));
  EXPECT_THAT(why, HasSubstr("not installed"));
  tool("ccache");
  EXPECT_TRUE(use_ccache(CcachePolicy::kOn, path(), &why));
  EXPECT_FALSE(use_ccache(CcachePolicy::kOff, path(), &why));
  std::string cache = dir_ + "/ccache";
  setenv("CCACHE_DIR", cache.c_str(), 1);
  fs::create_directories(cache + "/a/b");
  std::ofstream(cache + "/ccache.conf") << "max_size = 5G\n";
  std::ofstream(cache + "/a/stats") << "0\n";
  EXPECT_FALSE(ccache_warm(cache));
  EXPECT_FALSE(use_ccache(CcachePolicy::kAuto, path(), &why));
  EXPECT_THAT(why, HasSubstr("cold"));
  std::ofstream(cache + "/a/b/0123456789abcdefR") << "result";
  EXPECT_TRUE(use_ccache(CcachePolicy::kAuto, path(), &why));
  unsetenv("CCACHE_DIR");
}

TEST(Toolchain, MachineJobs) {
  EXPECT_GE(machine_jobs(), 1);
}

}  // namespace
}  // namespace rk::build
