// Reading Kconfig files from the file system as conf's zconf_fopen does: the working directory
// (Kbuild's object tree) is tried before $srctree, also after a $(shell,...) command created or
// changed files there; file buffers are reused from file to file.
#include <gtest/gtest.h>

#include <functional>

#include "kconfig/shell_runner.hpp"
#include "test_util.hpp"
#include "tree_dump.hpp"

namespace rk::kconfig::testing {
namespace {

struct Outcome {
  std::string dump;
  std::string error;
  std::vector<std::string> warnings;
};

// Writes a source tree and an object directory.
using Setup = std::function<void(const TempDir& src, const TempDir& obj)>;

// Parses `src`/Kconfig from the object directory `obj`, as Kbuild runs conf.
Outcome parse_tree(const Setup& setup) {
  TempDir src, obj;
  setup(src, obj);
  LiveShell shell;
  Diagnostics diag;
  ParseOptions o;
  o.kconfig = "Kconfig";
  o.cwd = obj.path();
  o.srctree = src.path();
  o.env = {{"srctree", src.path()}, {"SUB", "sub"}, {"PATH", "/usr/bin:/bin"}};
  o.dialect = parse_dialect("6.12");
  o.shell = &shell;
  o.diag = &diag;
  o.finalize = false;
  Outcome out;
  try {
    out.dump = dump_tree(*parse_kconfig(o));
  } catch (const KconfigError& e) {
    out.error = e.what();
  }
  out.warnings = diag.lines();
  return out;
}

// A tree of `fanout`^`depth` files below `dir`, each defining one symbol.
void write_tree(const TempDir& src, const std::string& dir, int depth, int fanout) {
  std::string text = "config " + std::string(dir.empty() ? "TOP" : "S") + "_" +
                     std::to_string(std::hash<std::string>()(dir) % 100000) + "\n\tbool\n";
  for (int i = 0; depth > 0 && i < fanout; ++i) {
    std::string child = dir + "d" + std::to_string(i) + "/";
    text += "source \"" + child + "Kconfig\"\n";
    write_tree(src, child, depth - 1, fanout);
  }
  src.write(dir + "Kconfig", text);
}

TEST(SourceFiles, WorkingDirectoryFirst) {
  Outcome out = parse_tree([](const TempDir& src, const TempDir& obj) {
    write_tree(src, "t/", 4, 4);  // 341 files
    src.write("Kconfig",
              "mainmenu \"Test\"\n"
              "source \"t/Kconfig\"\n"
              "source \"$(SUB)/Kconfig\"\n"
              "source \"over/Kconfig\"\n"
              "source 'quoted/Kconfig'\n"
              "source \"t/d1/Kconfig\"\n");
    src.write("sub/Kconfig", "config SUB\n\tbool\nsource \"sub/more/Kconfig\"\n");
    src.write("sub/more/Kconfig", "config SUB_MORE\n\tbool\n");
    src.write("over/Kconfig", "config OVER_SRCTREE\n\tbool\n");
    obj.write("over/Kconfig", "config OVER_OBJTREE\n\tbool\n");  // the working directory wins
    src.write("quoted/Kconfig", "config QUOTED\n\tbool\n");
  });
  EXPECT_EQ(out.error, "");
  EXPECT_TRUE(out.warnings.empty());
  EXPECT_NE(out.dump.find("SYM SUB_MORE"), std::string::npos);
  EXPECT_NE(out.dump.find("SYM OVER_OBJTREE"), std::string::npos);
  EXPECT_EQ(out.dump.find("SYM OVER_SRCTREE"), std::string::npos);
  EXPECT_NE(out.dump.find("SYM QUOTED"), std::string::npos);
  EXPECT_NE(out.dump.find("MENU 0 t/d3/d3/d3/d3/Kconfig:1"), std::string::npos);
}

// Commands create or change files that 'source' statements name after them: a name found in
// $srctree before (the working directory lacking its first component) now exists in the
// working directory, a file there was rewritten.
TEST(SourceFiles, ShellCommandsCanChangeFiles) {
  Outcome out = parse_tree([](const TempDir& src, const TempDir& obj) {
    src.write("Kconfig",
              "Y := $(shell,echo 'config EDITED_NEW' > edited/Kconfig)\n"
              "source \"late/Kconfig\"\n"
              "X := $(shell,mkdir -p late && echo 'config LATE_NEW' > late/Kconfig)\n"
              "source \"late/Kconfig\"\n"
              "source \"edited/Kconfig\"\n");
    src.write("late/Kconfig", "config LATE_OLD\n");
    obj.write("edited/Kconfig", "config EDITED_OLD\n");
  });
  EXPECT_EQ(out.error, "");
  EXPECT_TRUE(out.warnings.empty());
  EXPECT_NE(out.dump.find("SYM LATE_OLD"), std::string::npos);
  EXPECT_NE(out.dump.find("SYM LATE_NEW"), std::string::npos);
  EXPECT_NE(out.dump.find("SYM EDITED_NEW"), std::string::npos);
  EXPECT_EQ(out.dump.find("SYM EDITED_OLD"), std::string::npos);
}

TEST(SourceFiles, MissingAndRecursiveFiles) {
  Outcome missing = parse_tree([](const TempDir& src, const TempDir&) {
    write_tree(src, "t/", 2, 3);
    src.write("Kconfig", "source \"t/Kconfig\"\nsource \"nope/Kconfig\"\n");
  });
  EXPECT_EQ(missing.error, "Kconfig:2: can't open file \"nope/Kconfig\"");

  Outcome recursive = parse_tree([](const TempDir& src, const TempDir&) {
    write_tree(src, "t/", 2, 3);
    src.write("Kconfig", "source \"t/Kconfig\"\nsource \"r/Kconfig\"\n");
    src.write("r/Kconfig", "source \"r/Kconfig\"\n");
  });
  EXPECT_NE(recursive.error.find("Recursive inclusion detected."), std::string::npos);
}

}  // namespace
}  // namespace rk::kconfig::testing
