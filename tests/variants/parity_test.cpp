#include "parity.hpp"
#include "../fetched_trees.hpp"
#include "../rk_skip.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::variants {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const char* kSeed =
    "symbol\t5.10-x86_64\t6.1-x86_64\n"
    "A\ty\ty\n"
    "B\tm\t-\n"
    "S\t\"old\"\t\"old\"\n"
    "N\t39\t39\n";

std::string dropped_md(const std::string& rows) {
  return "# Dropped\n\nSome text | with a bar.\n\n"
         "| symbol | variants | old value | ours | reason |\n"
         "| --- | --- | --- | --- | --- |\n" +
         rows + "\nAfter the table.\n";
}

const std::map<std::string, std::string> kResolved = {
    {"5.10-x86_64", "CONFIG_A=y\nCONFIG_B=y\nCONFIG_S=\"new\"\nCONFIG_N=48\n"},
    {"6.1-x86_64", "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_S=\"old\"\nCONFIG_N=48\n"},
};

ParityResult check(const std::string& rows) {
  SeedTable seed = parse_seed_table(kSeed, "seed.tsv");
  return check_parity(seed, parse_dropped(dropped_md(rows), "DROPPED.md", seed.variants),
                      kResolved);
}

std::vector<std::string> kinds(const ParityResult& r) {
  std::vector<std::string> out;
  for (const auto& i : r.issues)
    out.push_back(std::string(parity_issue_name(i.kind)) + " " + i.symbol + " " + i.variant);
  return out;
}

const std::string kGoodRows =
    "| B | 5.10-x86_64 | m | y | module->builtin |\n"
    "| S | 5.10-x86_64 | `\"old\"` | \"new\" | renamed upstream |\n"
    "| N | all | 39 | 48 | changed on purpose |\n";

TEST(ParityParse, SeedTableAndDroppedRows) {
  SeedTable seed = parse_seed_table(kSeed, "seed.tsv");
  ASSERT_EQ(seed.variants, (std::vector<std::string>{"5.10-x86_64", "6.1-x86_64"}));
  ASSERT_EQ(seed.rows.size(), 4u);
  EXPECT_EQ(seed.rows[2].values[0], "\"old\"");
  auto rows = parse_dropped(dropped_md(kGoodRows + "| X | a, b | y | n | why \\| not |\n"),
                            "DROPPED.md", seed.variants);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].old_value, "\"old\"");
  EXPECT_EQ(rows[2].variants, seed.variants);
  EXPECT_EQ(rows[2].line, 9);
  EXPECT_EQ(rows[3].variants, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rows[3].reason, "why | not");
  EXPECT_THROW(parse_seed_table("symbol\ta\nA\ty\tn\n", "s"), VariantsError);
  EXPECT_THROW(parse_seed_table("symbol\ta\nA\ty\nA\tn\n", "s"), VariantsError);
  EXPECT_THROW(parse_dropped("no table\n", "d", seed.variants), VariantsError);
  EXPECT_THROW(parse_dropped(dropped_md("| A | all | y |\n"), "d", seed.variants), VariantsError);
}

TEST(Parity, PassesWhenEveryDifferenceIsListed) {
  ParityResult r = check(kGoodRows);
  EXPECT_TRUE(r.ok()) << format_parity(r);
  EXPECT_EQ(r.checked, 7u);
  EXPECT_EQ(r.matched, 3u);  // A twice, S on 6.1
  EXPECT_EQ(r.dropped, 4u);
  EXPECT_THAT(format_parity(r), HasSubstr("7 old settings checked: 3 match, 4 explained"));
}

TEST(Parity, UnlistedDifferenceIsReported) {
  ParityResult r = check(
      "| B | 5.10-x86_64 | m | y | module->builtin |\n"
      "| N | all | 39 | 48 | changed on purpose |\n");
  ASSERT_EQ(kinds(r), (std::vector<std::string>{"mismatch S 5.10-x86_64"}));
  EXPECT_EQ(r.issues[0].old_value, "\"old\"");
  EXPECT_EQ(r.issues[0].ours, "\"new\"");
  // Listed for the other variant only: still a mismatch here.
  r = check(kGoodRows.substr(0, kGoodRows.find("| N")) + "| N | 6.1-x86_64 | 39 | 48 | x |\n");
  EXPECT_EQ(kinds(r), (std::vector<std::string>{"mismatch N 5.10-x86_64"}));
}

TEST(Parity, RowWithoutReasonIsAnError) {
  ParityResult r = check(kGoodRows + "| A | 6.1-x86_64 | y | n |  |\n");
  auto k = kinds(r);
  EXPECT_THAT(k, ::testing::Contains("missing-reason A "));
}

TEST(Parity, StaleRowsAreReported) {
  // A matches on both variants; B was not set by the 6.1 config; Z is not in the seed table.
  ParityResult r = check(kGoodRows + "| A | 5.10-x86_64 | y | y | was different |\n" +
                         "| B | 6.1-x86_64 | m | n | not set |\n" + "| Z | all | y | n | gone |\n");
  EXPECT_EQ(kinds(r),
            (std::vector<std::string>{"stale-matches A 5.10-x86_64", "stale-not-set B 6.1-x86_64",
                                      "stale-not-in-table Z "}));
}

TEST(Parity, WrongColumnsUnknownVariantsAndDuplicatesAreReported) {
  ParityResult r = check(
      "| B | 5.10-x86_64 | y | n | module->builtin |\n"
      "| S | 5.10-x86_64 | \"old\" | \"new\" | renamed |\n"
      "| N | all | 39 | 48 | on purpose |\n"
      "| N | 6.1-x86_64 | 39 | 48 | again |\n"
      "| A | 6.1-arm64 | y | y | no such column |\n");
  EXPECT_EQ(kinds(r),
            (std::vector<std::string>{"wrong-old-value B 5.10-x86_64", "wrong-ours B 5.10-x86_64",
                                      "bad-row N 6.1-x86_64", "bad-row A 6.1-arm64"}));
  EXPECT_THAT(r.issues[0].detail, HasSubstr("DROPPED.md:7"));
}

TEST(Parity, MissingResolutionIsReported) {
  SeedTable seed = parse_seed_table(kSeed, "seed.tsv");
  ParityResult r = check_parity(seed, {}, {{"5.10-x86_64", "CONFIG_A=y\n"}});
  EXPECT_THAT(kinds(r), ::testing::Contains("not-resolved  6.1-x86_64"));
}

// --- the shipped matrix against the old configs ---------------------------------------------

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ParityRealMatrix, OldConfigsAreMatchedOrExplained) {
  const std::string src = RK_SOURCE_DIR;
  Matrix m = Matrix::load(src + "/variants.toml");
  for (const char* b : {"5.10", "6.1"})
    if (rk::testing::fetched_tree(b).empty())
      RK_SKIP() << "the " << b << " tree is not fetched (runner-kernel fetch " << b << ")";
  const std::string seed_path = src + "/tests/variants/parity/seed-options.tsv";
  const std::string dropped_path = src + "/configs/DROPPED.md";
  SeedTable seed = parse_seed_table(read(seed_path), seed_path);
  std::vector<DroppedRow> dropped =
      parse_dropped(read(dropped_path), "configs/DROPPED.md", seed.variants);
  Workspace ws(std::move(m), rk::testing::fetched_tree_of);
  std::vector<const Variant*> variants;
  for (const auto& name : seed.variants) {
    const Variant* v = ws.matrix().find_variant(name);
    ASSERT_NE(v, nullptr) << name;
    variants.push_back(v);
  }
  ws.load_trees(variants);
  std::map<std::string, std::string> resolved;
  for (const Variant* v : variants) resolved[v->name] = ws.resolve(*v).config_text;
  ParityResult r = check_parity(seed, dropped, resolved, "configs/DROPPED.md");
  std::cout << format_parity(r);
  EXPECT_GT(r.checked, 4000u);
  EXPECT_TRUE(r.ok()) << format_parity(r);
}

}  // namespace
}  // namespace rk::variants
