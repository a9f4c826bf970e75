// $(shell,...) runners: the live shell with conf's output rules, and toolchain profiles that
// record and replay results.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"
#include "front_end_util.hpp"
#include "kconfig/shell_runner.hpp"
#include "kconfig/toolchain_profile.hpp"

namespace rk::kconfig::testing {
namespace {

namespace fs = std::filesystem;

using rk::testing::TempDir;

TEST(ShellOutput, ConfPostProcessing) {
  EXPECT_EQ(shell_output_as_conf_sees_it("hello world\n"), "hello world");
  EXPECT_EQ(shell_output_as_conf_sees_it("hello\nworld\n\n4\n\n\n"), "hello world  4");
  EXPECT_EQ(shell_output_as_conf_sees_it("\n\nx"), "  x");
  EXPECT_EQ(shell_output_as_conf_sees_it(std::string("ab\0cd", 5)), "ab");
  EXPECT_EQ(shell_output_as_conf_sees_it(std::string(5000, 'a')), std::string(4095, 'a'));
  EXPECT_EQ(shell_output_as_conf_sees_it(std::string(4095, 'a') + "\n"), std::string(4095, 'a'));
}

TEST(LiveShell, RunsWithExactEnvironmentAndDirectory) {
  TempDir dir;
  LiveShell shell;
  EXPECT_EQ(shell.run("printf 'hello\\nworld\\n\\n4\\n\\n\\n'", {}, "."), "hello world  4");
  EXPECT_EQ(shell.run("echo \"$FOO-$HOME-\"", {{"FOO", "bar"}}, "."), "bar--");
  std::string real_dir = fs::canonical(dir.path()).string();
  EXPECT_EQ(shell.run("pwd -P", {}, dir.path()), real_dir);
  EXPECT_EQ(shell.run("head -c 5000 /dev/zero | tr '\\0' a", {{"PATH", "/usr/bin:/bin"}}, "."),
            std::string(4095, 'a'));
  EXPECT_EQ(shell.run("printf 'ab\\0cd'", {}, "."), "ab");
  EXPECT_EQ(shell.run("echo out; echo err >&2; exit 3", {}, "."), "out");
}

// run_each gives every command exactly what run() gives it, in the commands' order, however
// the runs overlap; the later commands here finish first.
TEST(LiveShell, RunEachAnswersLikeRunInOrder) {
  TempDir dir;
  LiveShell shell;
  const Environment env = {{"PATH", "/usr/bin:/bin"}, {"FOO", "bar"}};
  std::vector<std::string> commands;
  for (int i = 0; i < 6; ++i)
    commands.push_back("sleep 0.0" + std::to_string(3 - i / 2) + "; echo " + std::to_string(i));
  commands.push_back("printf 'hello\\nworld\\n\\n4\\n\\n\\n'");
  commands.push_back("echo \"$FOO-$HOME-\"");
  commands.push_back("pwd -P");
  commands.push_back("head -c 5000 /dev/zero | tr '\\0' a");
  commands.push_back("head -c 100000 /dev/zero | tr '\\0' b; echo never seen");
  commands.push_back("printf 'ab\\0cd'");
  commands.push_back("echo out; exit 3");
  auto outputs = shell.run_each(commands, env, dir.path());
  ASSERT_EQ(outputs.size(), commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    ASSERT_TRUE(outputs[i].has_value()) << commands[i];
    EXPECT_EQ(*outputs[i], shell.run(commands[i], env, dir.path())) << commands[i];
  }
  EXPECT_EQ(*outputs[0], "0");
  EXPECT_EQ(*outputs[5], "5");
  EXPECT_EQ(*outputs[8], fs::canonical(dir.path()).string());
  EXPECT_EQ(*outputs[10], std::string(4095, 'b'));
  EXPECT_TRUE(shell.run_each({}, env, ".").empty());
}

// A command that cannot start at all (run() throws for it) has no output; the rest still run.
TEST(LiveShell, RunEachMarksCommandsThatCannotRun) {
  LiveShell shell;
  auto outputs = shell.run_each({"echo a", "echo b"}, {}, "/nonexistent/directory");
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_THROW(shell.run("echo a", {}, "/nonexistent/directory"), KconfigError);
  EXPECT_FALSE(outputs[0].has_value());
  EXPECT_FALSE(outputs[1].has_value());
  outputs = shell.run_each({"echo a", "echo b"}, {}, ".");
  EXPECT_EQ(outputs[0], std::optional<std::string>("a"));
  EXPECT_EQ(outputs[1], std::optional<std::string>("b"));
}
TEST(ToolchainProfile, RecordSaveLoadReplay) {
  TempDir dir;
  TableShell table;
  table.answers = {{"cc --version", "gcc 12"}, {"ld -v", "GNU ld 2.40"}};
  RecordingShell recorder(table);
  EXPECT_EQ(recorder.run("cc --version", {}, "."), "gcc 12");
  EXPECT_EQ(recorder.run("ld -v", {}, "."), "GNU ld 2.40");
  EXPECT_EQ(recorder.run("cc --version", {}, "."), "gcc 12");
  ASSERT_EQ(recorder.profile().size(), 2u);

  std::string path = dir.file("x86.profile");
  recorder.profile().save(path);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  ToolchainProfile loaded = ToolchainProfile::load(path);
  EXPECT_EQ(loaded.entries(), recorder.profile().entries());
  EXPECT_EQ(loaded.origin(), path);

  ReplayShell replay(loaded);
  EXPECT_EQ(replay.run("ld -v", {}, "."), "GNU ld 2.40");
  try {
    replay.run("as --version", {}, ".");
    FAIL() << "no error for a missing command";
  } catch (const KconfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "toolchain profile " + path +
                  " has no result for $(shell,as --version): re-record it with "
                  "'runner-kernel kconfig --record-profile " +
                  path + " ...'");
  }
  replay.set_fallback("");
  EXPECT_EQ(replay.run("as --version", {}, "."), "");
}

// What run_each answers is recorded as run() answers are; a command with no answer is not.
TEST(ToolchainProfile, RecordsRunEach) {
  TableShell table;
  table.answers = {{"cc --version", "gcc 12"}, {"ld -v", "GNU ld 2.40"}};
  RecordingShell recorder(table);
  auto outputs = recorder.run_each({"ld -v", "cc --version"}, {}, ".");
  EXPECT_EQ(outputs[0], std::optional<std::string>("GNU ld 2.40"));
  EXPECT_EQ(recorder.profile().entries(),
            (std::vector<std::pair<std::string, std::string>>{{"ld -v", "GNU ld 2.40"},
                                                              {"cc --version", "gcc 12"}}));
  ReplayShell replay(recorder.profile());
  RecordingShell again(replay);
  outputs = again.run_each({"cc --version", "as --version"}, {}, ".");
  EXPECT_EQ(outputs[0], std::optional<std::string>("gcc 12"));
  EXPECT_FALSE(outputs[1].has_value());
  EXPECT_EQ(again.profile().size(), 1u);
}

// The repository's profiles write @srctree@ for the tree: a command naming the real tree is
// looked up, and recorded, that way, and run with the real path; a relative srctree (".", an
// in-tree build) is never substituted into command text.
TEST(ToolchainProfile, SrctreeMarkReplaysAndRecordsForAnyTreeDirectory) {
  ToolchainProfile profile;
  profile.add("@srctree@/scripts/cc-version.sh gcc", "GCC 1200");
  ReplayShell replay(profile);
  SrctreeMarkShell marked(replay, "/cache/sources/6.1.192-debian", /*to_mark=*/true);
  EXPECT_EQ(marked.run("/cache/sources/6.1.192-debian/scripts/cc-version.sh gcc", {}, "."),
            "GCC 1200");
  EXPECT_THROW(replay.run("/cache/sources/6.1.192-debian/scripts/cc-version.sh gcc", {}, "."),
               KconfigError)
      << "without the mark the shipped profiles do not replay";

  TableShell table;
  table.answers = {{"/elsewhere/scripts/x.sh", "yes"}};
  SrctreeMarkShell unmarked(table, "/elsewhere", /*to_mark=*/false);
  RecordingShell recorder(unmarked);
  SrctreeMarkShell to_profile(recorder, "/elsewhere", /*to_mark=*/true);
  EXPECT_EQ(to_profile.run("/elsewhere/scripts/x.sh", {}, "."), "yes");
  EXPECT_EQ(recorder.profile().entries(),
            (std::vector<std::pair<std::string, std::string>>{{"@srctree@/scripts/x.sh", "yes"}}));

  SrctreeMarkShell relative(replay, ".", /*to_mark=*/true);
  EXPECT_EQ(relative.translate("./scripts/a.sh ../b"), "./scripts/a.sh ../b");
}

TEST(ToolchainProfile, AnyBytesRoundTrip) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  ToolchainProfile p;
  p.add(all, all + "\\x\n");
  p.add("", "");
  ToolchainProfile back = ToolchainProfile::parse(p.serialize(), "mem");
  EXPECT_EQ(back.entries(), p.entries());
}

TEST(ToolchainProfile, MalformedFiles) {
  auto error_of = [](const std::string& text) {
    try {
      ToolchainProfile::parse(text, "p.txt");
    } catch (const KconfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("hello\n"),
            "toolchain profile p.txt:1: not a toolchain profile (expected \"rk-toolchain-profile "
            "1\")");
  EXPECT_EQ(error_of("rk-toolchain-profile 1\n$ a\n$ b\n"),
            "toolchain profile p.txt:3: command without output");
  EXPECT_EQ(error_of("rk-toolchain-profile 1\n> a\n"),
            "toolchain profile p.txt:2: output without command");
  EXPECT_EQ(error_of("rk-toolchain-profile 1\n$ a\\q\n> b\n"),
            "toolchain profile p.txt:2: bad escape sequence");
  EXPECT_EQ(error_of("rk-toolchain-profile 1\n$ a\n"),
            "toolchain profile p.txt:2: command without output");
  EXPECT_THROW(ToolchainProfile::load("/nonexistent/profile"), KconfigError);
}

TEST(ToolchainProfile, ReplayedParseMatchesLiveParse) {
  const std::string kconfig =
      "CCV := $(shell,cc-version)\n"
      "config CC_VERSION_TEXT\n\tstring\n\tdefault \"$(CCV)\"\n"
      "config HAS_FLAG\n\tdef_bool $(shell,check-flag)\n";
  FrontEnd live(kconfig);
  live.shell.answers = {{"cc-version", "gcc (Debian 12.2.0-14) 12.2.0"}, {"check-flag", "y"}};
  ASSERT_TRUE(live.parse()) << live.error;

  // Record through the table shell, then replay from the profile alone.
  TableShell table;
  table.answers = live.shell.answers;
  RecordingShell recorder(table);
  ParseOptions o;
  Diagnostics diag;
  o.kconfig = "Kconfig";
  o.shell = &recorder;
  o.diag = &diag;
  o.finalize = false;
  o.read_file = [&](const std::string& path, std::string& text) {
    if (path != "Kconfig") return false;
    text = kconfig;
    return true;
  };
  o.dialect = Dialect{6, 12};
  auto first = parse_kconfig(o);
  ReplayShell replay(recorder.profile());
  o.shell = &replay;
  auto second = parse_kconfig(o);
  EXPECT_EQ(dump_tree(*second), dump_tree(*first));
  EXPECT_EQ(dump_tree(*second), live.dump());
}

}  // namespace
}  // namespace rk::kconfig::testing
