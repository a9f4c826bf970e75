// The macro language: variables, user functions, built-ins, environment, errors. Expected
// outputs were checked against scripts/kconfig/conf of 5.10, 6.1 and 6.12.
#include <gtest/gtest.h>

#include "front_end_util.hpp"

namespace rk::kconfig::testing {
namespace {

using Lines = std::vector<std::string>;

Lines info_of(const std::string& kconfig, const std::string& version = "6.12") {
  FrontEnd fe(kconfig);
  EXPECT_TRUE(fe.parse(version)) << fe.error;
  return fe.info;
}

std::string error_of(const std::string& kconfig, const std::string& version = "6.12") {
  FrontEnd fe(kconfig);
  EXPECT_FALSE(fe.parse(version));
  return fe.error;
}

TEST(Preprocess, SimpleRecursiveAndAppend) {
  EXPECT_EQ(info_of("X := 1\n"
                    "SIMPLE := $(X)\n"
                    "RECURSIVE = $(X)\n"
                    "X := 2\n"
                    "$(info,$(SIMPLE) $(RECURSIVE))\n"
                    "Y := 3\n"
                    "SIMPLE += $(Y)\n"
                    "RECURSIVE += $(Y)\n"
                    "Y := 4\n"
                    "$(info,$(SIMPLE)|$(RECURSIVE))\n"
                    "NEW += $(Y)\n"  // undefined + '+=' is recursive
                    "Y := 5\n"
                    "$(info,$(NEW))\n"),
            (Lines{"1 2", "1 3|2 4", "5"}));
}

TEST(Preprocess, UserFunctions) {
  EXPECT_EQ(info_of("greet = $(1), my name is $(2).\n"
                    "$(info,$(greet,Hello,John))\n"
                    "$(info,$(greet,Hello))\n"
                    "$(info,$(greet,Hello,John,extra))\n"
                    "twice = $(1)$(1)\n"
                    "$(info,$(twice,$(twice,ab)))\n"
                    "$(info,[$( 1)])\n"),  // no enclosing call: not an argument
            (Lines{"Hello, my name is John.", "Hello, my name is .", "Hello, my name is John.",
                   "abababab", "[]"}));
}

TEST(Preprocess, ArgumentsAreSplitOutsideParentheses) {
  EXPECT_EQ(info_of("f = <$(1)>\n$(info,$(f,(a,b)))\ncomma := ,\n$(info,$(f,a$(comma)b))\n"),
            (Lines{"<(a,b)>", "<a,b>"}));
}

TEST(Preprocess, EscapingTricks) {
  EXPECT_EQ(info_of("$(info,$)\n"
                    "$(info,$$)\n"
                    "$ := 1\n"
                    "$(info,$($))\n"
                    "dollar := $\n"
                    "$(info,$(dollar)(X))\n"
                    "left := (\n"
                    "$(info,$(left))\n"
                    "$(info,  ' \" '\"   ' ''' \"'\")\n"),
            (Lines{"$", "$$", "1", "$(X)", "(", "  ' \" '\"   ' ''' \"'\""}));
}

TEST(Preprocess, AssignmentValueIsRawRestOfLine) {
  EXPECT_EQ(info_of("X := a b   \n"
                    "$(info,[$(X)])\n"
                    "Y := # kept\n"
                    "$(info,[$(Y)])\n"
                    "Z :=\n"
                    "$(info,[$(Z)])\n"
                    "W=   w\n"
                    "$(info,[$(W)])\n"),
            (Lines{"[a b   ]", "[# kept]", "[]", "[w]"}));
}

TEST(Preprocess, LeftHandSideIsExpanded) {
  EXPECT_EQ(info_of("A := x\nB := y\n$(A)$(B) := 5\n$(info,$(xy))\n"), (Lines{"5"}));
}

TEST(Preprocess, FilenameAndLineno) {
  FrontEnd fe(
      "$(info,$(filename):$(lineno))\n"
      "L := $(lineno)\n"  // expanded once the line's newline has been read
      "R = $(lineno)\n"
      "\n"
      "$(info,$(L) $(R))\n"
      "source \"sub/k\"\n");
  fe.files["sub/k"] = "\n$(info,$(filename):$(lineno))\n";
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.info, (Lines{"Kconfig:1", "3 5", "sub/k:2"}));
}

TEST(Preprocess, WarningIf) {
  FrontEnd fe("\n$(warning-if,y,hello world)\n$(warning-if,n,not this)\n$(warning-if,yes,nor)\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.warnings(), "Kconfig:2: hello world\n");
}

TEST(Preprocess, ErrorIf) {
  EXPECT_EQ(error_of("config A\n\tbool\n$(error-if,y,stop here)\n"), "Kconfig:3: stop here");
  EXPECT_EQ(error_of("X := $(error-if,y,in assignment)\n"), "Kconfig:2: in assignment");
  FrontEnd fe("$(error-if,n,fine)\n");
  EXPECT_TRUE(fe.parse());
}

TEST(Preprocess, ShellGoesThroughTheRunner) {
  FrontEnd fe("$(info,[$(shell,echo hi)])\nconfig A\n\tbool \"$(shell,prompt)\"\n");
  fe.env = {{"CC", "gcc"}};
  fe.shell.answers = {{"echo hi", "hi"}, {"prompt", "from shell"}};
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.info, (Lines{"[hi]"}));
  EXPECT_EQ(fe.shell.commands, (Lines{"echo hi", "prompt"}));
  EXPECT_EQ(fe.shell.last_env, (Environment{{"CC", "gcc"}}));
  EXPECT_EQ(fe.shell.last_cwd, FrontEnd::kDir);
  EXPECT_EQ(fe.entry("A")->prompt->text, "from shell");
}

TEST(Preprocess, EnvironmentIsTheLastResortAndRecorded) {
  FrontEnd fe(
      "$(info,$(HOME) [$(NOPE)] $(HOME))\n"
      "$(info,$(CC))\n"
      "HOME := mine\n"
      "$(info,$(HOME))\n"
      "f = x\n"
      "$(info,$(f))\n");
  fe.env = {{"HOME", "/root"}, {"CC", "gcc"}, {"f", "env-f"}, {"UNUSED", "1"}};
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.info, (Lines{"/root [] /root", "gcc", "mine", "x"}));
  using Env = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(fe.tree->env_used, (Env{{"HOME", "/root"}, {"CC", "gcc"}}));
}

TEST(Preprocess, VariablesShadowBuiltins) {
  FrontEnd fe("info = shadowed $(1)\n$(warning-if,y,$(info,x))\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_TRUE(fe.info.empty());
  EXPECT_EQ(fe.warnings(), "Kconfig:2: shadowed x\n");
}

TEST(Preprocess, RecursionErrors) {
  EXPECT_EQ(error_of("X = $(Y)\nY = $(X)\n$(info,$(X))\n"),
            "Kconfig:3: Recursive variable 'X' references itself (eventually)");
  // With arguments a variable may be re-entered, but only 1000 times at once.
  EXPECT_EQ(error_of("f = $(f,$(1))\n$(info,$(f,a))\n"), "Kconfig:2: Too deep recursive expansion");
}

TEST(Preprocess, ArgumentCountErrors) {
  std::string sixteen = "a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a";
  EXPECT_EQ(error_of("$(info," + sixteen + ")\n"), "Kconfig:1: too many function arguments");
  EXPECT_EQ(info_of("f = $(15)\n$(info,$(f,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15))\n"),
            (Lines{"15"}));
  EXPECT_EQ(error_of("$(shell)\n"), "Kconfig:1: too few function arguments passed to 'shell'");
  EXPECT_EQ(error_of("$(info,a,b)\n"), "Kconfig:1: too many function arguments passed to 'info'");
  EXPECT_EQ(error_of("$(lineno,x)\n"), "Kconfig:1: too many function arguments passed to 'lineno'");
  EXPECT_EQ(error_of("$(warning-if,y)\n"),
            "Kconfig:1: too few function arguments passed to 'warning-if'");
}

TEST(Preprocess, UnterminatedReference) {
  EXPECT_EQ(error_of("$(info,abc\n"),
            "Kconfig:1: unterminated reference to 'info,abc': missing ')'");
  EXPECT_EQ(error_of("config A\n\tbool \"$(X\"\n"),
            "Kconfig:2: unterminated reference to 'X\"': missing ')'");
}

TEST(Preprocess, LimitsStopRunawayExpansion) {
  FrontEnd fe("X := ab\n" + [] {
    std::string s;
    for (int i = 0; i < 30; ++i) s += "X := $(X)$(X)\n";
    return s;
  }());
  EXPECT_FALSE(fe.parse());
  EXPECT_NE(fe.error.find("macro expansion is larger than"), std::string::npos) << fe.error;

  // 2^40 references to empty variables: no growth, no depth, just work.
  std::string chain = "e0 :=\n";
  for (int i = 1; i <= 40; ++i)
    chain += "e" + std::to_string(i) + " = $(e" + std::to_string(i - 1) + ")$(e" +
             std::to_string(i - 1) + ")\n";
  FrontEnd fanout(chain + "$(info,$(e40))\n");
  EXPECT_FALSE(fanout.parse());
  EXPECT_NE(fanout.error.find("did not finish"), std::string::npos) << fanout.error;

  std::string nested = "$(info,";
  for (int i = 0; i < 4000; ++i) nested += "$(";
  nested += "x";
  for (int i = 0; i < 4000; ++i) nested += ")";
  EXPECT_EQ(error_of(nested + ")\n"), "Kconfig:1: Too deep recursive expansion");
}

}  // namespace
}  // namespace rk::kconfig::testing
