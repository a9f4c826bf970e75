// The grammar: which entries, properties and dependencies each statement creates, in which
// order and with which locations, per release. The dumps were checked against conf's own tree
// (taken right before menu_finalize) for 5.10, 6.1 and 6.12.
#include <gtest/gtest.h>

#include "front_end_util.hpp"

namespace rk::kconfig::testing {
namespace {

std::string dump_of(const std::string& kconfig, const std::string& version = "6.12") {
  FrontEnd fe(kconfig);
  EXPECT_TRUE(fe.parse(version)) << fe.error;
  return fe.tree ? fe.dump() : std::string();
}

TEST(Parser, ConfigProperties) {
  EXPECT_EQ(dump_of("mainmenu \"Test\"\n"
                    "config A\n"
                    "\ttristate \"a\" if B || C && !D\n"
                    "\tdefault m if !(B || C) && D = \"x\"\n"
                    "\tdepends on E\n"
                    "\tselect F if G\n"
                    "\timply H\n"
                    "config R\n"
                    "\tint \"r\"\n"
                    "\trange 1 \"10\" if B\n"
                    "config S\n"
                    "\tdef_bool y if A != B\n"
                    "\tdepends on A < B || A >= B\n"),
            "ROOT  PROMPT menu Kconfig:1 \"Test\" EXPR - IF -\n"
            "MENU 0 Kconfig:2 SYM A tristate\n"
            " DEP E\n"
            " PROMPT prompt Kconfig:3 \"a\" EXPR - IF (|| B (&& C (! D)))\n"
            " PROP prompt Kconfig:3 \"a\" EXPR - IF (|| B (&& C (! D)))\n"
            " PROP default Kconfig:4 EXPR m IF (&& (! (|| B C)) (= D 'x'))\n"
            " PROP select Kconfig:6 EXPR F IF G\n"
            " PROP imply Kconfig:7 EXPR H IF -\n"
            "MENU 0 Kconfig:8 SYM R int\n"
            " PROMPT prompt Kconfig:9 \"r\" EXPR - IF -\n"
            " PROP prompt Kconfig:9 \"r\" EXPR - IF -\n"
            " PROP range Kconfig:10 EXPR (range 1 '10') IF B\n"
            "MENU 0 Kconfig:11 SYM S bool\n"
            " DEP (|| (< A B) (>= A B))\n"
            " PROP default Kconfig:12 EXPR y IF (!= A B)\n");
}

TEST(Parser, LegacyMarksDefinitionsAndOptionalSymbols) {
  EXPECT_EQ(dump_of("config A\n\tbool \"a\"\n", "6.1"),
            "ROOT  PROMPT menu <none>:3 \"Main menu\" EXPR - IF -\n"
            "MENU 0 Kconfig:1 SYM A bool OPTIONAL\n"
            " PROMPT prompt Kconfig:2 \"a\" EXPR - IF -\n"
            " PROP symbol Kconfig:1 EXPR A IF -\n"
            " PROP prompt Kconfig:2 \"a\" EXPR - IF -\n");
}

TEST(Parser, MenusCommentsAndIfs) {
  EXPECT_EQ(dump_of("menu \"m1\"\n"
                    "\tdepends on X\n"
                    "\tvisible if Y\n"
                    "config A\n"
                    "\tbool \"a\"\n"
                    "if C && D\n"
                    "config B\n"
                    "\tbool\n"
                    "endif\n"
                    "endmenu\n"
                    "comment \"c1\"\n"
                    "\tdepends on A\n"),
            "ROOT  PROMPT menu Kconfig:13 \"Main menu\" EXPR - IF -\n"
            "MENU 0 Kconfig:1\n"
            " DEP X\n"
            " VIS Y\n"
            " PROMPT menu Kconfig:1 \"m1\" EXPR - IF -\n"
            "MENU 1 Kconfig:4 SYM A bool\n"
            " PROMPT prompt Kconfig:5 \"a\" EXPR - IF Y\n"
            " PROP prompt Kconfig:5 \"a\" EXPR - IF Y\n"
            "MENU 1 Kconfig:6\n"
            " DEP (&& C D)\n"
            "MENU 2 Kconfig:7 SYM B bool\n"
            "MENU 0 Kconfig:11\n"
            " DEP A\n"
            " PROMPT comment Kconfig:11 \"c1\" EXPR - IF -\n");
}

TEST(Parser, Menuconfig) {
  FrontEnd fe("menuconfig A\n\tbool \"a\"\nconfig B\n\tbool\nmenuconfig C\n\tbool\n\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  const Menu* a = fe.entry("A");
  EXPECT_TRUE(a->flags & kMenuConfig);
  EXPECT_EQ(a->prompt->type, PropType::Menu);
  // Reported at the token after the entry (here the end of the file, line 8).
  EXPECT_EQ(fe.warnings(), "Kconfig:8: warning: menuconfig statement without prompt\n");
}

TEST(Parser, ChoicesSince611) {
  FrontEnd fe(
      "choice\n"
      "\tprompt \"c\"\n"
      "\tdefault B if X\n"
      "config A\n"
      "\tbool \"a\"\n"
      "config B\n"
      "\tbool \"b\"\n"
      "if Y\n"
      "config C\n"
      "\tbool \"c\"\n"
      "endif\n"
      "config A\n"
      "\tbool \"a again\"\n"
      "endchoice\n");
  ASSERT_TRUE(fe.parse("6.12")) << fe.error;
  const Menu* choice = fe.tree->root.list;
  ASSERT_TRUE(choice->flags & kMenuChoice);
  EXPECT_EQ(choice->sym->type, SymbolType::Bool);
  ASSERT_EQ(choice->choice_members.size(), 3u);  // A only once
  EXPECT_EQ(choice->choice_members[0]->name, "A");
  EXPECT_EQ(choice->choice_members[2]->name, "C");
  EXPECT_EQ(fe.tree->find("C")->choice, choice);
  EXPECT_TRUE(fe.tree->find("C")->is_choice_value());
  EXPECT_NE(fe.dump().find(" MEMBERS A B C\n"), std::string::npos) << fe.dump();
  EXPECT_NE(fe.dump().find(" PROP default Kconfig:3 EXPR B IF X\n"), std::string::npos);
}

TEST(Parser, LegacyChoices) {
  EXPECT_EQ(dump_of("choice FOO\n"
                    "\ttristate \"c\"\n"
                    "\toptional\n"
                    "config A\n"
                    "\ttristate \"a\"\n"
                    "endchoice\n",
                    "5.10"),
            "ROOT  PROMPT menu <none>:7 \"Main menu\" EXPR - IF -\n"
            "MENU 0 Kconfig:1 SYM <choice FOO> tristate CHOICE OPTIONAL NO_WRITE\n"
            " PROMPT prompt Kconfig:2 \"c\" EXPR - IF -\n"
            " PROP symbol Kconfig:1 EXPR <choice FOO> IF -\n"
            " PROP choice Kconfig:1 EXPR - IF -\n"
            " PROP prompt Kconfig:2 \"c\" EXPR - IF -\n"
            "MENU 1 Kconfig:4 SYM A tristate OPTIONAL\n"
            " PROMPT prompt Kconfig:5 \"a\" EXPR - IF -\n"
            " PROP symbol Kconfig:4 EXPR A IF -\n"
            " PROP prompt Kconfig:5 \"a\" EXPR - IF -\n");
}

TEST(Parser, ChoiceRulesPerRelease) {
  // Named and tristate choices are gone in 6.11.
  FrontEnd named("choice FOO\n\tprompt \"c\"\nconfig A\n\tbool \"a\"\nendchoice\n");
  EXPECT_FALSE(named.parse("6.12"));
  EXPECT_EQ(named.error, "Kconfig:1: syntax error\nKconfig:1: invalid statement");
  FrontEnd tri("choice\n\ttristate \"c\"\nconfig A\n\tbool \"a\"\nendchoice\n");
  EXPECT_FALSE(tri.parse("6.12"));
  EXPECT_EQ(tri.error, "Kconfig:1: error: choice must have a prompt");
  FrontEnd member("choice\n\tprompt \"c\"\nconfig A\n\ttristate\nendchoice\n");
  EXPECT_FALSE(member.parse("6.12"));
  EXPECT_EQ(member.error,
            "Kconfig:3: error: choice member must have a prompt\n"
            "Kconfig:3: error: choice member must be bool");
  FrontEnd legacy("choice\nconfig A\n\ttristate\nendchoice\n");
  EXPECT_TRUE(legacy.parse("6.1")) << legacy.error;
}

TEST(Parser, ModulesPerRelease) {
  FrontEnd v510(
      "config MODULES\n\tbool \"m\"\n\toption modules\nconfig D\n\tstring\n"
      "\toption defconfig_list\nconfig Y\n\tbool\n\toption allnoconfig_y\n");
  ASSERT_TRUE(v510.parse("5.10")) << v510.error;
  EXPECT_EQ(v510.tree->find("D"), v510.tree->defconfig_list);
  EXPECT_TRUE(v510.tree->find("D")->flags & kSymNoWrite);
  EXPECT_TRUE(v510.tree->find("Y")->flags & kSymAllNoConfigY);

  FrontEnd v61("config MODULES\n\tbool \"m\"\n\tmodules\n");
  ASSERT_TRUE(v61.parse("6.1")) << v61.error;
  FrontEnd v61_option("config MODULES\n\tbool \"m\"\n\toption modules\n");
  EXPECT_FALSE(v61_option.parse("6.1"));
  EXPECT_EQ(v61_option.error, "Kconfig:4: syntax error\nKconfig:3: unknown statement \"option\"");

  FrontEnd twice("config M1\n\tbool\n\tmodules\nconfig M2\n\tbool\n\tmodules\n");
  EXPECT_FALSE(twice.parse("6.12"));
  EXPECT_EQ(twice.error,
            "Kconfig:6: symbol 'M2' redefines option 'modules' already defined by symbol 'M1'");
}

TEST(Parser, ModulesSymbolAndMainMenu) {
  FrontEnd fe("mainmenu \"Linux/$(ARCH) Kernel\"\nconfig MODULES\n\tbool \"m\"\n\tmodules\n");
  fe.env = {{"ARCH", "x86"}};
  ASSERT_TRUE(fe.parse("6.12")) << fe.error;
  EXPECT_EQ(fe.tree->modules, fe.tree->find("MODULES"));
  EXPECT_EQ(fe.tree->mainmenu, "Linux/x86 Kernel");

  FrontEnd none("config A\n\tbool\n");
  ASSERT_TRUE(none.parse("6.12")) << none.error;
  EXPECT_EQ(none.tree->modules, none.tree->sym_no);
  EXPECT_EQ(none.tree->mainmenu, "Main menu");
}

TEST(Parser, SourceAndFiles) {
  FrontEnd fe("config A\n\tbool\nsource \"sub/$(D)\"\nsource \"sub/K2\"\nconfig Z\n\tbool\n");
  fe.env = {{"D", "Kconfig"}};
  fe.files["sub/Kconfig"] = "config B\n\tbool \"b\"\nsource \"sub/K2\"\n";
  fe.files["sub/K2"] = "config C\n\tbool\n";
  ASSERT_TRUE(fe.parse()) << fe.error;
  std::vector<std::string> names;
  for (const SourceFile& f : fe.tree->files()) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Kconfig", "sub/Kconfig", "sub/K2"}));
  EXPECT_EQ(fe.entry("C")->file->name, "sub/K2");
  EXPECT_EQ(fe.entry("Z")->line, 5);
  EXPECT_EQ(fe.tree->files()[1].parent->name, "Kconfig");
  EXPECT_EQ(fe.tree->files()[1].parent_line, 3);
}

TEST(Parser, SymbolsAndConstants) {
  FrontEnd fe(
      "config A\n\tstring \"a\"\n\tdefault \"y\"\n\tdefault 'n'\n\tdefault \"\"\n"
      "\tdepends on B = \"foo bar\"\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_EQ(fe.dump(),
            "ROOT  PROMPT menu Kconfig:7 \"Main menu\" EXPR - IF -\n"
            "MENU 0 Kconfig:1 SYM A string\n"
            " DEP (= B 'foo bar')\n"
            " PROMPT prompt Kconfig:2 \"a\" EXPR - IF -\n"
            " PROP prompt Kconfig:2 \"a\" EXPR - IF -\n"
            " PROP default Kconfig:3 EXPR y IF -\n"
            " PROP default Kconfig:4 EXPR n IF -\n"
            " PROP default Kconfig:5 EXPR '' IF -\n");
  // Symbols are created in the order they appear (conf's hash order depends on it).
  std::vector<std::string> names;
  for (const Symbol* s : fe.tree->symbols()) names.push_back(s->name);
  EXPECT_EQ(names, (std::vector<std::string>{"A", "B"}));
}

TEST(Parser, ExpressionShapes) {
  FrontEnd fe(
      "config A\n\tbool\n\tdepends on A || B || C\n\tdepends on !A && B && !!(C || D)\n"
      "\tdepends on ! A = B\n");
  ASSERT_TRUE(fe.parse()) << fe.error;
  EXPECT_NE(fe.dump().find(" DEP (&& (&& (|| (|| A B) C) (&& (&& (! A) B) (! (! (|| C D))))) "
                           "(! (= A B)))\n"),
            std::string::npos)
      << fe.dump();
}

TEST(Parser, DeepNestingIsBounded) {
  std::string deep = "config X\n\tbool\n\tdepends on ";
  for (int i = 0; i < 20000; ++i) deep += "(";
  deep += "A";
  for (int i = 0; i < 20000; ++i) deep += ")";
  FrontEnd fe(deep + "\n");
  EXPECT_FALSE(fe.parse());
  EXPECT_EQ(fe.error, "Kconfig:3: memory exhausted");
}

}  // namespace
}  // namespace rk::kconfig::testing
