#include "variants/import.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "variants/lint.hpp"

namespace rk::variants {
namespace {

using ::testing::HasSubstr;

const std::string kFixture = std::string(RK_FIXTURES) + "/import-basic";

Workspace::TreeLocator fixture_locator() {
  return [](const BranchSpec& b) { return kFixture + "/trees/" + b.name; };
}

std::unique_ptr<Workspace> fixture_workspace() {
  return std::make_unique<Workspace>(Matrix::load(kFixture + "/variants.toml"), fixture_locator(),
                                     ToolchainMode::Live);
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> line_texts(const std::vector<ImportLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.symbol + "=" + l.value);
  return out;
}

// Every value `file` sets, compared with a resolution.
std::vector<std::string> differences(const std::string& file, const std::string& resolved) {
  ConfigValues want = parse_config_values(file), got = parse_config_values(resolved);
  std::vector<std::string> out;
  for (const auto& [sym, val] : want.entries) {
    const std::string* g = got.find(sym);
    bool same = val == "n" ? (!g || *g == "n") : (g && *g == val);
    if (!same) out.push_back(sym + ": want " + val + " got " + (g ? *g : "-"));
  }
  return out;
}

TEST(Import, MinimalLinesReproduceTheFileExactly) {
  auto ws = fixture_workspace();
  const Variant& v = *ws->matrix().find_variant("6.1-x86_64");
  std::string file = read(kFixture + "/old-x86_64.config");
  VariantImport imp = import_config(*ws, v, file, "old-x86_64.config");
  EXPECT_TRUE(imp.problems.empty());
  EXPECT_EQ(imp.file_settings, 12u);
  EXPECT_EQ(imp.reproduced, 12u);
  // NETFILTER is already in the fragments, CRYPTO follows CRYPTO_SHA, TOOL_VERSION and NET are
  // defaults; MODULES=y is the default but the fragments turned it off, so it needs a line.
  EXPECT_EQ(line_texts(imp.lines),
            (std::vector<std::string>{"MODULES=y", "NF_NAT=y", "CRYPTO_SHA=y", "DEBUG=n",
                                      "COMP_ZSTD=y", "HZ=1000", "NAME=\"runner\""}));

  // Written as fragments and listed in variants.toml, a fresh workspace resolves the file.
  ImportPlan plan = plan_import(ws->matrix(), {imp}, "old");
  ASSERT_EQ(plan.fragments.size(), 1u);
  EXPECT_EQ(plan.fragments[0].path, "configs/imported/old.config");
  EXPECT_EQ(plan.fragments[0].arches, (std::vector<std::string>{"x86_64"}));
  EXPECT_TRUE(plan.fragments[0].branches.empty());  // the matrix has one branch
  EXPECT_THAT(plan.fragments[0].text, HasSubstr("CONFIG_HZ=1000        # imported from "
                                                "old-x86_64.config\n"));
  EXPECT_EQ(verify_plan(*ws, plan, {file}), 0u);

  std::string toml = add_fragment_entries(ws->matrix(), read(ws->matrix().path), plan.fragments);
  EXPECT_THAT(toml, HasSubstr("\n[[fragment]]\npath = \"configs/imported/old.config\"\n"
                              "arches = [\"x86_64\"]\n"));
  Workspace fresh(Matrix::parse(toml, ws->matrix().path), fixture_locator(), ToolchainMode::Live);
  fresh.set_fragment_text(plan.fragments[0].path, plan.fragments[0].text);
  const Variant& nv = *fresh.matrix().find_variant("6.1-x86_64");
  EXPECT_THAT(differences(file, fresh.resolve(nv).config_text), ::testing::IsEmpty());
  // Before the import it did differ; the other arch is untouched.
  EXPECT_THAT(differences(file, ws->resolve(v).config_text), ::testing::Not(::testing::IsEmpty()));
  EXPECT_EQ(fresh.resolve(*fresh.matrix().find_variant("6.1-arm64")).config_text,
            ws->resolve(*ws->matrix().find_variant("6.1-arm64")).config_text);
  // Every imported line carries a (placeholder) reason.
  for (const auto& s : parse_fragment(plan.fragments[0].text, "x").settings)
    EXPECT_EQ(s.reason, "imported from old-x86_64.config");
}

TEST(Import, FactorsCommonLinesIntoASharedFragment) {
  auto ws = fixture_workspace();
  const Matrix& m = ws->matrix();
  std::string x86 = read(kFixture + "/old-x86_64.config");
  std::string arm = read(kFixture + "/old-arm64.config");
  std::vector<VariantImport> imports = {
      import_config(*ws, *m.find_variant("6.1-x86_64"), x86, "old-x86_64.config"),
      import_config(*ws, *m.find_variant("6.1-arm64"), arm, "old-arm64.config")};
  EXPECT_TRUE(imports[1].problems.empty());
  ImportPlan plan = plan_import(m, imports, "old");
  ASSERT_EQ(plan.fragments.size(), 3u);
  const auto& shared = plan.fragments[0];
  EXPECT_EQ(shared.path, "configs/imported/old.config");
  EXPECT_TRUE(shared.arches.empty());
  EXPECT_TRUE(shared.branches.empty());
  EXPECT_EQ(shared.variants, (std::vector<std::string>{"6.1-x86_64", "6.1-arm64"}));
  EXPECT_EQ(line_texts(shared.lines),
            (std::vector<std::string>{"MODULES=y", "NF_NAT=y", "CRYPTO_SHA=y", "DEBUG=n",
                                      "COMP_ZSTD=y", "NAME=\"runner\""}));
  EXPECT_THAT(shared.text, HasSubstr("# imported from old-x86_64.config, old-arm64.config\n"));
  EXPECT_EQ(plan.fragments[1].path, "configs/imported/old-x86_64.config");
  EXPECT_EQ(plan.fragments[1].arches, (std::vector<std::string>{"x86_64"}));
  EXPECT_EQ(line_texts(plan.fragments[1].lines), (std::vector<std::string>{"HZ=1000"}));
  EXPECT_EQ(plan.fragments[2].path, "configs/imported/old-arm64.config");
  EXPECT_EQ(line_texts(plan.fragments[2].lines), (std::vector<std::string>{"ARM_FEATURE=y"}));
  EXPECT_EQ(verify_plan(*ws, plan, {x86, arm}), 0u);

  std::string out = format_import_plan(plan);
  EXPECT_THAT(out, HasSubstr("6.1-arm64 from old-arm64.config: 14 settings, 7 new line(s), 14 "
                             "reproduced, 0 cannot land"));
  EXPECT_THAT(out, HasSubstr("=== configs/imported/old-x86_64.config (arches: x86_64; "
                             "branches: all) -> 6.1-x86_64"));

  std::string toml = add_fragment_entries(m, read(m.path), plan.fragments);
  Workspace fresh(Matrix::parse(toml, m.path), fixture_locator(), ToolchainMode::Live);
  for (const auto& f : plan.fragments) fresh.set_fragment_text(f.path, f.text);
  const Matrix& fm = fresh.matrix();
  EXPECT_THAT(differences(x86, fresh.resolve(*fm.find_variant("6.1-x86_64")).config_text),
              ::testing::IsEmpty());
  EXPECT_THAT(differences(arm, fresh.resolve(*fm.find_variant("6.1-arm64")).config_text),
              ::testing::IsEmpty());
  // Listing the same fragment twice is refused.
  EXPECT_THROW(add_fragment_entries(fm, toml, plan.fragments), VariantsError);
}

TEST(Import, ReportsWhatCannotLandAndWhy) {
  auto ws = fixture_workspace();
  const Variant& v = *ws->matrix().find_variant("6.1-x86_64");
  std::string file = read(kFixture + "/old-x86_64.config");
  file += "CONFIG_GONE=y\nCONFIG_ARM_FEATURE=y\n";
  size_t pos = file.find("CONFIG_TOOL_VERSION=1200");
  file.replace(pos, 24, "CONFIG_TOOL_VERSION=1100");
  VariantImport imp = import_config(*ws, v, file, "bad.config");
  ASSERT_EQ(imp.problems.size(), 3u);
  EXPECT_EQ(imp.reproduced, imp.file_settings - 3);
  EXPECT_EQ(imp.problems[0].symbol, "TOOL_VERSION");
  EXPECT_EQ(imp.problems[0].got, "1200");
  EXPECT_THAT(imp.problems[0].why, HasSubstr("not user-settable"));
  EXPECT_EQ(imp.problems[1].symbol, "GONE");
  EXPECT_THAT(imp.problems[1].why, HasSubstr("unknown symbol in 6.1.1 x86_64"));
  EXPECT_EQ(imp.problems[2].symbol, "ARM_FEATURE");
  EXPECT_EQ(imp.problems[2].got, "-");
  EXPECT_THAT(imp.problems[2].why, HasSubstr("its dependencies are off: ARM64 [=n]"));
  // The lines that can land still do.
  EXPECT_EQ(imp.lines.size(), 7u);
  ImportPlan plan = plan_import(ws->matrix(), {imp}, "bad");
  EXPECT_EQ(verify_plan(*ws, plan, {file}), 3u);
  EXPECT_THAT(format_import_plan(plan),
              HasSubstr("cannot land on 6.1-x86_64 (bad.config):\n  CONFIG_TOOL_VERSION=1100 "
                        "(resolves to 1200): does not hold even with bad.config alone on 6.1.1 "
                        "x86_64: not user-settable"));
}

TEST(Import, NothingToAddWhenTheFragmentsAlreadyGiveTheFile) {
  auto ws = fixture_workspace();
  const Variant& v = *ws->matrix().find_variant("6.1-arm64");
  std::string resolved = ws->resolve(v).config_text;
  VariantImport imp = import_config(*ws, v, resolved, "resolved.config");
  EXPECT_TRUE(imp.lines.empty());
  EXPECT_TRUE(imp.problems.empty());
  ImportPlan plan = plan_import(ws->matrix(), {imp}, "none");
  EXPECT_TRUE(plan.fragments.empty());
  EXPECT_THAT(format_import_plan(plan), HasSubstr("no new lines"));
}

TEST(Import, PlanRefusesTheSameVariantTwice) {
  auto ws = fixture_workspace();
  VariantImport a;
  a.variant = "6.1-x86_64";
  EXPECT_THROW(plan_import(ws->matrix(), {a, a}, "x"), VariantsError);
}

}  // namespace
}  // namespace rk::variants
