#include "vmtest/console.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace rk::vmtest {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(RK_FIXTURES) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(Console, GoodTranscript) {
  ConsoleState s = parse_console(fixture("good.txt"));
  EXPECT_TRUE(s.begun);
  EXPECT_EQ(s.probe_version, "0.1.0");
  EXPECT_EQ(s.probe_arch, "x86_64");
  ASSERT_TRUE(s.boottime_ns.has_value());
  EXPECT_EQ(*s.boottime_ns, 98765432u);
  ASSERT_EQ(s.results.size(), 4u);
  EXPECT_EQ(s.results[0].name, "proc");
  EXPECT_EQ(s.results[1].name, "ext4");
  EXPECT_EQ(s.results[1].detail, "/dev/vda: runner-kernel probe disk");
  EXPECT_EQ(s.results[3].status, ProbeStatus::skip);
  EXPECT_EQ(s.results[3].detail, "no /dev/kvm in this guest");
  ASSERT_TRUE(s.end.has_value());
  EXPECT_EQ(s.end->passed, 3);
  EXPECT_EQ(s.end->skipped, 1);
  EXPECT_FALSE(s.panic.has_value());
  EXPECT_TRUE(s.protocol_errors.empty());
  EXPECT_EQ(s.tail.back(), "[    0.600000] reboot: Restarting system");
}

TEST(Console, ChunkBoundariesDoNotMatter) {
  std::string text = fixture("good.txt");
  ConsoleParser parser;
  for (char c : text) parser.feed(std::string_view(&c, 1));
  parser.finish();
  ConsoleState whole = parse_console(text);
  EXPECT_EQ(parser.state().results.size(), whole.results.size());
  EXPECT_EQ(parser.state().boottime_ns, whole.boottime_ns);
  EXPECT_TRUE(parser.state().end.has_value());
}

TEST(Console, TruncatedTranscriptHasNoEnd) {
  ConsoleState s = parse_console(fixture("truncated.txt"));
  EXPECT_TRUE(s.begun);
  EXPECT_FALSE(s.end.has_value());
  ASSERT_TRUE(s.boottime_ns.has_value());
  EXPECT_EQ(*s.boottime_ns, 120000000u);
  // CRLF line ends are handled; the half line "rk-probe: result squash" is malformed.
  ASSERT_EQ(s.results.size(), 2u);
  EXPECT_EQ(s.results[1].status, ProbeStatus::fail);
  EXPECT_EQ(s.results[1].detail, "mount /dev/vda: EINVAL (Invalid argument)");
  EXPECT_EQ(s.protocol_errors.size(), 1u);
}

TEST(Console, KernelPanicIsDetected) {
  ConsoleState s = parse_console(fixture("panic.txt"));
  EXPECT_FALSE(s.begun);
  ASSERT_TRUE(s.panic.has_value());
  EXPECT_NE(s.panic->find("Unable to mount root fs"), std::string::npos);
  EXPECT_EQ(s.tail.size(), 8u);
}

TEST(Console, GarbageInterleavedIsIgnoredAndErrorsReported) {
  ConsoleState s = parse_console(fixture("garbage.txt"));
  EXPECT_TRUE(s.begun);  // ANSI colours around the begin line are stripped
  EXPECT_EQ(s.probe_arch, "x86_64");
  ASSERT_TRUE(s.boottime_ns.has_value());
  EXPECT_EQ(*s.boottime_ns, 42000000u);
  // "noise rk-probe: ..." and "rk-probe:result" are not protocol lines.
  ASSERT_EQ(s.results.size(), 2u);
  EXPECT_EQ(s.results[0].name, "proc");
  EXPECT_EQ(s.results[1].name, "ext4");
  EXPECT_EQ(s.results[1].status, ProbeStatus::fail);
  ASSERT_TRUE(s.end.has_value());
  // Unknown status, duplicate result, line after end.
  ASSERT_EQ(s.protocol_errors.size(), 3u) << testing::PrintToString(s.protocol_errors);
  EXPECT_NE(s.protocol_errors[0].find("unknown status"), std::string::npos);
  EXPECT_NE(s.protocol_errors[1].find("second result for probe proc"), std::string::npos);
  EXPECT_NE(s.protocol_errors[2].find("after end"), std::string::npos);
}

TEST(Console, EndCountsMustMatchResults) {
  ConsoleState s =
      parse_console("rk-probe: begin 1 x86_64\nrk-probe: result a pass\nrk-probe: end 2 0 0\n");
  ASSERT_EQ(s.protocol_errors.size(), 1u);
  EXPECT_NE(s.protocol_errors[0].find("differ"), std::string::npos);
}

TEST(Console, LinesBeforeBeginAreErrors) {
  ConsoleState s = parse_console("rk-probe: result a pass\nrk-probe: begin 1 arm64\n");
  EXPECT_TRUE(s.results.empty());
  EXPECT_EQ(s.protocol_errors.size(), 1u);
  EXPECT_EQ(s.probe_arch, "arm64");
}

TEST(Console, TailKeepsTheLastLines) {
  std::string text;
  for (int i = 1; i <= 50; ++i) text += "line " + std::to_string(i) + "\n";
  ConsoleState s = parse_console(text, 20);
  ASSERT_EQ(s.tail.size(), 20u);
  EXPECT_EQ(s.tail.front(), "line 31");
  EXPECT_EQ(s.tail.back(), "line 50");
  EXPECT_EQ(s.lines, 50u);
}

TEST(Console, CleanLine) {
  EXPECT_EQ(clean_console_line("\x1b[1;31mred\x1b[0m\r"), "red");
  EXPECT_EQ(clean_console_line(std::string("a\0b\tc", 5)), "ab\tc");
}

}  // namespace
}  // namespace rk::vmtest
