#include "runner.hpp"

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>

namespace rk::probe {
namespace {

using std::chrono::milliseconds;

TEST(Runner, PassesOutcomeThrough) {
  Outcome o = run_isolated([] { return pass("fine"); }, milliseconds(5000));
  EXPECT_EQ(o.status, Status::kPass);
  EXPECT_EQ(o.detail, "fine");
  o = run_isolated([] { return skip("nothing to do"); }, milliseconds(5000));
  EXPECT_EQ(o.status, Status::kSkip);
}

TEST(Runner, AbortsBecomeFailuresWithErrno) {
  Outcome o = run_isolated(
      []() -> Outcome {
        check(-1 + 0 * (errno = ENOENT), "open /nope");
        return pass("unreachable");
      },
      milliseconds(5000));
  EXPECT_EQ(o.status, Status::kFail);
  EXPECT_EQ(o.detail, "open /nope: ENOENT (No such file or directory)");
}

TEST(Runner, HungProbeTimesOutNamingItsStep) {
  auto start = std::chrono::steady_clock::now();
  Outcome o = run_isolated(
      []() -> Outcome {
        step("waiting forever");
        for (;;) ::pause();
      },
      milliseconds(300));
  EXPECT_EQ(o.status, Status::kFail);
  EXPECT_EQ(o.detail, "timeout after 300 ms in step: waiting forever");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(Runner, CrashIsReported) {
  Outcome o = run_isolated(
      []() -> Outcome {
        ::raise(SIGSEGV);
        return pass("unreachable");
      },
      milliseconds(5000));
  EXPECT_EQ(o.status, Status::kFail);
  EXPECT_EQ(o.detail, "probe crashed: SIGSEGV");
}

TEST(Runner, OneLine) {
  EXPECT_EQ(one_line("a\r\nb  \n"), "a  b");
  EXPECT_EQ(one_line("abcdef", 5), "ab...");
}

}  // namespace
}  // namespace rk::probe
