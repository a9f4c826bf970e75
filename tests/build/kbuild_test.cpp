// run_kbuild against a fake `make` on PATH: the driver's sequence, config checks, failure
// reports and progress, without compiling a kernel (kbuild_integration_test.cpp does that).
#include "build/kbuild.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "build/driver.hpp"
#include "build/error.hpp"
#include "source/util.hpp"

namespace rk::build {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fake make: `olddefconfig` rewrites O=/.config with conf's header (and, when
// FAKE_MAKE_CHANGE is set, appends that line); the target prints Kbuild's short lines, or
// fails with a compiler error when FAKE_MAKE_FAIL is set.
const char* kFakeMake = R"SH(#!/bin/sh
O=""; goal=""
for a in "$@"; do
  case "$a" in
    O=*) O="${a#O=}" ;;
    -C|-j*|*=*) ;;
    *) goal="$a" ;;
  esac
done
echo "ARGS $*"
echo "ENV $KBUILD_BUILD_TIMESTAMP|$KBUILD_BUILD_USER|$KBUILD_BUILD_HOST|$LC_ALL|${KCFLAGS:-none}"
case "$goal" in
  olddefconfig)
    { printf '#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86_64 6.1.0 Kernel Configuration\n#\n'
      tail -n +5 "$O/.config"
      [ -n "$FAKE_MAKE_CHANGE" ] && echo "$FAKE_MAKE_CHANGE"; } > "$O/.config.new"
    mv "$O/.config.new" "$O/.config"
    echo "#"; echo "# configuration written to .config"; echo "#" ;;
  *)
    echo "  SYNC    include/config/auto.conf"
    echo "  HOSTCC  scripts/basic/fixdep"
    echo "  CC      init/main.o"
    echo "  AS      arch/x86/kernel/head_64.o"
    if [ -n "$FAKE_MAKE_FAIL" ]; then
      echo "kernel/fork.c:10:2: error: 'x' undeclared (first use in this function)" >&2
      echo "make[3]: *** [scripts/Makefile.build:250: kernel/fork.o] Error 1" >&2
      exit 2
    fi
    echo "  CC      kernel/fork.o"
    echo "  LD      vmlinux.o"
    echo "  LD      vmlinux"
    mkdir -p "$O/include/config" "$O/arch/x86/boot"
    echo "6.1.0-fake" > "$O/include/config/kernel.release"
    echo kernel > "$O/vmlinux"
    echo "ffffffff81000000 T _text" > "$O/System.map" ;;
esac
)SH";

class FakeKbuild : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = source::make_temp_dir(fs::temp_directory_path().string(), "rk-kbuild-");
    fs::create_directories(dir_ + "/bin");
    fs::create_directories(dir_ + "/tree");
    std::ofstream(dir_ + "/tree/Makefile") << "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n";
    std::ofstream(dir_ + "/bin/make") << kFakeMake;
    ::chmod((dir_ + "/bin/make").c_str(), 0755);
    old_path_ = std::getenv("PATH");
    setenv("PATH", (dir_ + "/bin:" + old_path_).c_str(), 1);
    job_.label = "6.1-x86_64";
    job_.tree_dir = dir_ + "/tree";
    job_.build_dir = dir_ + "/O";
    job_.srcarch = "x86";
    job_.target = "vmlinux";
    job_.config_text =
        "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.1.0 Kernel "
        "Configuration\n#\nCONFIG_A=y\n# CONFIG_B is not set\n";
    job_.make_vars = {{"ARCH", "x86_64"}, {"RUSTC", "false"}, {"BINDGEN", "false"}};
    job_.env = {{"KBUILD_BUILD_TIMESTAMP", kbuild_timestamp(0)},
                {"KBUILD_BUILD_USER", "runner-kernel"},
                {"KBUILD_BUILD_HOST", "runner-kernel"}};
    job_.jobs = 3;
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    unsetenv("FAKE_MAKE_CHANGE");
    unsetenv("FAKE_MAKE_FAIL");
    fs::remove_all(dir_);
  }
  std::string dir_, old_path_;
  KbuildJob job_;
};

TEST_F(FakeKbuild, BuildsAndChecksTheConfig) {
  setenv("KCFLAGS", "-O0", 1);  // the caller's Kbuild variables never leak in
  KbuildResult r = run_kbuild(job_);
  unsetenv("KCFLAGS");
  EXPECT_EQ(r.target_path, dir_ + "/O/vmlinux");
  EXPECT_EQ(r.system_map_path, dir_ + "/O/System.map");
  EXPECT_EQ(r.kernel_release, "6.1.0-fake");
  EXPECT_EQ(r.objects, 3u);
  EXPECT_EQ(read(dir_ + "/O/.rk-objects"), "3\n");
  std::string log = read(r.log_path);
  EXPECT_EQ(r.log_path, dir_ + "/O/build.log");
  EXPECT_THAT(log, HasSubstr("ARGS -C " + dir_ + "/tree O=" + dir_ +
                             "/O ARCH=x86_64 BINDGEN=false RUSTC=false -j3 olddefconfig"));
  EXPECT_THAT(log, HasSubstr("-j3 vmlinux"));
  EXPECT_THAT(log,
              HasSubstr("ENV Thu Jan  1 00:00:00 UTC 1970|runner-kernel|runner-kernel|C|none"));
  EXPECT_THAT(log, HasSubstr("  CC      kernel/fork.o"));
  // A second run keeps the log of the first as build.log.old and knows what to expect.
  EXPECT_EQ(expected_objects(job_.build_dir), 3u);
  run_kbuild(job_);
  EXPECT_TRUE(fs::exists(dir_ + "/O/build.log.old"));
}

TEST_F(FakeKbuild, ConfigDisagreementIsAnError) {
  setenv("FAKE_MAKE_CHANGE", "CONFIG_C=y", 1);
  try {
    run_kbuild(job_);
    FAIL() << "no error";
  } catch (const BuildError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfigMismatch);
    EXPECT_THAT(e.what(), HasSubstr("Kconfig engine and Kbuild disagree"));
    EXPECT_THAT(e.what(), HasSubstr("  + CONFIG_C=y\n"));
  }
  EXPECT_FALSE(fs::exists(dir_ + "/O/vmlinux"));  // stopped before building
}

TEST_F(FakeKbuild, FailureShowsTheErrorLinesAndTheLog) {
  setenv("FAKE_MAKE_FAIL", "1", 1);
  try {
    run_kbuild(job_);
    FAIL() << "no error";
  } catch (const BuildError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kKbuild);
    EXPECT_THAT(e.what(), HasSubstr("make vmlinux failed (make exit 2)"));
    EXPECT_THAT(e.what(), HasSubstr("  kernel/fork.c:10:2: error: 'x' undeclared"));
    EXPECT_THAT(e.what(), HasSubstr("full log: " + dir_ + "/O/build.log"));
  }
}

TEST_F(FakeKbuild, RefusesATreeConfiguredInPlace) {
  std::ofstream(dir_ + "/tree/.config") << "";
  EXPECT_THROW(run_kbuild(job_), BuildError);
}

TEST(FailureExcerpt, ErrorLinesElseTheTail) {
  std::string log;
  for (int i = 0; i < 30; ++i) log += "line " + std::to_string(i) + "\n";
  auto tail = failure_excerpt(log, 20);
  ASSERT_EQ(tail.size(), 20u);
  EXPECT_EQ(tail.front(), "line 10");
  log += "a.c:1: Error: bad\nmore\nb.c:2: error: worse\n";
  auto errs = failure_excerpt(log, 20);
  EXPECT_EQ(errs, (std::vector<std::string>{"a.c:1: Error: bad", "b.c:2: error: worse"}));
}

TEST(KbuildTimestamp, DateFormat) {
  EXPECT_EQ(kbuild_timestamp(1763288260), "Sun Nov 16 10:17:40 UTC 2025");
  EXPECT_EQ(kbuild_timestamp(0), "Thu Jan  1 00:00:00 UTC 1970");
}

TEST(TargetPath, PerArch) {
  EXPECT_EQ(target_path("/b", "x86", "vmlinux"), "/b/vmlinux");
  EXPECT_EQ(target_path("/b", "arm64", "Image"), "/b/arch/arm64/boot/Image");
}

TEST(MakeVariables, FromTheEngineEnvironment) {
  kconfig::Environment env = {{"ARCH", "arm64"},
                              {"SRCARCH", "arm64"},
                              {"CROSS_COMPILE", "aarch64-linux-gnu-"},
                              {"CC", "aarch64-linux-gnu-gcc"},
                              {"RUSTC", "false"},
                              {"BINDGEN", "false"},
                              {"srctree", "/t"},
                              {"CC_VERSION_TEXT", "gcc"}};
  auto v = make_variables(env, false);
  EXPECT_EQ(v, (std::map<std::string, std::string>{{"ARCH", "arm64"},
                                                   {"CROSS_COMPILE", "aarch64-linux-gnu-"},
                                                   {"CC", "aarch64-linux-gnu-gcc"},
                                                   {"RUSTC", "false"},
                                                   {"BINDGEN", "false"}}));
  EXPECT_EQ(make_variables(env, true)["CC"], "ccache aarch64-linux-gnu-gcc");
}

}  // namespace
}  // namespace rk::build
