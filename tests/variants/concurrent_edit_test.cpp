// Two `runner-kernel config set` processes editing one fragment at the same moment, for real:
// each takes the repository's configuration lock before reading, so both settings land (before
// the lock, one of them was silently lost in 20 of 20 runs).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "../child_process.hpp"
#include "fixture_repo.hpp"

namespace rk::variants {
namespace {

using testing::FixtureRepo;
using ::testing::HasSubstr;

pid_t start(const std::vector<std::string>& args, const std::string& log) {
  return rk::testing::start_child(RK_CLI, args,
                                  {{"RK_TREE_6_1", std::string(RK_FIXTURES) + "/check-tree"}}, log);
}

using rk::testing::wait_exit;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ConcurrentEdit, TwoSetsIntoOneFragmentBothLand) {
  for (int round = 0; round < 3; ++round) {
    FixtureRepo repo{"\n[[fragment]]\npath = \"configs/base.config\"\n"};
    repo.write("configs/base.config", "CONFIG_NET=y  # networking\n");
    auto set = [&](const std::string& assignment) {
      return std::vector<std::string>{"config",
                                      "--matrix",
                                      repo.path("variants.toml"),
                                      "--live",
                                      "set",
                                      assignment,
                                      "--reason",
                                      "test",
                                      "--fragment",
                                      "configs/base.config"};
    };
    const std::string log_a = repo.path("a.log"), log_b = repo.path("b.log");
    pid_t a = start(set("BACKEND_X=y"), log_a);
    pid_t b = start(set("SELECTOR=y"), log_b);
    const int rc_a = wait_exit(a), rc_b = wait_exit(b);
    ASSERT_EQ(rc_a, 0) << slurp(log_a);
    ASSERT_EQ(rc_b, 0) << slurp(log_b);
    const std::string fragment = repo.read("configs/base.config");
    EXPECT_THAT(fragment, HasSubstr("CONFIG_NET=y"));
    EXPECT_THAT(fragment, HasSubstr("CONFIG_BACKEND_X=y")) << "round " << round;
    EXPECT_THAT(fragment, HasSubstr("CONFIG_SELECTOR=y")) << "round " << round;
  }
}

}  // namespace
}  // namespace rk::variants
