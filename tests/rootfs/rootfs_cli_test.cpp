#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../temp_dir.hpp"
#include "process/run.hpp"

namespace rk::rootfs {
namespace {

using ::testing::HasSubstr;

TEST(RootfsCli, MissingLockIsRefusedWithTheCommandThatCreatesIt) {
  rk::testing::TempDir dir("rk-rootfs-cli");
  int status = -1;
  std::string out = process::capture(
      {{RK_CLI, "rootfs", "--arch", "x86_64", "--lock-dir", dir.path().string()}}, &status);
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr("no lock file " + dir.file("x86_64.lock")));
  EXPECT_THAT(out, HasSubstr("runner-kernel rootfs --arch x86_64 --lock-dir " +
                             dir.path().string() + " --update"));
}

TEST(RootfsCli, UnknownArchIsAUsageError) {
  int status = -1;
  std::string out = process::capture({{RK_CLI, "rootfs", "--arch", "riscv64"}}, &status);
  EXPECT_NE(status, 0);
  EXPECT_THAT(out, HasSubstr("riscv64"));
}

}  // namespace
}  // namespace rk::rootfs
