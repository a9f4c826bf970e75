#include "base/text.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rk::base {
namespace {

using ::testing::ElementsAre;

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("CGROUP_BPF", "CGROUPS_BPF"), 1u);
  // Above the limit the answer is limit + 1, whatever the real distance.
  EXPECT_EQ(edit_distance("kitten", "sitting", 1), 2u);
  EXPECT_EQ(edit_distance("a", "abcdefgh", 2), 3u);
}

TEST(NearNames, OneRuleForEditsAndContainment) {
  EXPECT_EQ(near_name_rank("CGROUP_BPF", "CGROUPS_BPF"), 1u);
  EXPECT_EQ(near_name_rank("NET", "NET"), 0u);
  EXPECT_FALSE(near_name_rank("COMPLETELY_UNRELATED", "NET"));
  // Containment in either direction counts, ranked after every edit match.
  EXPECT_EQ(near_name_rank("KERNEL_GZ", "KERNEL_GZIP_COMPRESSED"), 2u + 1 + 13);
  EXPECT_TRUE(near_name_rank("KERNEL_GZIP_COMPRESSED", "KERNEL_GZ"));
  EXPECT_FALSE(near_name_rank("BPF", "CGROUP_BPF_LONG")) << "too short to count as contained";

  std::vector<std::string_view> names = {"OVERLAY_FS", "OVERLAYFS_INDEX_ON", "NET", "OVERLAY_FS",
                                         "OVERLAYFS_X"};
  EXPECT_THAT(near_names("OVERLAYFS", names, 5),
              ElementsAre("OVERLAY_FS", "OVERLAYFS_X", "OVERLAYFS_INDEX_ON"));
  EXPECT_THAT(near_names("OVERLAYFS", names, 1), ElementsAre("OVERLAY_FS"));
}

TEST(AppendEscaped, NamedEscapesQuoteAndHexControls) {
  std::string profile;
  append_escaped(profile, std::string("a\\b\n\r\t\"\x01\x7f", 9), '\0', "\\x");
  EXPECT_EQ(profile, "a\\\\b\\n\\r\\t\"\\x01\\x7f") << "no quote escaping without a quote";
  std::string toml;
  append_escaped(toml, "say \"hi\"\x1b", '"', "\\u00");
  EXPECT_EQ(toml, "say \\\"hi\\\"\\u001b");
}

TEST(UnifiedDiff, ThreeLinesOfContextLikeDiffU) {
  EXPECT_EQ(unified_diff("f", "a\nb\nc\n", "a\nB\nc\nd\n"),
            "--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n");
  EXPECT_EQ(unified_diff("f", "x\n", "x\n"), "");
  // Changes more than 6 lines apart make two hunks, each with 3 lines of context.
  std::string old_text, new_text;
  for (int i = 1; i <= 12; ++i) {
    old_text += std::to_string(i) + "\n";
    new_text += (i == 1 || i == 12 ? "x" : std::to_string(i)) + "\n";
  }
  EXPECT_EQ(unified_diff("f", old_text, new_text),
            "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n"
            "@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+x\n");
}

}  // namespace
}  // namespace rk::base
