// `runner-kernel config set` / `config unset` / `config import --write` as a user runs them: a
// request that changes nothing says so and writes nothing; a failed write changes no file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "../child_process.hpp"
#include "../temp_dir.hpp"
#include "base/file.hpp"
#include "fixture_repo.hpp"

namespace rk::variants {
namespace {

using testing::FixtureRepo;
using ::testing::HasSubstr;
using ::testing::Not;

struct CliRun {
  int rc = 0;
  std::string output;
};

CliRun run_cli(const FixtureRepo& repo, std::vector<std::string> args) {
  args.insert(args.begin(), {"config", "--matrix", repo.path("variants.toml"), "--live"});
  const std::string log = repo.path("cli.log");
  pid_t pid = rk::testing::start_child(
      RK_CLI, args, {{"RK_TREE_6_1", std::string(RK_FIXTURES) + "/check-tree"}}, log);
  CliRun r;
  r.rc = rk::testing::wait_exit(pid);
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  return r;
}

const char* kMatrix = R"(
[[fragment]]
path = "configs/base.config"

[[fragment]]
path = "configs/x86.config"
arches = ["x86_64"]
)";

TEST(ConfigSetCli, ASetOfTheValueAlreadySetChangesNothing) {
  FixtureRepo repo{kMatrix};
  repo.write("configs/base.config", "CONFIG_NET=y\nCONFIG_INET=y  # tcp\n");
  repo.write("configs/x86.config", "CONFIG_ARCH_ONLY_X86=y\n");
  const std::string base = repo.read("configs/base.config");
  const std::string matrix = repo.read("variants.toml");
  CliRun r = run_cli(repo, {"set", "NET=y", "--variant", "6.1-arm64"});
  ASSERT_EQ(r.rc, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("CONFIG_NET=y: already set for 6.1-arm64 "
                                  "(configs/base.config:1); nothing to change"));
  EXPECT_THAT(r.output, Not(HasSubstr("written")));
  EXPECT_EQ(repo.read("configs/base.config"), base);
  EXPECT_EQ(repo.read("variants.toml"), matrix);
  // Another value is an edit.
  CliRun other = run_cli(repo, {"set", "ARCH_ONLY_X86=n", "--variant", "x86_64"});
  ASSERT_EQ(other.rc, 0) << other.output;
  EXPECT_THAT(other.output, HasSubstr("written; re-resolved"));
  EXPECT_THAT(repo.read("configs/x86.config"), HasSubstr("CONFIG_ARCH_ONLY_X86=n"));
}

TEST(ConfigSetCli, AnUnsetThatChangesNothingDoesNotSayWritten) {
  FixtureRepo repo{kMatrix};
  repo.write("configs/base.config", "CONFIG_NET=y\nCONFIG_INET=y  # tcp\n");
  repo.write("configs/x86.config", "CONFIG_ARCH_ONLY_X86=y\n");
  const std::string x86 = repo.read("configs/x86.config");
  CliRun r = run_cli(repo, {"unset", "ARCH_ONLY_X86", "--variant", "6.1-arm64"});
  ASSERT_EQ(r.rc, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no fragment line sets it for 6.1-arm64"));
  EXPECT_THAT(r.output, HasSubstr("nothing to change"));
  EXPECT_THAT(r.output, Not(HasSubstr("written")));
  EXPECT_THAT(r.output, Not(HasSubstr("re-resolved")));
  EXPECT_EQ(repo.read("configs/x86.config"), x86);
  CliRun real = run_cli(repo, {"unset", "ARCH_ONLY_X86", "--variant", "x86_64"});
  ASSERT_EQ(real.rc, 0) << real.output;
  EXPECT_THAT(real.output, HasSubstr("written; re-resolved: 6.1-x86_64"));
  EXPECT_THAT(repo.read("configs/x86.config"), Not(HasSubstr("ARCH_ONLY_X86")));
}

// Every regular file under `dir` with its bytes (hidden ones too), but the lock file the
// first run creates.
std::map<std::string, std::string> files_of(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != ".runner-kernel.lock" &&
        e.path().filename() != "cli.log")
      out[std::filesystem::relative(e.path(), dir).string()] = base::read_file(e.path().string());
  return out;
}

// `config import --write` writes a new fragment and extends variants.toml. Before, a full
// disk at variants.toml left the new fragment behind. With a failure injected at each of the
// write's 6 steps (stage the fragment, stage variants.toml, back it up, the journal, two
// renames) every file stays as it was; the 7th run writes both.
TEST(ConfigImportCli, AFailedWriteLeavesEveryFileAsItWas) {
  rk::testing::TempDir tmp;
  const std::filesystem::path repo = tmp.path() / "repo";
  std::filesystem::copy(std::string(RK_FIXTURES) + "/import-basic", repo,
                        std::filesystem::copy_options::recursive);
  const auto before = files_of(repo);
  const std::string log = tmp.file("import.log");
  for (int n = 1; n <= 7; ++n) {
    pid_t pid = rk::testing::start_child(RK_CLI,
                                         {"config", "--matrix", (repo / "variants.toml").string(),
                                          "--live", "import", (repo / "old-x86_64.config").string(),
                                          "--variant", "6.1-x86_64", "--name", "old", "--write"},
                                         {{"RK_TREE_6_1", (repo / "trees" / "6.1").string()},
                                          {"RK_TEST_FAIL_FILE_STEP", std::to_string(n)}},
                                         log);
    int rc = rk::testing::wait_exit(pid);
    if (n < 7) {
      EXPECT_NE(rc, 0) << "step " << n << ": " << base::read_file(log);
      EXPECT_THAT(base::read_file(log), HasSubstr("nothing was changed")) << n;
      EXPECT_EQ(files_of(repo), before) << "step " << n << " failed";
    } else {
      ASSERT_EQ(rc, 0) << base::read_file(log);
      EXPECT_TRUE(std::filesystem::exists(repo / "configs/imported/old.config"));
      EXPECT_THAT(base::read_file((repo / "variants.toml").string()),
                  HasSubstr("configs/imported/old.config"));
    }
  }
}

// A `config set` killed between the renames of its two files (the new fragment renamed,
// variants.toml not yet) leaves the journal; the next writer, once it holds the lock, undoes
// the half-done write before reading anything.
TEST(ConfigSetCli, AWriterKilledBetweenRenamesIsUndoneByTheNext) {
  FixtureRepo repo{kMatrix};
  repo.write("configs/base.config", "CONFIG_NET=y\nCONFIG_INET=y  # tcp\n");
  repo.write("configs/x86.config", "CONFIG_ARCH_ONLY_X86=y\n");
  const std::filesystem::path root =
      std::filesystem::path(repo.path("variants.toml")).parent_path();
  const auto before = files_of(root);
  const std::vector<std::string> set = {"config",    "--matrix", repo.path("variants.toml"),
                                        "--live",    "set",      "LIMIT=8",
                                        "--variant", "6.1-arm64"};
  const std::string log = repo.path("cli.log");
  // Stage the fragment, stage variants.toml, back it up, the journal, rename the fragment:
  // killed before the 6th step, the rename of variants.toml.
  pid_t pid = rk::testing::start_child(
      RK_CLI, set,
      {{"RK_TREE_6_1", std::string(RK_FIXTURES) + "/check-tree"}, {"RK_TEST_KILL_FILE_STEP", "6"}},
      log);
  ASSERT_EQ(rk::testing::wait_exit(pid), 128 + 9) << base::read_file(log);
  ASSERT_TRUE(std::filesystem::exists(root / "configs/local/6.1-arm64.config"));
  ASSERT_TRUE(std::filesystem::exists(root / ".runner-kernel.journal"));
  EXPECT_NE(files_of(root), before) << "half written";
  // Any writer: this one has nothing to change, but it takes the lock.
  CliRun next = run_cli(repo, {"set", "NET=y"});
  ASSERT_EQ(next.rc, 0) << next.output;
  EXPECT_THAT(next.output, HasSubstr("undid an interrupted write of the configuration"));
  EXPECT_EQ(files_of(root), before);
}

}  // namespace
}  // namespace rk::variants
