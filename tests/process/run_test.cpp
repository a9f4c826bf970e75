#include "process/run.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "../temp_dir.hpp"

namespace rk::process {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using ::testing::HasSubstr;

Handlers collect(std::string& out) {
  Handlers h;
  h.on_output = [&out](std::string_view s) {
    out.append(s);
    return Verdict::keep_going;
  };
  return h;
}

TEST(Run, ExitCodeAndMergedOutput) {
  std::string out;
  Outcome r = run({{"sh", "-c", "echo hi; echo err >&2; exit 3"}}, collect(out));
  EXPECT_TRUE(r.started);
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(out, "hi\nerr\n");
}

TEST(Run, EnvironmentAddedToOursOrReplacingIt) {
  std::string out;
  run({{"sh", "-c", "echo $RK_X ${HOME:+home}"}, "", {"RK_X=42"}}, collect(out));
  EXPECT_EQ(out, ::getenv("HOME") ? "42 home\n" : "42\n");
  out.clear();
  // Replaced: nothing of ours (HOME) reaches it, and PATH comes from the given environment.
  Outcome r = run({{"sh", "-c", "echo $RK_X ${HOME:-nohome}"},
                   "",
                   {"RK_X=7", "PATH=/usr/bin:/bin"},
                   /*replace_environment=*/true},
                  collect(out));
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(out, "7 nohome\n");
  r = run({{"sh", "-c", "true"}, "", {"PATH=/rk-nowhere"}, true}, collect(out));
  EXPECT_FALSE(r.started);
  EXPECT_THAT(r.start_error, HasSubstr("not found on PATH"));
}

TEST(Run, WorkingDirectory) {
  rk::testing::TempDir dir("rk-process-test");
  std::string out;
  run({{"pwd"}, dir.path().string()}, collect(out));
  EXPECT_EQ(out, dir.path().string() + "\n");
  Outcome r = run({{"pwd"}, (dir.path() / "absent").string()}, collect(out));
  EXPECT_FALSE(r.started);
  EXPECT_THAT(r.start_error, HasSubstr("No such file or directory"));
}

TEST(Run, MissingProgramDoesNotStart) {
  std::string out;
  Outcome r = run({{"rk-no-such-program"}}, collect(out));
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.start_error, "rk-no-such-program: not found on PATH");
  r = run({{}}, collect(out));
  EXPECT_FALSE(r.started);
}

// The limit holds whatever the child does, and reaches what it started: were only the shell
// killed, its sleep would keep the output pipe open for 30 s.
TEST(Run, TimeoutKillsTheWholeGroup) {
  std::string out;
  Limits limits;
  limits.timeout = milliseconds(300);
  auto start = steady_clock::now();
  Outcome r = run({{"sh", "-c", "echo started; sleep 30; echo never"}}, collect(out), limits);
  EXPECT_LT(steady_clock::now() - start, seconds(10));
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.exited);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(out, "started\n");
}

// A child that exits while a program it started in the background still holds the output.
TEST(Run, ChildGoneWhileItsBackgroundJobHoldsTheOutput) {
  std::string out;
  auto start = steady_clock::now();
  Outcome r = run({{"sh", "-c", "sleep 30 & echo bye; exit 5"}}, collect(out));
  EXPECT_LT(steady_clock::now() - start, seconds(10));
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(out, "bye\n");
}

TEST(Run, OutputHandlerStopsTheRunAfterTheGrace) {
  Handlers h;
  h.on_output = [](std::string_view s) {
    return s.find("ready") != std::string_view::npos ? Verdict::stop : Verdict::keep_going;
  };
  Limits limits;
  limits.stop_grace = milliseconds(100);
  auto start = steady_clock::now();
  Outcome r = run({{"sh", "-c", "echo ready; sleep 30"}}, h, limits);
  EXPECT_LT(steady_clock::now() - start, seconds(10));
  EXPECT_TRUE(r.stopped);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.exited);
}

TEST(Run, TicksWhileItRuns) {
  int ticks = 0;
  milliseconds last{0};
  Handlers h;
  h.on_tick = [&](milliseconds elapsed) {
    ++ticks;
    last = elapsed;
  };
  Limits limits;
  limits.tick_interval = milliseconds(50);
  Outcome r = run({{"sleep", "0.5"}}, h, limits);
  EXPECT_TRUE(r.exited);
  EXPECT_GE(ticks, 3);
  EXPECT_GT(last.count(), 0);
  EXPECT_GE(r.elapsed, milliseconds(400));
}

TEST(Capture, OutputAndStatus) {
  int code = 0;
  EXPECT_EQ(capture({{"sh", "-c", "printf 'a\\nb'; exit 4"}}, &code), "a\nb");
  EXPECT_EQ(code, 4);
  EXPECT_EQ(capture({{"rk-no-such-program"}}, &code), "");
  EXPECT_EQ(code, 127);
  capture({{"sh", "-c", "kill -TERM $$"}}, &code);
  EXPECT_EQ(code, 128 + SIGTERM);
}

TEST(FindExecutable, OnThePathGivenOrOurs) {
  EXPECT_EQ(find_executable("sh", "/rk-nowhere:/bin"), "/bin/sh");
  EXPECT_EQ(find_executable("sh", "/rk-nowhere"), "");
  EXPECT_FALSE(find_executable("sh").empty());
  EXPECT_EQ(find_executable("/bin/sh"), "/bin/sh");
  EXPECT_EQ(find_executable("/rk-nowhere/sh"), "");
  EXPECT_EQ(find_executable(""), "");
}

TEST(EnvironmentWith, DropsAndSets) {
  ::setenv("RK_DROP_ME", "1", 1);
  ::setenv("RK_SET_ME", "old", 1);
  auto env = environment_with({"RK_DROP_ME"}, {{"RK_SET_ME", "new"}, {"RK_NEW", "x"}});
  auto has = [&](const std::string& e) {
    return std::find(env.begin(), env.end(), e) != env.end();
  };
  EXPECT_FALSE(has("RK_DROP_ME=1"));
  EXPECT_FALSE(has("RK_SET_ME=old"));
  EXPECT_TRUE(has("RK_SET_ME=new"));
  EXPECT_TRUE(has("RK_NEW=x"));
  ::unsetenv("RK_DROP_ME");
  ::unsetenv("RK_SET_ME");
}

TEST(LineSplitter, LinesAcrossChunks) {
  std::vector<std::string> lines;
  LineSplitter split([&](std::string_view l) { lines.emplace_back(l); });
  split.feed("a\nb");
  split.feed("c\n\nd");
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "bc", ""}));
  split.finish();
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "bc", "", "d"}));
  split.finish();
  EXPECT_EQ(lines.size(), 4u);
}

}  // namespace
}  // namespace rk::process
