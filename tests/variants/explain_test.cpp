// `config explain`: the facts explain_symbol() gathers (on fixture trees whose values are known
// by construction), their text and JSON rendering, and the real matrix when the trees exist.
#include "variants/explain.hpp"
#include "../fetched_trees.hpp"
#include "../rk_skip.hpp"
#include "variants/landing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace rk::variants {
namespace {

namespace fs = std::filesystem;
using kconfig::Tristate;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string fixture(const std::string& rel) {
  return std::string(RK_FIXTURES) + "/" + rel;
}

std::unique_ptr<Workspace> fixture_workspace() {
  Matrix m = Matrix::load(fixture("explain-matrix/variants.toml"));
  return std::make_unique<Workspace>(
      std::move(m), [](const BranchSpec& b) { return fixture("explain-tree-" + b.name); },
      ToolchainMode::Live);
}

// 1-based line of the first line of `file` starting with `prefix`.
int line_of(const std::string& file, const std::string& prefix) {
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.rfind(prefix, 0) == 0) return n;
  return 0;
}

class ExplainFixture : public ::testing::Test {
 protected:
  void SetUp() override { ws = fixture_workspace(); }
  ExplainResult explain(const std::string& sym, const std::vector<std::string>& names = {}) {
    return explain_symbol(*ws, ws->matrix().select(names), sym);
  }
  static const VariantExplanation& in(const ExplainResult& r, const std::string& variant) {
    for (const auto& v : r.variants)
      if (v.variant == variant) return v;
    throw std::runtime_error("no column " + variant);
  }
  std::unique_ptr<Workspace> ws;
};

TEST_F(ExplainFixture, ValueTypePromptAndDefinition) {
  ExplainResult r = explain("CONFIG_OVERLAY_FS");  // the prefix is accepted
  EXPECT_EQ(r.symbol, "OVERLAY_FS");
  ASSERT_EQ(r.variants.size(), 4u);
  const auto& x = in(r, "6.1-x86_64");
  ASSERT_TRUE(x.found);
  EXPECT_EQ(x.value, "y");
  EXPECT_TRUE(x.in_config);
  EXPECT_TRUE(x.user_set);
  EXPECT_EQ(x.type, "tristate");
  ASSERT_EQ(x.prompts.size(), 1u);
  EXPECT_EQ(x.prompts[0].text, "Overlay filesystem support");
  EXPECT_TRUE(x.prompts[0].visible);
  EXPECT_TRUE(x.prompts[0].condition.empty());
  ASSERT_EQ(x.definitions.size(), 1u);
  EXPECT_EQ(x.definitions[0].file, "Kconfig");
  EXPECT_EQ(x.definitions[0].line,
            line_of(fixture("explain-tree-6.1/Kconfig"), "config OVERLAY_FS"));
  EXPECT_EQ(in(r, "6.12-arm64").value, "m");
  EXPECT_EQ(x.help, "An overlay filesystem combines two filesystems.");
  EXPECT_EQ(in(r, "6.12-x86_64").help,
            "An overlay filesystem combines a lower and an upper filesystem.");
  // conf's own help screen is kept for the TUI.
  EXPECT_THAT(x.conf_help, HasSubstr("CONFIG_OVERLAY_FS:"));
  EXPECT_THAT(x.conf_help, HasSubstr("Symbol: OVERLAY_FS [=y]"));
  EXPECT_THAT(x.conf_help, HasSubstr("Selects: FS_HELPER [=y]"));
}

TEST_F(ExplainFixture, DependenciesCarryOperandValues) {
  ExplainResult r = explain("OVERLAY_FS", {"6.1-x86_64"});
  const auto& x = in(r, "6.1-x86_64");
  EXPECT_EQ(x.depends_on.text, "BLOCK [=y] && !BROKEN [=n]");
  EXPECT_EQ(x.depends_on.value, Tristate::Yes);

  ExplainResult extra = explain("FS_EXTRA", {"6.1-x86_64"});
  const auto& e = in(extra, "6.1-x86_64");
  EXPECT_EQ(e.depends_on.text, "BROKEN [=n]");
  EXPECT_EQ(e.depends_on.value, Tristate::No);
  EXPECT_FALSE(e.prompts.at(0).visible);
  EXPECT_EQ(e.value, "n");
  EXPECT_TRUE(e.in_config);  // implied by OVERLAY_FS, so conf writes "is not set"
  ExplainResult broken = explain("BROKEN", {"6.1-x86_64"});
  EXPECT_EQ(broken.variants.at(0).value, "n");
  EXPECT_FALSE(broken.variants.at(0).in_config);  // no prompt, default, select or imply
  EXPECT_THAT(render_text(broken, 100), HasSubstr("n (not in .config)"));
}

TEST_F(ExplainFixture, SelectsAndImpliesBothWays) {
  ExplainResult r = explain("OVERLAY_FS");
  const auto& x = in(r, "6.1-x86_64");
  ASSERT_EQ(x.selects.size(), 1u);
  EXPECT_EQ(x.selects[0].symbol, "FS_HELPER");
  EXPECT_EQ(x.selects[0].value, "y");
  EXPECT_EQ(x.selects[0].strength, Tristate::Yes);
  ASSERT_EQ(x.implies.size(), 1u);
  EXPECT_EQ(x.implies[0].symbol, "FS_EXTRA");
  EXPECT_EQ(x.implies[0].value, "n");
  const auto& m = in(r, "6.12-x86_64");
  EXPECT_EQ(m.selects.at(0).value, "m");
  EXPECT_EQ(m.selects.at(0).strength, Tristate::Mod);

  ExplainResult helper = explain("FS_HELPER");
  const auto& h = in(helper, "6.1-arm64");
  EXPECT_TRUE(h.prompts.empty());
  ASSERT_EQ(h.selected_by.size(), 1u);
  EXPECT_EQ(h.selected_by[0].symbol, "OVERLAY_FS");
  EXPECT_EQ(h.selected_by[0].value, "y");
  EXPECT_THAT(h.selected_by[0].condition.text, HasSubstr("OVERLAY_FS [=y]"));
  EXPECT_EQ(h.selected_by[0].strength, Tristate::Yes);
  EXPECT_EQ(in(helper, "6.12-arm64").selected_by.at(0).strength, Tristate::Mod);

  ExplainResult extra = explain("FS_EXTRA", {"6.1-x86_64"});
  ASSERT_EQ(extra.variants[0].implied_by.size(), 1u);
  EXPECT_EQ(extra.variants[0].implied_by[0].symbol, "OVERLAY_FS");

  // An arch-only selector: ARM64 selects ARCH_WANTS_SMALL, nothing does on x86.
  ExplainResult small = explain("ARCH_WANTS_SMALL");
  EXPECT_EQ(in(small, "6.1-arm64").value, "y");
  EXPECT_EQ(in(small, "6.1-arm64").selected_by.at(0).symbol, "ARM64");
  EXPECT_TRUE(in(small, "6.1-x86_64").selected_by.empty());
}

TEST_F(ExplainFixture, DefaultsRangesAndRequests) {
  ExplainResult r = explain("LOG_BUF_SHIFT", {"6.1"});
  const auto& x = in(r, "6.1-x86_64");
  EXPECT_EQ(x.type, "integer");
  EXPECT_EQ(x.value, "20");
  ASSERT_EQ(x.ranges.size(), 2u);
  EXPECT_EQ(x.ranges[0].min, "12");
  EXPECT_EQ(x.ranges[0].max, "25");
  EXPECT_EQ(x.ranges[0].condition.text, "!SMALL [=n]");
  EXPECT_TRUE(x.ranges[0].active);
  EXPECT_FALSE(x.ranges[1].active);
  ASSERT_EQ(x.defaults.size(), 2u);
  EXPECT_EQ(x.defaults[0].value.text, "14");
  EXPECT_EQ(x.defaults[0].condition.text, "SMALL [=n]");
  EXPECT_FALSE(x.defaults[0].active);
  EXPECT_EQ(x.defaults[1].value.text, "17");
  EXPECT_TRUE(x.defaults[1].active);
  ASSERT_EQ(x.requests.size(), 1u);
  EXPECT_EQ(x.requests[0].fragment, "configs/base.config");
  EXPECT_EQ(x.requests[0].line, 5);
  EXPECT_EQ(x.requests[0].requested, "20");
  EXPECT_EQ(x.requests[0].reason, "out of range where SMALL is set");
  EXPECT_TRUE(x.requests[0].honored);

  // On arm64 SMALL is set: the narrower range applies and conf clamps 20 to its maximum.
  const auto& a = in(r, "6.1-arm64");
  EXPECT_EQ(a.value, "16");
  EXPECT_FALSE(a.ranges[0].active);
  EXPECT_TRUE(a.ranges[1].active);
  EXPECT_TRUE(a.defaults[0].active);
  EXPECT_FALSE(a.requests.at(0).honored);

  // A later fragment overrides an earlier one; only the last request is effective.
  ExplainResult o = explain("OVERLAY_FS", {"6.12-x86_64"});
  const auto& q = o.variants.at(0).requests;
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].fragment, "configs/base.config");
  EXPECT_EQ(q[0].line, 2);
  EXPECT_FALSE(q[0].effective);
  EXPECT_EQ(q[1].fragment, "configs/branch-6.12.config");
  EXPECT_EQ(q[1].requested, "m");
  EXPECT_TRUE(q[1].effective);
  EXPECT_TRUE(q[1].honored);

  // Nothing requests SMALL: its value is the default, taken from ARCH_WANTS_SMALL.
  ExplainResult s = explain("SMALL", {"6.1-arm64"});
  EXPECT_TRUE(s.variants.at(0).requests.empty());
  EXPECT_EQ(s.variants.at(0).defaults.at(0).value.text, "ARCH_WANTS_SMALL [=y]");
  EXPECT_EQ(s.variants.at(0).value, "y");
}

TEST_F(ExplainFixture, ChoiceMembership) {
  ExplainResult r = explain("KERNEL_GZIP");
  const auto& x = in(r, "6.1-x86_64");
  ASSERT_TRUE(x.in_choice);
  EXPECT_EQ(x.choice.prompt, "Kernel compression mode");
  EXPECT_EQ(x.choice.selected, "KERNEL_ZSTD");
  EXPECT_THAT(x.choice.members,
              ElementsAre(std::pair<std::string, std::string>{"KERNEL_GZIP", "n"},
                          std::pair<std::string, std::string>{"KERNEL_ZSTD", "y"}));
  EXPECT_EQ(x.value, "n");
  // 6.12 (new choice rules) has a third member.
  const auto& n = in(r, "6.12-x86_64");
  ASSERT_TRUE(n.in_choice);
  EXPECT_EQ(n.choice.selected, "KERNEL_ZSTD");
  EXPECT_THAT(n.choice.members, Contains(std::pair<std::string, std::string>{"KERNEL_XZ", "n"}));
  EXPECT_FALSE(explain("BLOCK", {"6.1-x86_64"}).variants.at(0).in_choice);
  // A 6.12 choice member's own dependency is shown (the choice's are part of it).
  ExplainResult xz = explain("KERNEL_XZ", {"6.12-x86_64"});
  EXPECT_THAT(xz.variants.at(0).depends_on.text, HasSubstr("BLOCK [=y]"));
  EXPECT_EQ(xz.variants.at(0).depends_on.value, Tristate::Yes);
  EXPECT_EQ(xz.variants.at(0).choice.selected, "KERNEL_ZSTD");
}

TEST_F(ExplainFixture, StringValuesAreQuoted) {
  ExplainResult r = explain("CMDLINE", {"6.12-arm64"});
  EXPECT_EQ(r.variants.at(0).type, "string");
  EXPECT_EQ(r.variants.at(0).value, "\"console=ttyS0\"");
  EXPECT_EQ(r.variants.at(0).defaults.at(0).value.text, "\"console=ttyS0\"");
}

TEST_F(ExplainFixture, UnknownSymbolSuggestsNearNames) {
  ExplainResult r = explain("CGROUP_BPF");
  EXPECT_TRUE(r.found_anywhere());
  EXPECT_TRUE(in(r, "6.1-x86_64").found);
  const auto& n = in(r, "6.12-x86_64");
  EXPECT_FALSE(n.found);
  ASSERT_FALSE(n.near_names.empty());
  EXPECT_EQ(n.near_names[0], "CGROUPS_BPF");
  std::string text = render_text(r, 150);
  EXPECT_THAT(text, HasSubstr("(not in 6.12)"));
  EXPECT_THAT(text, HasSubstr("CGROUPS_BPF"));

  ExplainResult none = explain("OVERLAYFS");
  EXPECT_FALSE(none.found_anywhere());
  EXPECT_THAT(none.variants.at(0).near_names, Contains("OVERLAY_FS"));
  // Only one arch of a branch lacks it: the column names the variant.
  ExplainResult arch = explain("X86_64");
  EXPECT_THAT(render_text(arch, 150), HasSubstr("(not in 6.1-arm64)"));
}

TEST_F(ExplainFixture, NearNamesByEditDistance) {
  ws->load_trees({ws->matrix().find_variant("6.1-x86_64")});
  const auto& tree = *ws->tree(*ws->matrix().find_variant("6.1-x86_64")).tree;
  EXPECT_THAT(near_symbol_names(tree, "log_buf_shift"), Contains("LOG_BUF_SHIFT"));
  EXPECT_THAT(near_symbol_names(tree, "KERNEL_GZ"), Contains("KERNEL_GZIP"));
  EXPECT_TRUE(near_symbol_names(tree, "COMPLETELY_UNRELATED_NAME").empty());
}

TEST_F(ExplainFixture, TextColumnsCollapseIdenticalRows) {
  ExplainResult r = explain("OVERLAY_FS");
  std::string text = render_text(r, 160);
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "CONFIG_OVERLAY_FS: Overlay filesystem support");
  for (const char* v : {"6.1-x86_64", "6.1-arm64", "6.12-x86_64", "6.12-arm64"})
    EXPECT_THAT(lines[1], HasSubstr(v));
  // Same in every variant: one spanning line.
  EXPECT_THAT(text, HasSubstr("depends on    BLOCK [=y] && !BROKEN [=n]  => y\n"));
  EXPECT_THAT(text, HasSubstr("type          tristate\n"));
  // Different: side by side, in header order.
  auto value_line = std::find_if(lines.begin(), lines.end(),
                                 [](const std::string& l) { return l.rfind("value", 0) == 0; });
  ASSERT_NE(value_line, lines.end());
  EXPECT_THAT(*value_line, ::testing::MatchesRegex("value +y +y +m +m"));
  EXPECT_THAT(text, HasSubstr("configs/branch-6.12.config:1: m"));
  EXPECT_THAT(text, HasSubstr("(overridden by a later fragment)"));
  // Help differs between branches: shown once per group.
  EXPECT_THAT(text,
              HasSubstr("help (6.1-x86_64, 6.1-arm64):\n  An overlay filesystem combines two"));
  EXPECT_THAT(text, HasSubstr("help (6.12-x86_64, 6.12-arm64):\n"));
  for (const auto& l : lines) EXPECT_LE(l.size(), 160u) << l;

  std::string one = render_text(explain("FS_EXTRA", {"6.1"}), 160);
  EXPECT_THAT(one, HasSubstr("help:\n  Never available: it depends on BROKEN.\n"));
  EXPECT_THAT(one, HasSubstr("NOT honoured: got n"));
}

TEST_F(ExplainFixture, NarrowTerminalStacksAndWraps) {
  ExplainResult r = explain("LOG_BUF_SHIFT");
  std::string text = render_text(r, 60);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) EXPECT_LE(line.size(), 60u) << line;
  EXPECT_THAT(text, HasSubstr("variants: 6.1-x86_64, 6.1-arm64, 6.12-x86_64, 6.12-arm64\n"));
  EXPECT_THAT(text, HasSubstr("value:\n  6.1-x86_64, 6.12-x86_64:\n    20\n"));
  EXPECT_THAT(text, HasSubstr("  6.1-arm64, 6.12-arm64:\n    16\n"));
  EXPECT_THAT(text, HasSubstr("CONFIG_LOG_BUF_SHIFT: Kernel log buffer size (16 => 64KB, 17\n"));
  EXPECT_THAT(text, HasSubstr("(NOT honoured: got 16)"));
  EXPECT_THAT(text, Not(HasSubstr("\nvalue  ")));
}

TEST_F(ExplainFixture, JsonCarriesEveryRow) {
  ExplainResult r = explain("LOG_BUF_SHIFT", {"6.1-arm64", "6.12"});
  auto doc = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(doc["symbol"], "LOG_BUF_SHIFT");
  ASSERT_EQ(doc["variants"].size(), 3u);
  const auto& v = doc["variants"][0];
  EXPECT_EQ(v["variant"], "6.1-arm64");
  EXPECT_EQ(v["value"], "16");
  EXPECT_EQ(v["ranges"][1]["active"], true);
  EXPECT_EQ(v["ranges"][0]["condition"]["expr"], "!SMALL [=y]");
  EXPECT_EQ(v["ranges"][0]["condition"]["value"], "n");
  EXPECT_EQ(v["defaults"][0]["active"], true);
  EXPECT_EQ(v["requests"][0]["fragment"], "configs/base.config");
  EXPECT_EQ(v["requests"][0]["honored"], false);
  EXPECT_EQ(v["definitions"][0]["file"], "Kconfig");
  EXPECT_TRUE(v["choice"].is_null());
  EXPECT_EQ(doc["variants"][1]["value"], "20");

  auto missing = nlohmann::json::parse(render_json(explain("CGROUP_BPF", {"6.12-x86_64"})));
  EXPECT_EQ(missing["variants"][0]["found"], false);
  EXPECT_EQ(missing["variants"][0]["near_names"][0], "CGROUPS_BPF");
}

// ---- the real matrix -----------------------------------------------------------------------

std::unique_ptr<Workspace> real_workspace() {
  if (!rk::testing::all_trees_fetched()) return nullptr;
  return std::make_unique<Workspace>(Matrix::load(std::string(RK_SOURCE_DIR) + "/variants.toml"),
                                     rk::testing::fetched_tree_of, ToolchainMode::Auto);
}

TEST(ExplainRealTrees, OverlayFsEverywhere) {
  auto ws = real_workspace();
  if (!ws) RK_SKIP() << "the kernel trees are not fetched (runner-kernel fetch)";
  const Matrix& m = ws->matrix();
  ExplainResult r = explain_symbol(*ws, m.select({}), "OVERLAY_FS");
  ASSERT_EQ(r.variants.size(), m.variants.size());
  for (const auto& v : r.variants) {
    SCOPED_TRACE(v.variant);
    ASSERT_TRUE(v.found);
    EXPECT_EQ(v.type, "tristate");
    EXPECT_EQ(v.definitions.at(0).file, "fs/overlayfs/Kconfig");
    EXPECT_EQ(v.prompts.at(0).text, "Overlay filesystem support");
    EXPECT_TRUE(v.depends_on.empty());  // only selects: EXPORTFS (and FS_STACK on 6.12)
    ASSERT_FALSE(v.selects.empty());
    EXPECT_EQ(v.selects.back().symbol, "EXPORTFS");
    EXPECT_EQ(v.selects.back().value, "y");
    EXPECT_FALSE(v.help.empty());
    // Whatever fragment requests it, the explanation points at that line.
    ASSERT_FALSE(v.requests.empty());
    const ExplainRequest& q = v.requests.back();
    const FragmentSetting* s = ws->fragment(q.fragment).find("OVERLAY_FS");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->line, q.line);
    EXPECT_TRUE(q.honored) << "requested " << q.requested << ", got " << v.value;
    EXPECT_EQ(v.value, q.requested);
  }
  std::string text = render_text(r, 200);
  EXPECT_THAT(text, HasSubstr("fs/overlayfs/Kconfig:"));
  // A dependent option shows the dependency with its value.
  ExplainResult dir = explain_symbol(*ws, m.select({"6.1-x86_64"}), "OVERLAY_FS_REDIRECT_DIR");
  EXPECT_EQ(dir.variants.at(0).depends_on.text, "OVERLAY_FS [=y]");
  EXPECT_EQ(dir.variants.at(0).depends_on.value, Tristate::Yes);
  EXPECT_THAT(text, HasSubstr("help"));
}

TEST(ExplainRealTrees, CliJson) {
  auto ws = real_workspace();
  if (!ws) RK_SKIP() << "the kernel trees are not fetched (runner-kernel fetch)";
  std::string cmd = std::string(RK_CLI) + " config --matrix " + RK_SOURCE_DIR +
                    "/variants.toml explain OVERLAY_FS --variant 6.1 --json 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ASSERT_EQ(pclose(p), 0) << out;
  auto doc = nlohmann::json::parse(out);
  ASSERT_EQ(doc["variants"].size(), 2u);
  EXPECT_EQ(doc["variants"][0]["variant"], "6.1-x86_64");
  EXPECT_EQ(doc["variants"][1]["variant"], "6.1-arm64");
  EXPECT_EQ(doc["variants"][0]["definitions"][0]["file"], "fs/overlayfs/Kconfig");
}

}  // namespace
}  // namespace rk::variants
