#include "build/process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "build/error.hpp"
#include "process/run.hpp"

namespace rk::build {
namespace {

TEST(RunStreaming, LinesAndExitCode) {
  std::vector<std::string> lines;
  auto env = process::environment_with({}, {{"RK_X", "42"}});
  auto r = run_streaming({"sh", "-c", "echo a; echo \"b $RK_X\" >&2; printf c; exit 3"}, env, {},
                         [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.interrupted);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b 42", "c"}));
}

TEST(RunStreaming, MissingProgram) {
  auto env = process::environment_with({}, {});
  try {
    run_streaming({"rk-no-such-program"}, env, {}, [](std::string_view) {});
    FAIL() << "no error";
  } catch (const BuildError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kToolMissing);
  }
}

// SIGINT/SIGTERM to the driver reach the child's whole process group: make forwards SIGTERM
// to its jobs, but not SIGINT, which a terminal sends to every process of the group.
class Interruption : public ::testing::TestWithParam<int> {};

TEST_P(Interruption, StopsTheChildAndItsChildren) {
  int sig = GetParam();
  std::thread t([sig] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(::getpid(), sig);
  });
  auto start = std::chrono::steady_clock::now();
  // Were only the shell signalled, its orphaned sleep would hold the output pipe for 30 s.
  auto r = run_streaming({"sh", "-c", "sleep 30; echo done"}, process::environment_with({}, {}), {},
                         [](std::string_view) {});
  t.join();
  EXPECT_TRUE(r.interrupted);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

INSTANTIATE_TEST_SUITE_P(Signals, Interruption, ::testing::Values(SIGINT, SIGTERM));

}  // namespace
}  // namespace rk::build
