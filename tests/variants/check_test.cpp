#include "variants/check.hpp"
#include "../rk_skip.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fixture_repo.hpp"
#include "source/tree_cache.hpp"
#include "variants/landing.hpp"

namespace rk::variants {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using testing::FixtureRepo;
using ::testing::HasSubstr;

const char* kOneFragment = R"(
[[fragment]]
path = "configs/base.config"
)";

CheckReport check_with(const std::string& base, const std::string& extra_toml = "",
                       const std::string& extra_path = "", const std::string& extra_text = "") {
  FixtureRepo repo(std::string(kOneFragment) + extra_toml);
  repo.write("configs/base.config", base);
  if (!extra_path.empty()) repo.write(extra_path, extra_text);
  auto ws = repo.workspace();
  return check_variants(*ws, ws->matrix().select({}), CheckOptions{});
}

const Finding* find(const CheckReport& r, const std::string& kind, const std::string& symbol) {
  for (const auto& f : r.findings)
    if (f.kind == kind && f.symbol == symbol) return &f;
  return nullptr;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(Check, EverythingLands) {
  CheckReport r =
      check_with("CONFIG_NET=y  # net\nCONFIG_INET=y  # tcp\nCONFIG_LIMIT=8  # eight\n");
  EXPECT_EQ(r.count(Severity::Error), 0u) << render_check_text(r);
  ASSERT_EQ(r.variants.size(), 2u);
  EXPECT_EQ(r.variants[0].requested, 3u);
  EXPECT_EQ(r.variants[0].landed, 3u);
}

TEST(Check, UnmetDependencyExplainedWithValuesAndVerifiedFix) {
  CheckReport r = check_with("CONFIG_FEATURE_A=y  # wanted\n");
  const Finding* f = find(r, "not-landed", "FEATURE_A");
  ASSERT_NE(f, nullptr) << render_check_text(r);
  EXPECT_EQ(f->file, "configs/base.config");
  EXPECT_EQ(f->line, 1);
  EXPECT_EQ(f->actual, "(absent)");
  EXPECT_EQ(f->variants.size(), 2u);  // merged across variants
  EXPECT_THAT(joined(f->why), AllOf(HasSubstr("INET [=n]"), HasSubstr("BACKEND_X [=n]")));
  EXPECT_TRUE(f->fix_verified) << f->fix_note;
  EXPECT_THAT(f->fix, Contains("CONFIG_INET=y"));
  EXPECT_THAT(f->fix, Contains("CONFIG_NET=y"));  // found by re-resolving: INET needs NET
  EXPECT_THAT(f->fix, Contains("CONFIG_BACKEND_X=y"));
  EXPECT_EQ(r.count(Severity::Error), 1u);
}

TEST(Check, SelectedSymbolCannotBeTurnedOff) {
  CheckReport r = check_with("CONFIG_FORCER=y  # a\nCONFIG_FORCED=n  # b\n");
  const Finding* f = find(r, "not-landed", "FORCED");
  ASSERT_NE(f, nullptr) << render_check_text(r);
  EXPECT_EQ(f->actual, "y");
  EXPECT_THAT(joined(f->why), HasSubstr("selected by FORCER [=y]"));
  EXPECT_THAT(f->fix, Contains("CONFIG_FORCER=n"));
  EXPECT_TRUE(f->fix_verified);
}

TEST(Check, PromptlessSymbolNeedsItsSelector) {
  CheckReport r = check_with("CONFIG_HELPER=y  # wanted\n");
  const Finding* f = find(r, "not-landed", "HELPER");
  ASSERT_NE(f, nullptr) << render_check_text(r);
  EXPECT_THAT(joined(f->why), HasSubstr("has no prompt"));
  EXPECT_THAT(f->fix, Contains("CONFIG_SELECTOR=y"));
  EXPECT_TRUE(f->fix_verified);
}

TEST(Check, RangeAndInvalidValues) {
  CheckReport r = check_with("CONFIG_LIMIT=20  # too big\nCONFIG_NET=maybe  # bad\n");
  const Finding* range = find(r, "not-landed", "LIMIT");
  ASSERT_NE(range, nullptr) << render_check_text(r);
  EXPECT_EQ(range->actual, "16");  // conf clamps a value outside the range
  EXPECT_THAT(joined(range->why), HasSubstr("20 is outside LIMIT's range 1..16"));
  const Finding* bad = find(r, "not-landed", "NET");
  ASSERT_NE(bad, nullptr);
  EXPECT_THAT(joined(bad->why), HasSubstr("the value must be y or n"));
}

TEST(Check, ChoiceKeepsOneMember) {
  CheckReport r = check_with("CONFIG_MODE_A=n  # not a\n");
  const Finding* f = find(r, "not-landed", "MODE_A");
  ASSERT_NE(f, nullptr) << render_check_text(r);
  EXPECT_THAT(joined(f->why), HasSubstr("selected member of a choice"));
}

TEST(Check, ArchDependentValueLandsOnlyWhereItCan) {
  CheckReport r = check_with("CONFIG_ARCH_ONLY_X86=y  # x86 feature\n");
  const Finding* f = find(r, "not-landed", "ARCH_ONLY_X86");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->variants, std::vector<std::string>{"6.1-arm64"});
  EXPECT_THAT(joined(f->why), HasSubstr("X86 [=n]"));
  EXPECT_FALSE(f->fix_verified);  // X86 is not settable: no fix is invented
}

TEST(Check, UnknownSymbolSuggestsNearNames) {
  CheckReport r = check_with("CONFIG_FEATURE_AA=y  # typo\n");
  const Finding* f = find(r, "unknown-symbol", "FEATURE_AA");
  ASSERT_NE(f, nullptr);
  EXPECT_THAT(joined(f->why), HasSubstr("similar names: FEATURE_A"));
}

TEST(Check, ConflictsAndDuplicatesBetweenFragments) {
  const char* second = R"(
[[fragment]]
path = "configs/arm.config"
arches = ["arm64"]
)";
  CheckReport r = check_with("CONFIG_NET=y  # net\nCONFIG_BACKEND_X=y  # x\n", second,
                             "configs/arm.config", "CONFIG_NET=n  # no\nCONFIG_BACKEND_X=y  # x\n");
  const Finding* c = find(r, "conflict", "NET");
  ASSERT_NE(c, nullptr) << render_check_text(r);
  EXPECT_EQ(c->line, 1);
  EXPECT_EQ(c->other_file, "configs/arm.config");
  EXPECT_EQ(c->other_line, 1);
  EXPECT_EQ(c->variants, std::vector<std::string>{"6.1-arm64"});
  const Finding* d = find(r, "duplicate", "BACKEND_X");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->severity, Severity::Warning);
}

TEST(Check, RedundantUnlessPinned) {
  CheckReport r = check_with("CONFIG_DEFAULT_ON=y  # on\nCONFIG_LIMIT=4  # pinned: 4 on purpose\n");
  const Finding* f = find(r, "redundant", "DEFAULT_ON");
  ASSERT_NE(f, nullptr) << render_check_text(r);
  EXPECT_EQ(f->severity, Severity::Warning);
  EXPECT_EQ(find(r, "redundant", "LIMIT"), nullptr);
  EXPECT_EQ(r.count(Severity::Error), 0u);
}

TEST(Check, NewSymbolsSinceLastResolve) {
  FixtureRepo repo(kOneFragment);
  repo.write("configs/base.config", "CONFIG_NET=y  # net\n");
  repo.write("build/6.1-x86_64/.config", "CONFIG_NET=y\n# CONFIG_INET is not set\n");
  auto ws = repo.workspace();
  CheckOptions o;
  o.previous_dir = repo.path("build");
  CheckReport r = check_variants(*ws, ws->matrix().select({"6.1-x86_64"}), o);
  const Finding* f = find(r, "new-symbol", "FEATURE_A");
  EXPECT_EQ(f, nullptr);  // invisible: not offered
  const Finding* g = find(r, "new-symbol", "GREETING");
  ASSERT_NE(g, nullptr) << render_check_text(r);
  EXPECT_EQ(g->severity, Severity::Note);
  EXPECT_EQ(g->actual, "hello");
  EXPECT_EQ(find(r, "new-symbol", "INET"), nullptr);
}

TEST(Check, JsonCarriesFindings) {
  CheckReport r = check_with("CONFIG_FEATURE_A=y  # wanted\n");
  nlohmann::json j = check_json(r);
  EXPECT_EQ(j["errors"], 1);
  EXPECT_EQ(j["findings"][0]["kind"], "not-landed");
  EXPECT_EQ(j["findings"][0]["location"]["line"], 1);
}

// The shipped matrix: every fragment value lands in every variant.
TEST(CheckRealTrees, ShippedFragmentsLand) {
  std::string path = std::string(RK_SOURCE_DIR) + "/variants.toml";
  Matrix m = Matrix::load(path);
  for (const auto& b : m.branches)
    if (!source::find_tree(m, b)) RK_SKIP() << "kernel tree for " << b.name << " not fetched";
  Matrix copy = m;
  Workspace ws(
      std::move(m), [copy](const BranchSpec& b) { return source::require_tree(copy, b).dir; },
      ToolchainMode::Replay);
  CheckOptions o;
  o.redundant = false;
  CheckReport r = check_variants(ws, ws.matrix().select({}), o);
  EXPECT_EQ(r.count(Severity::Error), 0u) << render_check_text(r);
  EXPECT_EQ(r.variants.size(), 6u);
}

}  // namespace
}  // namespace rk::variants
