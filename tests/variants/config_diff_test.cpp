// `config diff`: the semantic diff of .config texts, and the three comparisons (variants,
// branches, a git revision against the working tree) on fixture trees, plus the real matrix
// when its trees exist.
#include "variants/config_diff.hpp"
#include "../fetched_trees.hpp"
#include "../rk_skip.hpp"

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
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Kind = SymbolChange::Kind;

std::string fixture(const std::string& rel) {
  return std::string(RK_FIXTURES) + "/" + rel;
}

Workspace::TreeLocator fixture_locator() {
  return [](const BranchSpec& b) { return fixture("explain-tree-" + b.name); };
}

std::unique_ptr<Workspace> workspace_at(const std::string& matrix_path) {
  return std::make_unique<Workspace>(Matrix::load(matrix_path), fixture_locator(),
                                     ToolchainMode::Live);
}

// "+SYM=v", "-SYM=v", "~SYM:old->new": compact, order-preserving views for assertions.
std::vector<std::string> compact(const std::vector<SymbolChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) {
    if (c.kind == Kind::Added) out.push_back("+" + c.symbol + "=" + c.new_value);
    if (c.kind == Kind::Removed) out.push_back("-" + c.symbol + "=" + c.old_value);
    if (c.kind == Kind::Changed)
      out.push_back("~" + c.symbol + ":" + c.old_value + "->" + c.new_value);
  }
  return out;
}

TEST(ConfigDiffText, NotSetAndAbsentMeanN) {
  auto values = config_values(
      "#\n# Automatically generated file; DO NOT EDIT.\n#\nCONFIG_A=y\n# CONFIG_B is not set\n"
      "CONFIG_S=\"a b\"\n# comment CONFIG_X\n");
  EXPECT_EQ(values.size(), 3u);
  EXPECT_EQ(values["A"], "y");
  EXPECT_EQ(values["B"], "n");
  EXPECT_EQ(values["S"], "\"a b\"");

  std::string old_text = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=m\nCONFIG_N=16\nCONFIG_G=y\n";
  std::string new_text =
      "CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\nCONFIG_N=32\n"
      "CONFIG_F=m\n# CONFIG_Z is not set\n";
  EXPECT_THAT(compact(diff_config_texts(old_text, new_text)),
              ElementsAre("+B=y", "+F=m", "-C=m", "-G=y", "~N:16->32"));
  EXPECT_TRUE(diff_config_texts("# CONFIG_Q is not set\n", "").empty());
}

TEST(ConfigDiffFixture, TwoVariants) {
  auto ws = workspace_at(fixture("explain-matrix/variants.toml"));
  const Matrix& m = ws->matrix();
  DiffResult r = diff_variants(*ws, *m.find_variant("6.1-x86_64"), *m.find_variant("6.1-arm64"));
  EXPECT_EQ(r.old_label, "6.1-x86_64");
  EXPECT_EQ(r.new_label, "6.1-arm64");
  ASSERT_EQ(r.variants.size(), 1u);
  // arm64 selects ARCH_WANTS_SMALL, so SMALL narrows LOG_BUF_SHIFT's range: 20 is clamped.
  EXPECT_THAT(compact(r.variants[0].changes),
              ElementsAre("+ARCH_WANTS_SMALL=y", "+ARM64=y", "+SMALL=y", "-X86=y", "-X86_64=y",
                          "~LOG_BUF_SHIFT:20->16"));
  EXPECT_EQ(r.variants[0].count(Kind::Added), 3u);
  EXPECT_EQ(r.variants[0].count(Kind::Removed), 2u);
  EXPECT_EQ(r.variants[0].count(Kind::Changed), 1u);

  std::string text = render_diff_text(r);
  EXPECT_THAT(text, HasSubstr("config diff: 6.1-x86_64 -> 6.1-arm64\n"));
  EXPECT_THAT(text, HasSubstr("3 added, 2 removed, 1 changed\n"));
  EXPECT_THAT(text, HasSubstr("  + ARM64=y\n"));
  EXPECT_THAT(text, HasSubstr("  - X86_64=y\n"));
  EXPECT_THAT(text, HasSubstr("  ~ LOG_BUF_SHIFT: 20 -> 16\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex("variant +added +removed +changed\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex("6.1-x86_64 -> 6.1-arm64 +3 +2 +1\n"));
}

TEST(ConfigDiffFixture, TwoBranchesPairTheSameArch) {
  auto ws = workspace_at(fixture("explain-matrix/variants.toml"));
  DiffResult r = diff_branches(*ws, "6.1", "6.12");
  ASSERT_EQ(r.variants.size(), 2u);
  EXPECT_EQ(r.variants[0].name, "x86_64");
  EXPECT_EQ(r.variants[0].old_label, "6.1-x86_64");
  EXPECT_EQ(r.variants[0].new_label, "6.12-x86_64");
  EXPECT_EQ(r.variants[1].name, "arm64");
  // The rename shows as a removal and an addition; the 6.12 fragment makes overlayfs a module.
  for (const auto& d : r.variants)
    EXPECT_THAT(compact(d.changes), ElementsAre("+CGROUPS_BPF=y", "-CGROUP_BPF=y",
                                                "~FS_HELPER:y->m", "~OVERLAY_FS:y->m"))
        << d.name;
  std::string text = render_diff_text(r);
  EXPECT_THAT(text, HasSubstr("x86_64 (6.1-x86_64 -> 6.12-x86_64): 1 added, 1 removed, 2 changed"));
  EXPECT_THAT(text, ::testing::ContainsRegex("total +2 +2 +4\n"));

  auto doc = nlohmann::json::parse(render_diff_json(r));
  EXPECT_EQ(doc["old"], "6.1");
  EXPECT_EQ(doc["new"], "6.12");
  EXPECT_EQ(doc["variants"][1]["name"], "arm64");
  EXPECT_EQ(doc["variants"][1]["counts"]["changed"], 2);
  EXPECT_EQ(doc["variants"][1]["added"][0]["symbol"], "CGROUPS_BPF");
  EXPECT_EQ(doc["variants"][1]["changed"][1]["old"], "y");
  EXPECT_EQ(doc["variants"][1]["changed"][1]["new"], "m");
  EXPECT_THROW(diff_branches(*ws, "6.1", "9.9"), VariantsError);
}

// A throwaway git repository holding a copy of the fixture matrix.
class GitRepo {
 public:
  GitRepo() {
    std::string tmpl = (fs::temp_directory_path() / "rk-diff-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
    dir_ = tmpl;
    fs::copy(fixture("explain-matrix"), dir_, fs::copy_options::recursive);
    sh("git init -q");
    commit("first");
  }
  ~GitRepo() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void sh(const std::string& cmd) {
    std::string full = "cd '" + dir_.string() + "' && " + cmd + " >/dev/null 2>&1";
    if (std::system(full.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
  }
  void commit(const std::string& msg) {
    sh("git add -A && git -c user.name=test -c user.email=test@example.invalid "
       "-c commit.gpgsign=false commit -q -m '" +
       msg + "'");
  }
  void write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel, std::ios::binary | std::ios::trunc) << text;
  }
  std::string read(const std::string& rel) {
    std::ifstream in(dir_ / rel, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string matrix() const { return (dir_ / "variants.toml").string(); }

 private:
  fs::path dir_;
};

const VariantDiff& of(const DiffResult& r, const std::string& name) {
  for (const auto& d : r.variants)
    if (d.name == name) return d;
  throw std::runtime_error("no variant " + name);
}

TEST(ConfigDiffRevision, FragmentChangeAgainstEarlierCommit) {
  GitRepo repo;
  std::string base = repo.read("configs/base.config");
  std::string changed = base;
  changed.replace(changed.find("CONFIG_KERNEL_ZSTD=y\n"), 21, "");
  changed += "CONFIG_CMDLINE=\"console=ttyS0 quiet\"\n";
  repo.write("configs/base.config", changed);
  repo.commit("second");

  auto ws = workspace_at(repo.matrix());
  RevisionDiffOptions o;
  o.rev = "HEAD~1";
  o.locator = fixture_locator();
  o.mode = ToolchainMode::Live;
  DiffResult r = diff_revision(*ws, o);
  EXPECT_EQ(r.old_label, "HEAD~1");
  EXPECT_EQ(r.new_label, "working tree");
  ASSERT_EQ(r.variants.size(), 4u);
  for (const auto& d : r.variants) {
    EXPECT_FALSE(d.old_missing);
    EXPECT_FALSE(d.new_missing);
    EXPECT_THAT(compact(d.changes),
                ElementsAre("+KERNEL_GZIP=y", "-KERNEL_ZSTD=y",
                            "~CMDLINE:\"console=ttyS0\"->\"console=ttyS0 quiet\""))
        << d.name;
  }
  EXPECT_EQ(of(r, "6.12-arm64").old_label, "HEAD~1:6.12-arm64");
  std::string text = render_diff_text(r);
  EXPECT_THAT(text, HasSubstr("config diff: HEAD~1 -> working tree\n"));
  EXPECT_THAT(text, HasSubstr("6.1-arm64: 1 added, 1 removed, 1 changed\n  + KERNEL_GZIP=y\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex("total +4 +4 +4\n"));

  // The working tree equals HEAD: nothing differs.
  o.rev = "HEAD";
  DiffResult same = diff_revision(*ws, o);
  for (const auto& d : same.variants) EXPECT_TRUE(d.changes.empty()) << d.name;
  EXPECT_THAT(render_diff_text(same), HasSubstr("6.12-x86_64: identical\n"));

  // Edits held in memory count as the working tree; a selection limits the variants.
  ws->set_fragment_text("configs/base.config", changed + "CONFIG_BLOCK=n\n");
  o.variants = {"6.12"};
  DiffResult edited = diff_revision(*ws, o);
  ASSERT_EQ(edited.variants.size(), 2u);
  EXPECT_EQ(edited.variants[0].name, "6.12-x86_64");
  EXPECT_THAT(compact(edited.variants[0].changes),
              ElementsAre("-BLOCK=y", "-CGROUPS_BPF=y", "-FS_HELPER=m", "-OVERLAY_FS=m"));
}

TEST(ConfigDiffRevision, MatrixChangesAndMissingVariants) {
  GitRepo repo;
  // The working tree drops 6.12 from the matrix and moves 6.1 to another release (resolved
  // over a second workspace for the revision, through the locator).
  std::string toml = repo.read("variants.toml");
  toml.replace(toml.find("branches = [\"6.1\", \"6.12\"]"), 26, "branches = [\"6.1\"]");
  toml.replace(toml.find("version = \"6.1.0\""), 17, "version = \"6.1.1\"");
  repo.write("variants.toml", toml);

  auto ws = workspace_at(repo.matrix());
  RevisionDiffOptions o;
  o.rev = "HEAD";
  o.locator = fixture_locator();
  o.mode = ToolchainMode::Live;
  DiffResult r = diff_revision(*ws, o);
  ASSERT_EQ(r.variants.size(), 4u);
  EXPECT_TRUE(of(r, "6.1-x86_64").changes.empty());
  EXPECT_FALSE(of(r, "6.1-x86_64").new_missing);
  EXPECT_TRUE(of(r, "6.12-x86_64").new_missing);
  EXPECT_TRUE(of(r, "6.12-arm64").changes.empty());
  std::string text = render_diff_text(r);
  EXPECT_THAT(text, HasSubstr("6.12-arm64: only in HEAD\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex("6.12-arm64 +0 +0 +0  \\(variant gone\\)\n"));

  // Without a locator the differently built variants cannot be resolved.
  o.locator = nullptr;
  EXPECT_THROW(diff_revision(*ws, o), VariantsError);
}

TEST(ConfigDiffRevision, BadRevisionsAreErrors) {
  GitRepo repo;
  auto ws = workspace_at(repo.matrix());
  RevisionDiffOptions o;
  o.locator = fixture_locator();
  o.rev = "no-such-branch";
  try {
    diff_revision(*ws, o);
    FAIL() << "no error";
  } catch (const VariantsError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("'no-such-branch' is not a git revision"));
  }
  // A revision before the matrix existed.
  repo.sh("git rm -q variants.toml");
  repo.commit("no matrix");
  repo.sh("git checkout -q HEAD~1 -- variants.toml");
  o.rev = "HEAD";
  try {
    diff_revision(*ws, o);
    FAIL() << "no error";
  } catch (const VariantsError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("revision HEAD has no variants.toml"));
  }
}

// ---- the real matrix -----------------------------------------------------------------------

TEST(ConfigDiffRealTrees, X86AgainstArm64On61) {
  if (rk::testing::fetched_tree("6.1").empty())
    RK_SKIP() << "the 6.1 tree is not fetched (runner-kernel fetch 6.1)";
  Workspace ws(Matrix::load(std::string(RK_SOURCE_DIR) + "/variants.toml"),
               rk::testing::fetched_tree_of, ToolchainMode::Auto);
  const Matrix& m = ws.matrix();
  DiffResult r = diff_variants(ws, *m.find_variant("6.1-x86_64"), *m.find_variant("6.1-arm64"));
  ASSERT_EQ(r.variants.size(), 1u);
  auto changes = compact(r.variants[0].changes);
  EXPECT_THAT(changes, Contains("+ARM64=y"));
  EXPECT_THAT(changes, Contains("-X86=y"));
  EXPECT_THAT(changes, Contains("-X86_64=y"));
  EXPECT_GT(r.variants[0].count(Kind::Added), 50u);
  EXPECT_GT(r.variants[0].count(Kind::Removed), 50u);
  for (const auto& c : r.variants[0].changes) EXPECT_NE(c.old_value, c.new_value) << c.symbol;

  // The CLI prints the same.
  std::string cmd = std::string(RK_CLI) + " config --matrix " + RK_SOURCE_DIR +
                    "/variants.toml diff 6.1-x86_64 6.1-arm64 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ASSERT_EQ(pclose(p), 0) << out;
  EXPECT_EQ(out, render_diff_text(r));
}

}  // namespace
}  // namespace rk::variants
