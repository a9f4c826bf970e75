#include "base/kernel_version.hpp"

#include <gtest/gtest.h>

#include "../temp_dir.hpp"

namespace rk::base {
namespace {

TEST(MakefileVersion, ReadsTheAssignmentsAtTheTop) {
  auto v = parse_makefile_version(
      "# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\n"
      "EXTRAVERSION =\nNAME = Curry Ramen\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->version, 6);
  EXPECT_EQ(v->patchlevel, 1);
  EXPECT_EQ(v->sublevel, 192);
  EXPECT_EQ(v->kernelversion(), "6.1.192");
  EXPECT_EQ(v->release(), "6.1.192");

  auto rc = parse_makefile_version(
      "VERSION=6\nPATCHLEVEL\t= 12\nSUBLEVEL = 0\n"
      "EXTRAVERSION = -rc3\r\n");
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->kernelversion(), "6.12.0-rc3") << "the Makefile keeps SUBLEVEL 0";
  EXPECT_EQ(rc->release(), "6.12") << "kernel.org drops it";
}

TEST(MakefileVersion, RejectsWhatIsNotAKernelMakefile) {
  EXPECT_FALSE(parse_makefile_version(""));
  EXPECT_FALSE(parse_makefile_version("VERSION = 6\n")) << "no PATCHLEVEL";
  EXPECT_FALSE(parse_makefile_version("VERSION = six\nPATCHLEVEL = 1\n"));
  EXPECT_FALSE(parse_makefile_version("VERSION_TEXT = 6\nPATCHLEVEL = 1\n"));
  testing::TempDir dir;
  EXPECT_FALSE(read_tree_version(dir.path().string()));
  dir.write("Makefile", "VERSION = 5\nPATCHLEVEL = 10\nSUBLEVEL = 0\n");
  EXPECT_EQ(read_tree_version(dir.path().string())->release(), "5.10");
}

}  // namespace
}  // namespace rk::base
