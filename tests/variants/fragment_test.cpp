#include "variants/fragment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "variants/matrix.hpp"

namespace rk::variants {
namespace {

using ::testing::HasSubstr;

const char* kText = R"(# Containers need these.
# Second line of the paragraph.
CONFIG_USER_NS=y
CONFIG_CGROUPS=y  # pinned: cgroups

CONFIG_CMDLINE="console=ttyS0 # not a comment"  # the command line
# CONFIG_DEBUG_INFO is not set
CONFIG_MODULES=n  # no modules
)";

TEST(Fragment, ParsesSettingsAndReasons) {
  Fragment f = parse_fragment(kText, "configs/a.config");
  ASSERT_EQ(f.settings.size(), 5u);
  EXPECT_EQ(f.settings[0].symbol, "USER_NS");
  EXPECT_EQ(f.settings[0].reason, "Containers need these. Second line of the paragraph.");
  EXPECT_EQ(f.settings[0].line, 3);
  EXPECT_EQ(f.settings[1].reason, "pinned: cgroups");
  EXPECT_EQ(f.settings[2].value, "\"console=ttyS0 # not a comment\"");
  EXPECT_EQ(*requested_value(f.settings[2]), "console=ttyS0 # not a comment");
  EXPECT_EQ(f.settings[2].reason, "the command line");
  EXPECT_EQ(f.settings[3].value, "n");
  EXPECT_EQ(f.settings[4].value, "n");
  EXPECT_EQ(fragment_config_text(f),
            "CONFIG_USER_NS=y\nCONFIG_CGROUPS=y\nCONFIG_CMDLINE=\"console=ttyS0 # not a "
            "comment\"\n# CONFIG_DEBUG_INFO is not set\n# CONFIG_MODULES is not set\n");
}

std::string error_of(const std::string& text) {
  try {
    parse_fragment(text, "configs/a.config");
  } catch (const VariantsError& e) {
    return e.what();
  }
  return "";
}

TEST(Fragment, RejectsBadLinesWithFileAndLine) {
  EXPECT_THAT(error_of("CONFIG_A=y\nUSER_NS=y\n"),
              HasSubstr("configs/a.config:2: expected CONFIG_<SYMBOL>=<value>"));
  EXPECT_THAT(error_of("CONFIG_A=y\nCONFIG_A=n\n"),
              HasSubstr("configs/a.config:2: CONFIG_A is already set at line 1"));
  EXPECT_THAT(error_of("CONFIG_A=\n"), HasSubstr("has no value"));
  EXPECT_THAT(error_of("CONFIG_S=\"unterminated\n"), HasSubstr("malformed string"));
}

TEST(Fragment, SetKeepsCommentsAndAppends) {
  Fragment f = parse_fragment(kText, "a");
  std::string edited = set_setting(f, "CGROUPS", "n", "");
  EXPECT_THAT(edited, HasSubstr("CONFIG_CGROUPS=n  # pinned: cgroups\n"));
  EXPECT_THAT(edited, HasSubstr("# Containers need these.\n"));
  std::string appended = set_setting(f, "FUSE_FS", "y", "fuse for rootless builds");
  EXPECT_TRUE(
      appended.ends_with("CONFIG_MODULES=n  # no modules\nCONFIG_FUSE_FS=y  # fuse for "
                         "rootless builds\n"));
}

TEST(Fragment, RemoveTakesItsOwnParagraph) {
  Fragment f = parse_fragment("CONFIG_A=y\n\n# Only about B.\nCONFIG_B=y\n\nCONFIG_C=y\n", "a");
  EXPECT_EQ(remove_setting(f, "B"), "CONFIG_A=y\n\nCONFIG_C=y\n");
  Fragment g = parse_fragment("# About A and B.\nCONFIG_A=y\nCONFIG_B=y\n", "a");
  EXPECT_EQ(remove_setting(g, "B"), "# About A and B.\nCONFIG_A=y\n");
}

}  // namespace
}  // namespace rk::variants
