// Tokenizer behaviour seen through the parsed tree: help texts, strings, continuation lines,
// comments, warnings and the per-release keyword sets. Expected values were checked against
// scripts/kconfig/conf of 5.10, 6.1 and 6.12.
#include <gtest/gtest.h>

#include "front_end_util.hpp"

namespace rk::kconfig::testing {
namespace {

std::string help_of(const std::string& kconfig, const std::string& name = "A") {
  FrontEnd fe(kconfig);
  EXPECT_TRUE(fe.parse()) << fe.error;
  const Menu* m = fe.tree ? fe.entry(name) : nullptr;
  EXPECT_TRUE(m && m->has_help);
  return m ? std::string(m->help) : std::string();
}

TEST(LexerHelp, IndentationRelativeToFirstLine) {
  EXPECT_EQ(help_of("config A\n\tbool\n\thelp\n\t  line1\n\t    indented\n\n\t  line3\n"
                    "config B\n\tbool\n"),
            "line1\n  indented\n\nline3");
}

TEST(LexerHelp, TabsCountAsEightColumns) {
  // First line at column 11 (tab + 3), then 17 (two tabs + 1), then 8 (tab): the text ends.
  FrontEnd fe("config A\n\tbool\n\thelp\n\t   x\n\t\t y  \t\n\tdefault y\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  // Ended by indentation, the text keeps its last newline.
  EXPECT_EQ(fe.entry("A")->help, "x\n      y\n");
}

TEST(LexerHelp, EndsBeforeLessIndentedLine) {
  FrontEnd fe("config A\n\tbool\n\thelp\n\t\tdeep\n\tdefault y\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.entry("A")->help, "deep\n");
  EXPECT_NE(fe.dump().find("PROP default Kconfig:5 EXPR y"), std::string::npos) << fe.dump();
}

TEST(LexerHelp, BlankLinesAreKeptTrailingOnesToo) {
  // Every newline is kept except one directly followed by a line starting in column 0.
  EXPECT_EQ(help_of("config A\n\tbool\n\thelp\n\t  one\n\n\n\nconfig B\n\tbool\n"), "one\n\n\n");
  EXPECT_EQ(help_of("config A\n\tbool\n\thelp\n\t  one\n"), "one\n");
  EXPECT_EQ(help_of("config A\n\tbool\n\thelp\n\t  one"), "one");
  EXPECT_EQ(help_of("config A\n\tbool\n\thelp\n\n\t  one\nconfig B\n\tbool\n"), "\none");
  EXPECT_EQ(help_of("config A\n\tbool\n\thelp\n\t  one\n   \t\n\t  two\nconfig B\n\tbool\n"),
            "one\n\ntwo");
}

TEST(LexerHelp, UnindentedFirstLineIsStillHelp) {
  // With nothing indented, the following lines themselves become the help text.
  FrontEnd fe("config A\n\tbool\n\thelp\nconfig B\n\tbool\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.entry("A")->help, "config B\nbool\n");
  EXPECT_EQ(fe.tree->find("B"), nullptr);
}

TEST(LexerHelp, NoMacroExpansionAndRawCharacters) {
  EXPECT_EQ(help_of("config A\n\tbool\n\thelp\n\t  $(FOO) \"q\" \\x # not a comment\r\n"),
            "$(FOO) \"q\" \\x # not a comment\r\n");
}

TEST(LexerHelp, Warnings) {
  FrontEnd fe(
      "config A\n\tbool\n\thelp\n\t  one\n\thelp\n\t  two\nconfig B\n\tbool\n\thelp\n"
      "\nconfig C\n\tbool\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.entry("A")->help, "two");
  // The statement line of a help text is the line after it.
  EXPECT_EQ(fe.warnings(),
            "Kconfig:7: warning: 'A' defined with more than one help text -- only the last one "
            "will be used\n"
            "Kconfig:11: warning: 'B' defined with blank help text\n");
}

TEST(LexerStrings, QuotesAndEscapes) {
  FrontEnd fe(
      "config A\n\tstring \"it's \\\"q\\\" \\\\ \\x\"\n\tdefault 'a\"b'\n"
      "config B\n\tbool \"tab\there\"\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.entry("A")->prompt->text, "it's \"q\" \\ x");
  EXPECT_NE(fe.dump().find("PROP default Kconfig:3 EXPR 'a\"b'"), std::string::npos) << fe.dump();
  EXPECT_EQ(fe.entry("B")->prompt->text, "tab\there");
}

TEST(LexerStrings, MacrosExpandInsideStrings) {
  FrontEnd fe("V := 1.0\nconfig A\n\tbool \"ver $(V) costs $5 and $$\"\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.entry("A")->prompt->text, "ver 1.0 costs $5 and $$");
}

TEST(LexerStrings, UnterminatedString) {
  FrontEnd fe("config A\n\tbool \"abc\n\tdefault y\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.entry("A")->prompt->text, "abc");
  EXPECT_EQ(fe.warnings(), "Kconfig:2:warning: multi-line strings not supported\n");
}

TEST(Lexer, ContinuationLinesAndComments) {
  FrontEnd fe(
      "# comment\nconfig A # trailing\n\tbool \"a\" # c\n\tdepends on B && \\\n\t\tC\n"
      "\tdefault \\\ny\nconfig \\\nD\n\tbool\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.dump(),
            "ROOT  PROMPT menu Kconfig:11 \"Main menu\" EXPR - IF -\n"
            "MENU 0 Kconfig:2 SYM A bool\n"
            " DEP (&& B C)\n"
            " PROMPT prompt Kconfig:3 \"a\" EXPR - IF -\n"
            " PROP prompt Kconfig:3 \"a\" EXPR - IF -\n"
            " PROP default Kconfig:6 EXPR y IF -\n"
            "MENU 0 Kconfig:8 SYM D bool\n");
}

TEST(Lexer, MacroWordsAreSingleTokens) {
  FrontEnd fe(
      "P := FOO\nS := A && B\nK := config\nE :=\n"
      "config $(P)_BAR\n\tbool\n\tdepends on $(S)\n$(E)\n$(K) X\n");
  EXPECT_FALSE(fe.parse());  // "config" from a macro is a plain word
  EXPECT_EQ(fe.error, "Kconfig:9: syntax error\nKconfig:9: unknown statement \"config\"");

  FrontEnd ok("S := A && B\nconfig C\n\tbool\n\tdepends on $(S)\n");
  ASSERT_TRUE(ok.parse()) << ok.error;
  EXPECT_NE(ok.dump().find(" DEP A && B\n"), std::string::npos) << ok.dump();
}

TEST(Lexer, UnsupportedCharactersAndMissingNewline) {
  FrontEnd fe("config A.\n\tbool\n\tdefault y;");
  ASSERT_TRUE(fe.parse("6.1")) << fe.error;
  EXPECT_EQ(fe.warnings(),
            "Kconfig:1:warning: ignoring unsupported character '.'\n"
            "Kconfig:3:warning: ignoring unsupported character ';'\n"
            "Kconfig:3:warning: no new line at end of file\n");
}

TEST(Lexer, TopLevelWithoutFinalNewline) {
  // 6.12 no longer ends the top-level file with an end-of-line token.
  FrontEnd fe("config A\n\tbool");
  EXPECT_TRUE(fe.parse("6.1")) << fe.error;
  FrontEnd fe612("config A\n\tbool");
  EXPECT_FALSE(fe612.parse("6.12"));
  EXPECT_EQ(fe612.error, "Kconfig:2: syntax error");
}

TEST(Lexer, KeywordsDependOnTheRelease) {
  const std::string text =
      "config option\n\tbool\nconfig optional\n\tbool\nconfig transitional\n\tbool\n";
  FrontEnd v510(text), v61(text), v612(text);
  EXPECT_FALSE(v510.parse("5.10"));  // 'optional' and 'option' are keywords there
  EXPECT_FALSE(v61.parse("6.1"));    // 'optional' still is
  EXPECT_TRUE(v612.parse("6.12")) << v612.error;
  EXPECT_EQ(v510.error, "Kconfig:2: syntax error\nKconfig:1: invalid statement");
  EXPECT_EQ(v61.error, "Kconfig:4: syntax error\nKconfig:3: invalid statement");
}

TEST(Lexer, AssignmentOnlyAtStartOfLine) {
  // After a help text the "WORD =" rule doesn't fire: the value is lexed as words.
  FrontEnd fe("config A\n\tbool\n\thelp\n\t  t\nX := 1\n");
  EXPECT_FALSE(fe.parse());
  EXPECT_EQ(fe.error, "Kconfig:5: syntax error\nKconfig:5: unknown statement \"X\"");
}

}  // namespace
}  // namespace rk::kconfig::testing
