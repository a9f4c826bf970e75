#include "build/progress.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace rk::build {
namespace {

TEST(ProgressParser, CountsCompiledObjectsAndFollowsPhases) {
  ProgressParser p;
  EXPECT_EQ(p.phase(), Phase::kConfig);
  EXPECT_FALSE(p.feed("  SYNC    include/config/auto.conf"));
  EXPECT_FALSE(p.feed("  HOSTCC  scripts/basic/fixdep"));
  EXPECT_FALSE(p.feed("  CC      scripts/mod/empty.s"));  // not an object
  EXPECT_EQ(p.objects(), 0u);
  EXPECT_EQ(p.phase(), Phase::kConfig);
  EXPECT_TRUE(p.feed("  CC      kernel/fork.o"));
  EXPECT_EQ(p.phase(), Phase::kCompile);
  EXPECT_TRUE(p.feed("  AS      arch/x86/entry/entry_64.o"));
  EXPECT_TRUE(p.feed("  CC [M]  drivers/net/dummy.o"));
  EXPECT_FALSE(p.feed("  AR      kernel/built-in.a"));
  EXPECT_FALSE(p.feed("kernel/fork.c:12:1: warning: unused variable 'x'"));
  EXPECT_FALSE(p.feed("make[2]: Entering directory '/x'"));
  EXPECT_EQ(p.objects(), 3u);
  EXPECT_TRUE(p.feed("  LD      vmlinux.o"));
  EXPECT_EQ(p.phase(), Phase::kLink);
  EXPECT_FALSE(p.feed("  LD      .tmp_vmlinux.kallsyms1"));
  EXPECT_TRUE(p.feed("  CC      .vmlinux.export.o"));  // late objects still count
  EXPECT_EQ(p.phase(), Phase::kLink);
  EXPECT_EQ(p.objects(), 4u);
}

TEST(ProgressParser, LinkPhaseFromOlderKernels) {
  ProgressParser p;
  p.feed("  CC      init/main.o");
  EXPECT_TRUE(p.feed("  MODPOST vmlinux.symvers"));
  EXPECT_EQ(p.phase(), Phase::kLink);
}

TEST(ProgressLine, WithAndWithoutEstimate) {
  using std::chrono::seconds;
  EXPECT_EQ(progress_line("6.1-x86_64", Phase::kCompile, 1234, 2150, seconds(192)),
            "6.1-x86_64  compile   1234/~2150 objects  57%  3:12");
  EXPECT_EQ(progress_line("6.1-arm64", Phase::kConfig, 0, 0, seconds(5)),
            "6.1-arm64  config    0 objects  0:05");
  // Never 100% before the end; past a low estimate, no total at all.
  EXPECT_NE(progress_line("v", Phase::kLink, 2000, 2000, seconds(1)).find(" 99%"),
            std::string::npos);
  EXPECT_EQ(progress_line("v", Phase::kCompile, 3000, 2000, seconds(1)),
            "v  compile   3000 objects  0:01");
  EXPECT_NE(progress_line("v", Phase::kDone, 2000, 2000, seconds(1)).find("100%"),
            std::string::npos);
  EXPECT_EQ(format_duration(seconds(3725)), "1:02:05");
}

TEST(ProgressDisplay, PeriodicLinesWhenNotATerminal) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    ProgressDisplay d(f, false, "6.1-x86_64", 10, std::chrono::seconds(3600));
    d.update(Phase::kConfig, 0);
    d.update(Phase::kCompile, 1);  // phase change: printed
    d.update(Phase::kCompile, 2);  // within the interval: not printed
    d.update(Phase::kDone, 2);     // printed once, by finish()
    d.finish("");                  // the final state
  }
  std::fclose(f);
  std::string out(buf, len);
  free(buf);
  EXPECT_EQ(out,
            "6.1-x86_64  config    0/~10 objects   0%  0:00\n"  // at the start
            "6.1-x86_64  compile   1/~10 objects  10%  0:00\n"
            "6.1-x86_64  done      2/~10 objects 100%  0:00\n");
}

TEST(ProgressDisplay, RedrawsOneLineOnATerminal) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    ProgressDisplay d(f, true, "v", 0);
    d.update(Phase::kCompile, 1);
    d.finish("done");
  }
  std::fclose(f);
  std::string out(buf, len);
  free(buf);
  EXPECT_EQ(out.find('\n'), out.size() - 1);  // one line, ended once
  EXPECT_EQ(out.front(), '\r');
  EXPECT_NE(out.find("v  compile   1 objects  0:00  done"), std::string::npos);
}

}  // namespace
}  // namespace rk::build
