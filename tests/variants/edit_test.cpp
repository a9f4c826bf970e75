#include "variants/edit.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "fixture_repo.hpp"

namespace rk::variants {
namespace {

using testing::FixtureRepo;
using ::testing::HasSubstr;

const char* kTwoFragments = R"(
[[fragment]]
path = "configs/base.config"

[[fragment]]
path = "configs/x86.config"
arches = ["x86_64"]
)";

struct Repo {
  FixtureRepo repo{kTwoFragments};
  Repo() {
    repo.write("configs/base.config",
               "# Networking for everyone.\nCONFIG_NET=y\nCONFIG_INET=y  # tcp\n");
    repo.write("configs/x86.config", "CONFIG_ARCH_ONLY_X86=y  # x86 feature\n");
  }
};

SettingChange set(const std::string& sym, const std::string& value,
                  std::vector<std::string> variants = {}) {
  SettingChange c;
  c.symbol = sym;
  c.value = value;
  c.variants = std::move(variants);
  c.reason = "test";
  return c;
}

TEST(Edit, SetThatLandsEditsTheScopedFragment) {
  Repo r;
  auto ws = r.repo.workspace();
  EditPlan plan = plan_edits(*ws, {set("BACKEND_X", "y"), set("FEATURE_A", "y")});
  ASSERT_TRUE(plan.ok()) << render_check_text(CheckReport{plan.refusals, {}});
  ASSERT_EQ(plan.texts.count("configs/base.config"), 1u);
  EXPECT_EQ(plan.texts["configs/base.config"],
            "# Networking for everyone.\nCONFIG_NET=y\nCONFIG_INET=y  # tcp\nCONFIG_BACKEND_X=y  "
            "# test\nCONFIG_FEATURE_A=y  # test\n");
  EXPECT_EQ(plan.affected.size(), 2u);
  EXPECT_THAT(plan_diff(*ws, plan), HasSubstr("+CONFIG_FEATURE_A=y  # test"));
  write_plan(ws->matrix(), plan);
  EXPECT_EQ(r.repo.read("configs/base.config"), plan.texts["configs/base.config"]);
}

TEST(Edit, SetThatWouldNotLandIsRefusedWithTheFix) {
  Repo r;
  std::string before = r.repo.read("configs/base.config");
  auto ws = r.repo.workspace();
  EditPlan plan = plan_edits(*ws, {set("FEATURE_A", "y")});
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(plan.texts.empty());
  const Finding& f = plan.refusals.front();
  EXPECT_EQ(f.kind, "not-landed");
  EXPECT_THAT(f.fix, ::testing::Contains("CONFIG_BACKEND_X=y"));
  EXPECT_TRUE(f.fix_verified);
  EXPECT_EQ(r.repo.read("configs/base.config"), before);
}

TEST(Edit, ExistingArchLineIsEditedInPlace) {
  Repo r;
  auto ws = r.repo.workspace();
  EditPlan plan = plan_edits(*ws, {set("ARCH_ONLY_X86", "n", {"x86_64"})});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.texts["configs/x86.config"], "CONFIG_ARCH_ONLY_X86=n  # test\n");
}

TEST(Edit, OneVariantGetsANewFragmentListedInTheMatrix) {
  Repo r;
  auto ws = r.repo.workspace();
  EditPlan plan = plan_edits(*ws, {set("LIMIT", "8", {"6.1-arm64"})});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.new_fragments, std::vector<std::string>{"configs/local/6.1-arm64.config"});
  EXPECT_THAT(plan.matrix_text,
              HasSubstr("[[fragment]]\npath = \"configs/local/6.1-arm64.config\"\narches = "
                        "[\"arm64\"]\n"));
  write_plan(ws->matrix(), plan);
  Matrix m = Matrix::load(r.repo.path("variants.toml"));
  EXPECT_EQ(m.fragments.size(), 3u);
  EXPECT_EQ(m.find_variant("6.1-arm64")->fragments.size(), 2u);
  EXPECT_EQ(m.find_variant("6.1-x86_64")->fragments.size(), 2u);
}

// A plan that edits a fragment, creates one and extends variants.toml writes all three or
// none: a failure injected at each step of the write (base::write_files_atomically's test hook)
// leaves every file byte for byte as it was.
TEST(Edit, AFailedWriteOfAPlanChangesNoFile) {
  Repo r;
  auto ws = r.repo.workspace();
  EditPlan plan = plan_edits(*ws, {set("LIMIT", "8", {"6.1-arm64"}), set("BACKEND_X", "y")});
  ASSERT_TRUE(plan.ok()) << render_check_text(CheckReport{plan.refusals, {}});
  ASSERT_EQ(plan.texts.size(), 2u);
  ASSERT_FALSE(plan.matrix_text.empty());
  const std::string base = r.repo.read("configs/base.config");
  const std::string matrix = r.repo.read("variants.toml");
  const std::string local = r.repo.path("configs/local/6.1-arm64.config");
  const std::string journal = configuration_journal_path(r.repo.path("variants.toml"));
  // base.config (staged, backed up), the new fragment (staged), variants.toml (staged, backed
  // up), the journal, three renames.
  for (int n = 1; n <= 9; ++n) {
    ::setenv("RK_TEST_FAIL_FILE_STEP", std::to_string(n).c_str(), 1);
    try {
      write_plan(ws->matrix(), plan);
      ADD_FAILURE() << "step " << n << ": written";
    } catch (const VariantsError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kIo) << n;
    }
    ::unsetenv("RK_TEST_FAIL_FILE_STEP");
    EXPECT_EQ(r.repo.read("configs/base.config"), base) << n;
    EXPECT_EQ(r.repo.read("variants.toml"), matrix) << n;
    EXPECT_FALSE(std::filesystem::exists(local)) << n;
    EXPECT_FALSE(std::filesystem::exists(journal)) << n;
  }
  write_plan(ws->matrix(), plan);
  EXPECT_EQ(r.repo.read("configs/base.config"), plan.texts["configs/base.config"]);
  EXPECT_EQ(r.repo.read("variants.toml"), plan.matrix_text);
  EXPECT_TRUE(std::filesystem::exists(local));
}

TEST(Edit, SetOfTheValueTheWinningLineAlreadyRequestsChangesNothing) {
  Repo r;
  auto ws = r.repo.workspace();
  EditPlan plan = plan_edits(*ws, {set("NET", "y", {"6.1-arm64"})});
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan.changes_files());
  EXPECT_THAT(plan.notes, ::testing::ElementsAre("CONFIG_NET=y: already set for 6.1-arm64 "
                                                 "(configs/base.config:2); nothing to change"));
  // A different value, or a variant where no line sets it, is an edit.
  EditPlan other = plan_edits(*ws, {set("LIMIT", "8", {"6.1-arm64"})});
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other.changes_files());
}

TEST(Edit, UnsetOfASharedLineForOneVariantIsRefused) {
  Repo r;
  auto ws = r.repo.workspace();
  SettingChange c;
  c.symbol = "INET";
  c.variants = {"6.1-arm64"};
  EditPlan plan = plan_edits(*ws, {c});
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(plan.refusals.front().why.front(),
              HasSubstr("also applies to 6.1-arm64, 6.1-x86_64"));
}

TEST(Edit, UnsetThatBreaksAnotherLineIsRefused) {
  Repo r;
  auto ws = r.repo.workspace();
  SettingChange c;
  c.symbol = "NET";
  EditPlan plan = plan_edits(*ws, {c});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.refusals.front().kind, "would-break");
  EXPECT_EQ(plan.refusals.front().symbol, "INET");
}

}  // namespace
}  // namespace rk::variants
