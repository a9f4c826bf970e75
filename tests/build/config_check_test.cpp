#include "build/config_check.hpp"

#include <gtest/gtest.h>

namespace rk::build {
namespace {

const char* kHeader61 =
    "#\n# Automatically generated file; DO NOT EDIT.\n"
    "# Linux/x86 6.1.192 Kernel Configuration\n#\n";
const char* kBody =
    "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\nCONFIG_CC_IS_GCC=y\n"
    "\n#\n# General setup\n#\nCONFIG_INIT_ENV_ARG_LIMIT=32\n# CONFIG_COMPILE_TEST is not set\n";

TEST(ConfigCheck, Identical) {
  std::string t = std::string(kHeader61) + kBody;
  auto c = compare_configs(t, t);
  EXPECT_TRUE(c.equal);
  EXPECT_EQ(describe_difference(c), "");
}

TEST(ConfigCheck, HeaderOnlyDifferenceIsIgnored) {
  std::string ours = std::string(kHeader61) + kBody;
  std::string kbuild = std::string(
                           "#\n# Automatically generated file; DO NOT EDIT.\n"
                           "# Linux/x86_64 6.1.192 Kernel Configuration\n#\n") +
                       kBody;
  EXPECT_TRUE(compare_configs(ours, kbuild).equal);
  EXPECT_EQ(strip_config_header(ours), kBody);
  EXPECT_EQ(strip_config_header(kBody), kBody);  // no header: unchanged
}

TEST(ConfigCheck, RealDifferenceIsReported) {
  std::string ours = std::string(kHeader61) + kBody;
  std::string kbuild = ours;
  kbuild.replace(kbuild.find("# CONFIG_COMPILE_TEST is not set"), 32, "CONFIG_COMPILE_TEST=y");
  kbuild += "CONFIG_NEW=y\n";
  auto c = compare_configs(ours, kbuild);
  EXPECT_FALSE(c.equal);
  EXPECT_FALSE(c.order_differs);
  ASSERT_EQ(c.only_resolved.size(), 1u);
  EXPECT_EQ(c.only_resolved[0], "# CONFIG_COMPILE_TEST is not set");
  ASSERT_EQ(c.only_kbuild.size(), 2u);
  EXPECT_EQ(c.only_kbuild[0], "CONFIG_COMPILE_TEST=y");
  EXPECT_EQ(c.only_kbuild[1], "CONFIG_NEW=y");
  EXPECT_EQ(describe_difference(c),
            "  - # CONFIG_COMPILE_TEST is not set\n  + CONFIG_COMPILE_TEST=y\n  + CONFIG_NEW=y\n");
}

TEST(ConfigCheck, SameLinesInAnotherOrder) {
  auto c = compare_configs("CONFIG_A=y\nCONFIG_B=y\n", "CONFIG_B=y\nCONFIG_A=y\n");
  EXPECT_FALSE(c.equal);
  EXPECT_TRUE(c.order_differs);
  EXPECT_NE(describe_difference(c), "");
}

TEST(ConfigCheck, DuplicateLinesCountOnce) {
  auto c = compare_configs("CONFIG_A=y\nCONFIG_A=y\n", "CONFIG_A=y\n");
  EXPECT_FALSE(c.equal);
  ASSERT_EQ(c.only_resolved.size(), 1u);
  EXPECT_TRUE(c.only_kbuild.empty());
}

}  // namespace
}  // namespace rk::build
