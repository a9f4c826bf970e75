// The local route (a directory or git checkout used in place), pin edits in variants.toml,
// patch-failure summaries, and the `runner-kernel fetch` command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "source/fetch.hpp"
#include "source/patches.hpp"
#include "source/pins.hpp"
#include "source/util.hpp"
#include "source_test_util.hpp"

namespace rk::source {
namespace {

using namespace testing;
using ::testing::HasSubstr;

std::string fixture_matrix(const fs::path& dir) {
  std::string text = slurp(fs::path(RK_FIXTURES) / "variants.toml");
  text = replace_all(text, "@BASE@", "http://127.0.0.1:1");
  text = replace_all(text, "@DEBSHA@", "");
  text = replace_all(text, "@PATCHES@", "");
  spit(dir / "variants.toml", text);
  return (dir / "variants.toml").string();
}

void write_tree(const fs::path& dir, const std::string& version) {
  for (const auto& [path, content] : fake_kernel(version)) spit(dir / path, content);
}

TEST(Pins, ReplacesOnlyTheValueAfterNonAsciiText) {
  std::string text =
      "[branch.\"6.1\"] # é\nversion = \"6.1.1\"\n"
      "debian = { package = \"p\", version = \"1-1\", suite = \"s\", sha256 = \"\" } # ü\n";
  std::string out = apply_pin_edits(
      text, "m.toml",
      {{"6.1", "debian", "sha256", std::string(64, 'c')}, {"6.1", "debian", "version", "1-2"}});
  EXPECT_EQ(out,
            "[branch.\"6.1\"] # é\nversion = \"6.1.1\"\n"
            "debian = { package = \"p\", version = \"1-2\", suite = \"s\", sha256 = \"" +
                std::string(64, 'c') + "\" } # ü\n");
}

TEST(Pins, InsertsAMissingKeyIntoAnInlineTable) {
  std::string text = "[branch.\"6.1\"]\ntarball = { url = \"https://x/y.tar.xz\" }  # c\n";
  std::string out =
      apply_pin_edits(text, "m.toml", {{"6.1", "tarball", "sha256", std::string(64, 'd')}});
  EXPECT_EQ(out, "[branch.\"6.1\"]\ntarball = { url = \"https://x/y.tar.xz\", sha256 = \"" +
                     std::string(64, 'd') + "\" }  # c\n");
}

TEST(Pins, WritesAtomicallyAndRefusesWhatItCannotEdit) {
  TempCache cache;
  std::string path = fixture_matrix(cache.dir());
  std::string before = slurp(path);
  EXPECT_THROW(write_pins(path, {{"7.0", "tarball", "sha256", "x"}}), SourceError);
  EXPECT_EQ(slurp(path), before);
  write_pins(path, {{"6.12", "tarball", "sha256", std::string(64, 'e')}});
  std::string after = slurp(path);
  EXPECT_EQ(after.size(), before.size() + 64);
  EXPECT_EQ(variants::Matrix::load(path).find_branch("6.12")->tarball.sha256, std::string(64, 'e'));
  for (const auto& e : fs::directory_iterator(cache.dir()))
    EXPECT_THAT(e.path().filename().string(), Not(HasSubstr(".tmp")));
}

TEST(Patches, SummaryNamesFileAndHunk) {
  std::string out = "checking file drivers/foo.c\nHunk #2 FAILED at 30.\n1 out of 2 hunks FAILED\n";
  EXPECT_EQ(summarize_patch_failure(out), "file drivers/foo.c: hunk #2 FAILED at line 30");
}

TEST(LocalRoute, DirectoryOfThePinnedReleaseIsUsedInPlace) {
  TempCache cache;
  std::string matrix = fixture_matrix(cache.dir());
  fs::path tree = cache.dir() / "linux";
  write_tree(tree, "6.1.192");
  variants::Matrix m = variants::Matrix::load(matrix);
  FetchOptions o;
  o.log = nullptr;
  o.from = tree.string();
  EXPECT_EQ(branch_for_tree(m, tree.string()), m.find_branch("6.1"));
  FetchReport r = fetch_branch(m, *m.find_branch("6.1"), o);
  EXPECT_EQ(r.tree.route, "local");
  EXPECT_EQ(r.tree.dir, fs::canonical(tree).string());
  EXPECT_TRUE(r.tree.read_only);
  auto found = find_tree(m, *m.find_branch("6.1"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->route, "local");
  // The tree moving to another release invalidates it.
  write_tree(tree, "6.1.193");
  EXPECT_FALSE(find_tree(m, *m.find_branch("6.1")));
  try {
    fetch_branch(m, *m.find_branch("6.1"), o);
    FAIL() << "a 6.1.193 tree was accepted for 6.1.192";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kVersion);
    EXPECT_THAT(e.what(), HasSubstr("is Linux 6.1.193, branch 6.1 pins 6.1.192"));
  }
}

TEST(LocalRoute, GitCheckoutRecordsItsHead) {
  if (!tool_available("git")) GTEST_SKIP() << "git is not installed";
  TempCache cache;
  std::string matrix = fixture_matrix(cache.dir());
  fs::path tree = cache.dir() / "linux-git";
  write_tree(tree, "6.12.117");
  Tool git{"git", "git"};
  auto g = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", tree.string(), "-c", "user.name=t", "-c",
                               "user.email=t@example.org"});
    ToolResult r = run_tool(git, args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  };
  g({"init", "-q"});
  g({"add", "."});
  g({"commit", "-q", "-m", "v6.12.117"});
  std::string head = g({"rev-parse", "HEAD"});
  head.pop_back();
  variants::Matrix m = variants::Matrix::load(matrix);
  FetchOptions o;
  o.log = nullptr;
  o.from = tree.string();
  FetchReport r = fetch_branch(m, *m.find_branch("6.12"), o);
  auto marker = read_marker("6.12.117", "local");
  ASSERT_TRUE(marker);
  EXPECT_EQ(marker->git_head, head);
  EXPECT_FALSE(marker->git_dirty);
  EXPECT_THAT(r.tree.origin, HasSubstr("(git " + head + ")"));
}

TEST(FetchCommand, LocalTreeAndUnknownBranch) {
  TempCache cache;
  std::string matrix = fixture_matrix(cache.dir());
  fs::path tree = cache.dir() / "linux";
  write_tree(tree, "6.1.192");
  std::string cmd = std::string("RK_CACHE=") + cache.cache().string() + " " + RK_CLI +
                    " fetch --matrix " + matrix + " --from " + tree.string() + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << out;
  EXPECT_THAT(out, HasSubstr("6.1\tlocal\t" + fs::canonical(tree).string()));
  EXPECT_THAT(out, HasSubstr("read-only"));

  std::string bad = std::string(RK_CLI) + " fetch --matrix " + matrix + " 9.9 2>&1";
  out.clear();
  p = popen(bad.c_str(), "r");
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_NE(pclose(p), 0);
  EXPECT_THAT(out, HasSubstr("no branch '9.9'"));
  EXPECT_THAT(out, HasSubstr("branches: 6.1, 6.12"));
}

}  // namespace
}  // namespace rk::source
