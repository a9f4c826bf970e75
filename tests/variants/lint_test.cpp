#include "variants/lint.hpp"
#include "../fetched_trees.hpp"
#include "../rk_skip.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

namespace rk::variants {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kFixture = std::string(RK_FIXTURES) + "/lint-basic";

std::unique_ptr<Workspace> fixture_workspace() {
  Matrix m = Matrix::load(kFixture + "/variants.toml");
  return std::make_unique<Workspace>(
      std::move(m), [](const BranchSpec& b) { return kFixture + "/trees/" + b.name; },
      ToolchainMode::Live);
}

LintReport run(Workspace& ws, const RuleSet& rules) {
  std::vector<const Variant*> all;
  for (const auto& v : ws.matrix().variants) all.push_back(&v);
  return lint_variants(ws, rules, all);
}

RuleSet fixture_rules(const Matrix& m) {
  return load_rules(kFixture + "/rules.toml", &m);
}

std::vector<const LintFailure*> failures_of(const LintReport& r, const std::string& rule) {
  std::vector<const LintFailure*> out;
  for (const auto& f : r.failures)
    if (f.rule == rule) out.push_back(&f);
  return out;
}

const LintFailure* failure(const LintReport& r, const std::string& rule,
                           const std::string& variant) {
  for (const auto& f : r.failures)
    if (f.rule == rule && f.variant == variant) return &f;
  return nullptr;
}

std::string base_text(const std::string& extra, const std::string& drop = "") {
  std::string text =
      "# The boot log goes to the serial console.\n"
      "CONFIG_SERIAL=y\n"
      "CONFIG_SERIAL_CONSOLE=y\n"
      "\n"
      "CONFIG_GZIP=y                  # the initramfs is gzip-compressed\n"
      "CONFIG_LSM=\"yama,selinux\"      # yama first\n";
  if (!drop.empty()) {
    size_t pos = text.find(drop);
    text.erase(pos, text.find('\n', pos) + 1 - pos);
  }
  return text + extra;
}

TEST(ConfigValues, ParsesSettingsNotSetAndTrailingComments) {
  ConfigValues v = parse_config_values(
      "#\n# comment\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_S=\"a # b\"  # why\n"
      "CONFIG_A=m\nCONFIG_N=0x10\n");
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(*v.find("A"), "m");
  EXPECT_EQ(*v.find("B"), "n");
  EXPECT_EQ(*v.find("S"), "\"a # b\"");
  EXPECT_EQ(*v.find("N"), "0x10");
  EXPECT_EQ(v.find("C"), nullptr);
  EXPECT_EQ(v.entries.front().first, "A");
}

TEST(LintConditions, ValuesAbsenceAndNegation) {
  RuleSet rs = parse_rules(
      "[[rule]]\nid = \"r\"\ngroup = \"g\"\nreason = \"x\"\n"
      "require = [\"A=n\", \"B!=m\", \"S=\\\"a b\\\"\", \"N=48\", \"H=0x10\"]\n",
      "rules.toml");
  const auto& c = rs.rules.at(0).require;
  std::string n = "n", y = "y", m = "m", s = "\"a b\"", other = "\"a\"", num = "48", hex = "0x10";
  EXPECT_TRUE(condition_holds(c[0], nullptr));  // SYM=n holds when absent
  EXPECT_TRUE(condition_holds(c[0], &n));
  EXPECT_FALSE(condition_holds(c[0], &y));
  EXPECT_TRUE(condition_holds(c[1], &y));
  EXPECT_TRUE(condition_holds(c[1], nullptr));
  EXPECT_FALSE(condition_holds(c[1], &m));
  EXPECT_TRUE(condition_holds(c[2], &s));
  EXPECT_FALSE(condition_holds(c[2], &other));
  EXPECT_FALSE(condition_holds(c[2], nullptr));
  EXPECT_TRUE(condition_holds(c[3], &num));
  EXPECT_FALSE(condition_holds(c[3], nullptr));
  EXPECT_TRUE(condition_holds(c[4], &hex));
}

TEST(LintRules, MalformedRulesAreRejectedWithTheirLine) {
  Matrix m = Matrix::load(kFixture + "/variants.toml");
  auto error = [&](const std::string& text) {
    try {
      parse_rules(text, "rules.toml", &m);
    } catch (const VariantsError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string head = "[[rule]]\nid = \"a\"\ngroup = \"g\"\nreason = \"r\"\n";
  EXPECT_THAT(error(head + "require = [\"A=y\"]\narch = [\"x86_64\"]\n"),
              HasSubstr("rules.toml:6: unknown key 'arch'"));
  EXPECT_THAT(error(head + "require = [\"A=y\"]\n" + head + "require = [\"B=y\"]\n"),
              HasSubstr("rule id 'a' is already used at line 1"));
  EXPECT_THAT(error(head + "require = [\"CONFIG_A=y\"]\n"), HasSubstr("without the CONFIG_"));
  EXPECT_THAT(error(head + "require = [\"A=yes\"]\n"), HasSubstr("must be y, m, n, a number"));
  EXPECT_THAT(error(head + "require = [\"A\"]\n"), HasSubstr("SYM=VALUE or SYM!=VALUE"));
  EXPECT_THAT(error(head), HasSubstr("needs 'require' or 'any_of'"));
  EXPECT_THAT(error(head + "require = [\"A=y\"]\narches = [\"riscv\"]\n"),
              HasSubstr("rules.toml:6: rule a: unknown arch 'riscv'"));
  EXPECT_THAT(error(head + "require = [\"A=y\"]\nbranches = [\"4.19\"]\n"),
              HasSubstr("unknown branch '4.19'"));
  EXPECT_THAT(error("[[rule]]\nid = \"a\"\ngroup = \"g\"\nrequire = [\"A=y\"]\nreason = \"\"\n"),
              HasSubstr("'reason' is empty"));
  EXPECT_THAT(error("[[rule]]\nid = \"a\"\ngroup = \"builtin\"\nrequire = [\"A=y\"]\n"
                    "reason = \"r\"\n"),
              HasSubstr("reserved"));
}

TEST(Lint, FixturePassesAsShipped) {
  auto ws = fixture_workspace();
  LintReport r = run(*ws, fixture_rules(ws->matrix()));
  EXPECT_TRUE(r.ok()) << format_lint_report(r);
  ASSERT_EQ(r.variants.size(), 4u);
  EXPECT_EQ(r.groups, (std::vector<std::string>{"boot", "runner", "builtin"}));
  // 6.1-arm64: serial, initrd (boot; acpi-needs-pci is x86 only), va-bits, old-name-off,
  // lsm-order, no-modules (runner), no-modules + reasons (builtin).
  const auto& arm = r.variants[1];
  EXPECT_EQ(arm.variant, "6.1-arm64");
  EXPECT_EQ(arm.groups.at("boot").pass, 2);
  EXPECT_EQ(arm.groups.at("runner").pass, 4);
  EXPECT_EQ(arm.groups.at("builtin").pass, 2);
  EXPECT_EQ(arm.skipped, 1);
  // 6.1-x86_64: acpi-needs-pci applies by arch but its `when` does not hold.
  EXPECT_EQ(r.variants[0].skipped, 2);
  EXPECT_THAT(format_lint_report(r), HasSubstr("lint passed"));
}

TEST(Lint, RequireFailureShowsTheActualValues) {
  auto ws = fixture_workspace();
  ws->set_fragment_text("configs/base.config", base_text("", "CONFIG_SERIAL=y"));
  LintReport r = run(*ws, fixture_rules(ws->matrix()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(failures_of(r, "serial").size(), 4u);
  const LintFailure* f = failure(r, "serial", "6.12-arm64");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, "require");
  EXPECT_EQ(f->group, "boot");
  ASSERT_EQ(f->checks.size(), 2u);
  EXPECT_EQ(f->checks[0].condition, "SERIAL=y");
  EXPECT_EQ(f->checks[0].actual, "SERIAL=n");
  EXPECT_EQ(f->checks[1].condition, "SERIAL_CONSOLE=y");
  EXPECT_EQ(f->checks[1].actual, "SERIAL_CONSOLE absent from .config");
  EXPECT_EQ(f->reason, "boot log on the serial console");
  EXPECT_EQ(r.variants[3].groups.at("boot").fail, 1);
  std::string text = format_lint_report(r);
  EXPECT_THAT(text, HasSubstr("6.12-arm64  serial [boot, require]"));
  EXPECT_THAT(text, HasSubstr("got SERIAL_CONSOLE absent from .config"));
  EXPECT_THAT(text, HasSubstr("reason: boot log on the serial console"));
}

TEST(Lint, AnyOfFailsWhenNoneHolds) {
  auto ws = fixture_workspace();
  ws->set_fragment_text("configs/base.config", base_text("", "CONFIG_GZIP=y"));
  LintReport r = run(*ws, fixture_rules(ws->matrix()));
  const LintFailure* f = failure(r, "initrd", "6.1-x86_64");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, "any_of");
  ASSERT_EQ(f->checks.size(), 1u);
  EXPECT_EQ(f->checks[0].condition, "any of GZIP=y | ZSTD=y");
  EXPECT_EQ(f->checks[0].actual, "GZIP=n, ZSTD=n");
  // One alternative is enough.
  ws->set_fragment_text("configs/base.config",
                        base_text("CONFIG_ZSTD=y  # zstd instead\n", "CONFIG_GZIP=y"));
  EXPECT_TRUE(run(*ws, fixture_rules(ws->matrix())).ok());
}

TEST(Lint, WhenGuardsTheRequirementAndArchesFilter) {
  auto ws = fixture_workspace();
  ws->set_fragment_text("configs/base.config", base_text("CONFIG_ACPI=y  # power button\n"));
  LintReport r = run(*ws, fixture_rules(ws->matrix()));
  auto fs = failures_of(r, "acpi-needs-pci");
  ASSERT_EQ(fs.size(), 2u);  // x86_64 only: the arm64 variants are filtered out
  EXPECT_EQ(fs[0]->variant, "6.1-x86_64");
  EXPECT_EQ(fs[1]->variant, "6.12-x86_64");
  EXPECT_EQ(fs[0]->context, "when ACPI=y (ACPI=y)");
  EXPECT_EQ(fs[0]->checks.at(0).actual, "PCI=n");
  ws->set_fragment_text("configs/base.config",
                        base_text("CONFIG_ACPI=y  # power button\nCONFIG_PCI=y  # virtio-pci\n"));
  EXPECT_TRUE(run(*ws, fixture_rules(ws->matrix())).ok());
}

TEST(Lint, NumberRuleFailsOnTheArchItNames) {
  auto ws = fixture_workspace();
  ws->set_fragment_text("configs/arm64.config", "# nothing\n");
  LintReport r = run(*ws, fixture_rules(ws->matrix()));
  auto fs = failures_of(r, "va-bits");
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0]->variant, "6.1-arm64");
  EXPECT_EQ(fs[0]->checks.at(0).actual, "VA_BITS=39");
}

TEST(Lint, StringAndNegatedConditionsFail) {
  auto ws = fixture_workspace();
  ws->set_fragment_text("configs/base.config", base_text("", "CONFIG_LSM="));
  LintReport r = run(*ws, fixture_rules(ws->matrix()));
  const LintFailure* f = failure(r, "lsm-order", "6.1-x86_64");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->checks.size(), 2u);
  EXPECT_EQ(f->checks[0].condition, "LSM=\"yama,selinux\"");
  EXPECT_EQ(f->checks[0].actual, "LSM=\"yama\"");
  EXPECT_EQ(f->checks[1].condition, "LSM!=\"yama\"");
}

TEST(Lint, RuleNamingAnUnknownSymbolFailsInThatBranch) {
  auto ws = fixture_workspace();
  RuleSet rules = fixture_rules(ws->matrix());
  // Without the branch filter, OLD_NAME=n would "hold" on 6.12 (absent) if unknown symbols
  // were not reported.
  for (auto& rule : rules.rules)
    if (rule.id == "old-name-off") rule.branches.clear();
  LintReport r = run(*ws, rules);
  auto fs = failures_of(r, "old-name-off");
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0]->variant, "6.12-x86_64");
  EXPECT_EQ(fs[0]->kind, "unknown-symbol");
  EXPECT_THAT(fs[0]->checks.at(0).actual, HasSubstr("OLD_NAME is not defined in 6.12.1 x86_64"));
  // Unknown in `when` and `any_of` count too.
  RuleSet extra = parse_rules(
      "[[rule]]\nid = \"w\"\ngroup = \"g\"\nreason = \"r\"\nwhen = [\"GONE=y\"]\n"
      "require = [\"SERIAL=y\"]\n"
      "[[rule]]\nid = \"a\"\ngroup = \"g\"\nreason = \"r\"\nany_of = [\"GZIP=y\", \"GONE=y\"]\n",
      "rules.toml");
  LintReport r2 = run(*ws, extra);
  EXPECT_EQ(failures_of(r2, "w").size(), 4u);
  EXPECT_EQ(failures_of(r2, "a").size(), 4u);
}

TEST(Lint, BuiltinNoModulesReportsEachModuleSymbol) {
  auto ws = fixture_workspace();
  RuleSet no_rules;
  ws->set_fragment_text("configs/base.config",
                        base_text("CONFIG_MODULES=y  # testing\nCONFIG_DRIVER=m  # testing\n"));
  LintReport r = run(*ws, no_rules);
  auto fs = failures_of(r, kRuleNoModules);
  ASSERT_EQ(fs.size(), 4u);
  EXPECT_EQ(fs[0]->group, "builtin");
  EXPECT_EQ(fs[0]->kind, "module");
  ASSERT_EQ(fs[0]->checks.size(), 1u);
  EXPECT_EQ(fs[0]->checks[0].condition, "DRIVER!=m");
  EXPECT_EQ(fs[0]->checks[0].actual, "DRIVER=m");
  // The file's own rules catch it too.
  LintReport r2 = run(*ws, fixture_rules(ws->matrix()));
  EXPECT_EQ(failures_of(r2, "no-modules").size(), 4u);
}

TEST(Lint, BuiltinReasonsReportsSettingsWithoutOne) {
  auto ws = fixture_workspace();
  RuleSet no_rules;
  ws->set_fragment_text("configs/base.config", base_text("\nCONFIG_PCI=y\n"));
  ws->set_fragment_text("configs/arm64.config", "CONFIG_VA_BITS=48\n");
  LintReport r = run(*ws, no_rules);
  auto fs = failures_of(r, kRuleReasons);
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0]->variant, "6.1-arm64,6.12-arm64");
  EXPECT_EQ(fs[0]->checks[0].condition, "configs/arm64.config:1: CONFIG_VA_BITS=48");
  EXPECT_EQ(fs[1]->variant, "all");
  EXPECT_EQ(fs[1]->checks[0].condition, "configs/base.config:8: CONFIG_PCI=y");
  EXPECT_EQ(r.variants[0].groups.at("builtin").fail, 1);
  EXPECT_EQ(r.variants[0].groups.at("builtin").pass, 1);
}

TEST(Lint, JsonCarriesTheTableAndFailures) {
  auto ws = fixture_workspace();
  ws->set_fragment_text("configs/base.config", base_text("", "CONFIG_SERIAL=y"));
  LintReport r = run(*ws, fixture_rules(ws->matrix()));
  auto j = nlohmann::json::parse(lint_report_json(r));
  EXPECT_FALSE(j["ok"].get<bool>());
  EXPECT_EQ(j["variants"].size(), 4u);
  EXPECT_EQ(j["variants"][0]["groups"]["boot"]["fail"], 1);
  EXPECT_EQ(j["failures"][0]["rule"], "serial");
  EXPECT_EQ(j["failures"][0]["checks"][1]["actual"], "SERIAL_CONSOLE absent from .config");
}

// --- the shipped matrix -------------------------------------------------------------------

TEST(LintRealMatrix, ShippedMatrixPassesOnAllVariants) {
  Matrix m = Matrix::load(std::string(RK_SOURCE_DIR) + "/variants.toml");
  if (!rk::testing::all_trees_fetched())
    RK_SKIP() << "the kernel trees are not fetched (runner-kernel fetch)";
  RuleSet rules = load_rules(m.absolute("configs/rules.toml"), &m);
  Workspace ws(std::move(m), rk::testing::fetched_tree_of);
  LintReport r = run(ws, rules);
  EXPECT_EQ(r.variants.size(), 6u);
  EXPECT_TRUE(r.ok()) << format_lint_report(r);
  std::cout << format_lint_report(r);
}

}  // namespace
}  // namespace rk::variants
