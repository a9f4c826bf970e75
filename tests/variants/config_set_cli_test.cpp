// `runner-kernel config set` / `config unset` as a user runs them: a request that changes
// nothing says so and writes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "../child_process.hpp"
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

}  // namespace
}  // namespace rk::variants
