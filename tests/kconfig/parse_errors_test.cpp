// Errors: the text of the KconfigError is what conf prints for the first error (checked against
// conf of each release), including where bison's error recovery leads.
#include <gtest/gtest.h>

#include "front_end_util.hpp"

namespace rk::kconfig::testing {
namespace {

std::string error_of(const std::string& kconfig, const std::string& version = "6.12",
                     std::map<std::string, std::string> more = {}) {
  FrontEnd fe(kconfig);
  for (auto& [name, text] : more) fe.files[name] = text;
  EXPECT_FALSE(fe.parse(version));
  return fe.error;
}

TEST(ParseErrors, UnknownAndInvalidStatements) {
  EXPECT_EQ(error_of("config A\n\tbool\nfoo bar\n"),
            "Kconfig:3: syntax error\nKconfig:3: unknown statement \"foo\"");
  EXPECT_EQ(error_of("config A\n\tbool \"x\" bar\n"),
            "Kconfig:2: syntax error\nKconfig:2: invalid statement");
  EXPECT_EQ(error_of("config A\n\tbool\nendmenu\n"),
            "Kconfig:3: syntax error\nKconfig:3: invalid statement");
  // Before 6.9 the syntax error carried the next line number.
  EXPECT_EQ(error_of("config A\n\tbool\nfoo bar\n", "6.1"),
            "Kconfig:4: syntax error\nKconfig:3: unknown statement \"foo\"");
}

TEST(ParseErrors, MissingEndStatements) {
  EXPECT_EQ(error_of("menu \"m\"\nif X\nchoice\n\tprompt \"c\"\nconfig A\n\tbool \"a\"\n"),
            "Kconfig:7: syntax error\n"
            "Kconfig:3: missing end statement for this entry\n"
            "Kconfig:2: missing end statement for this entry\n"
            "Kconfig:1: missing end statement for this entry");
  // conf before 6.9 has closed the top-level file by then.
  EXPECT_EQ(error_of("if X\nconfig A\n\tbool\n", "5.10"),
            "<none>:5: syntax error\nKconfig:1: missing end statement for this entry");
}

TEST(ParseErrors, MismatchedEnd) {
  EXPECT_EQ(error_of("menu \"m\"\nendif\n"), "Kconfig:2: unexpected 'if' within menu block");
  EXPECT_EQ(error_of("menu \"m\"\nsource \"b\"\n", "6.12", {{"b", "endmenu\n"}}),
            "b:1: 'menu' in different file than 'menu'\nKconfig:1: location of the 'menu'");
}

TEST(ParseErrors, ChoiceBodies) {
  EXPECT_EQ(error_of("choice\n\tprompt \"c\"\nmenuconfig A\n\tbool \"a\"\nendchoice\n"),
            "Kconfig:3: syntax error\nKconfig:3: invalid statement");
  EXPECT_EQ(error_of("choice\n\tprompt \"c\"\nsource \"b\"\nendchoice\n", "6.12", {{"b", ""}}),
            "Kconfig:3: syntax error\nKconfig:3: invalid statement");
}

TEST(ParseErrors, Files) {
  EXPECT_EQ(error_of("config A\n\tbool\nsource \"nope\"\n"), "Kconfig:3: can't open file \"nope\"");
  FrontEnd none;
  EXPECT_FALSE(none.parse());
  EXPECT_EQ(none.error, "can't find file Kconfig");
}

TEST(ParseErrors, RecursiveInclusion) {
  std::map<std::string, std::string> files = {{"a", "\n\nsource \"b\"\n"}, {"b", "source \"a\"\n"}};
  EXPECT_EQ(error_of("# c\nsource \"a\"\n", "6.12", files),
            "Recursive inclusion detected.\n"
            "Inclusion path:\n"
            "  current file : a\n"
            "  included from: b:1\n"
            "  included from: a:3\n"
            "  included from: Kconfig:2");
  // conf before 6.9 stops at the earlier inclusion of the file.
  EXPECT_EQ(error_of("# c\nsource \"a\"\n", "5.10", files),
            "Recursive inclusion detected.\n"
            "Inclusion path:\n"
            "  current file : a\n"
            "  included from: b:1\n"
            "  included from: a:3");
}

TEST(ParseErrors, MainMenuMustComeFirst) {
  EXPECT_EQ(error_of("mainmenu foo\n"), "Kconfig:1: syntax error");
  EXPECT_EQ(error_of("config A\n\tbool\nmainmenu \"x\"\n"),
            "Kconfig:3: syntax error\nKconfig:3: invalid statement");
}

TEST(ParseErrors, IncompleteExpressions) {
  EXPECT_EQ(error_of("config A\n\tbool\n\tdepends on B &&\n"),
            "Kconfig:3: syntax error\nKconfig:3: invalid statement");
  EXPECT_EQ(error_of("config A\n\tbool\n\tdepends on (B\n"),
            "Kconfig:3: syntax error\nKconfig:3: invalid statement");
  EXPECT_EQ(error_of("config A\n\tbool\n\tdepends on A = B = C\n"),
            "Kconfig:3: syntax error\nKconfig:3: invalid statement");
}

TEST(ParseErrors, WarningsBeforeTheErrorStayInDiagnostics) {
  FrontEnd fe("config A\n\tbool \"  a\"\n\tprompt \"b\"\nfoo\n");
  EXPECT_FALSE(fe.parse());
  EXPECT_EQ(fe.warnings(),
            "Kconfig:2:warning: leading whitespace ignored\nKconfig:3:warning: prompt redefined\n");
  EXPECT_EQ(fe.error, "Kconfig:4: syntax error\nKconfig:4: unknown statement \"foo\"");
}

}  // namespace
}  // namespace rk::kconfig::testing
