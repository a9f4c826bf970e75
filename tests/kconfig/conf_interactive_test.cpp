// conf's line-oriented and remaining modes (oldaskconfig, oldconfig, syncconfig, listnewconfig,
// helpnewconfig, randconfig, yes2mod/mod2yes/mod2no), the help text, the menu structure built
// from conf's simplified dependencies, dependency-loop reports and auto.conf planning. The
// expected texts are what scripts/kconfig/conf of the named release prints for the same
// fixture and input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "kconfig/autoconf.hpp"
#include "kconfig/conf_interactive.hpp"
#include "kconfig/expr.hpp"
#include "kconfig/menu_help.hpp"
#include "test_util.hpp"

namespace rk::kconfig {
namespace {

using testing::Fixture;

struct Session {
  std::string out, err;
  ConfOutcome outcome;
  std::string config;  // .config body without the heading
};

Session ask(Fixture& f, ConfMode mode, const std::string& input, const std::string& dotconfig = "",
            Environment env = {}) {
  if (!dotconfig.empty()) f.dir.write(".config", dotconfig);
  Config config(*f.tree, &f.diag);
  std::istringstream in(input);
  std::ostringstream out, err;
  Console console;
  console.in = &in;
  console.out = &out;
  console.err = &err;
  console.echo_input = true;  // conf echoes answers read from a pipe
  ConfRequest req;
  req.mode = mode;
  req.files = f.files();
  req.env = std::move(env);
  req.console = &console;
  if (mode == ConfMode::RandConfig) {
    std::string message;
    req.seed = randconfig_seed(req.env, message);
  }
  Session s;
  s.outcome = run_conf_mode(config, req);
  s.out = out.str() + s.outcome.listing;
  s.err = err.str();
  if (s.outcome.config) s.config = Fixture::body(s.outcome);
  return s;
}

// Entries that depend on the symbol before them nest under it; B depends on R absolutely,
// C only through "(R || A) && !R" (a superset of R's own dependencies), which conf nests too.
const char* kNesting = R"(config A
	bool "A"
	default y

config A0
	bool "A0"
	depends on A
	help
	  Nested under A.

config R
	bool "R"

config B
	bool "B"
	depends on (A || R) && R

config C
	bool "C"
	depends on (R || A) && !R

choice
	prompt "pick"
	depends on A

config P1
	bool "p1"

config P2
	bool "p2"

endchoice

config N
	int "n"
	range 1 9
	default 4
)";

TEST(ConfInteractive, OldAskConfigAsksEverythingWithNestingAndRetries) {
  for (const char* version : {"6.1", "6.12"}) {
    SCOPED_TRACE(version);
    Fixture f(kNesting, version);
    Session s = ask(f, ConfMode::OldAskConfig, "y\n\ny\nn\n2\n12\n7\n");
    EXPECT_EQ(s.out,
              "*\n* Main menu\n*\n"
              "A (A) [Y/n/?] (NEW) y\n"
              "  A0 (A0) [N/y/?] (NEW) \n"
              "R (R) [N/y/?] (NEW) y\n"
              "  B (B) [N/y/?] (NEW) n\n"
              "pick\n"
              "> 1. p1 (P1) (NEW)\n"
              "  2. p2 (P2) (NEW)\n"
              "choice[1-2?]: 2\n"
              "n (N) [4] (NEW) 12\n"
              "n (N) [4] (NEW) 7\n");
    EXPECT_EQ(s.config,
              "CONFIG_A=y\n# CONFIG_A0 is not set\nCONFIG_R=y\n# CONFIG_B is not set\n"
              "# CONFIG_P1 is not set\nCONFIG_P2=y\nCONFIG_N=7\n");
  }
}

TEST(ConfInteractive, SupersetDependencyNests) {
  Fixture f(kNesting, "6.12");
  Session s = ask(f, ConfMode::OldAskConfig, "y\n?\n\nn\ny\n\n2\n");
  EXPECT_NE(s.out.find("R (R) [N/y/?] (NEW) n\n  C (C) [N/y/?] (NEW) y\n"), std::string::npos)
      << s.out;
  // The help shown after '?'.
  EXPECT_NE(s.out.find("  A0 (A0) [N/y/?] (NEW) ?\n\nCONFIG_A0:\n\nNested under A.\n\n"
                       "Symbol: A0 [=n]\nType  : bool\nDefined at Kconfig:5\n  Prompt: A0\n"
                       "  Depends on: A [=y]\n  Location:\n    -> A (A [=y])\n"
                       "      -> A0 (A0 [=n])\n\n\n\n  A0 (A0) [N/y/?] (NEW) \n"),
            std::string::npos)
      << s.out;
}

TEST(ConfInteractive, OldConfigAsksOnlyNewSymbols) {
  Fixture f(kNesting, "6.12");
  // "5" is no member: the choice is shown again; then input ends (defaults are taken).
  Session s = ask(f, ConfMode::OldConfig, "y\n\n5\n", "CONFIG_A=y\nCONFIG_R=y\nCONFIG_P1=y\n");
  EXPECT_EQ(s.out,
            "*\n* Restart config...\n*\n*\n* Main menu\n*\n"
            "A (A) [Y/n/?] y\n"
            "  A0 (A0) [N/y/?] (NEW) y\n"
            "R (R) [Y/n/?] y\n"
            "  B (B) [N/y/?] (NEW) \n"
            "pick\n> 1. p1 (P1)\n  2. p2 (P2) (NEW)\nchoice[1-2?]: 5\n"
            "pick\n> 1. p1 (P1)\n  2. p2 (P2) (NEW)\nchoice[1-2?]: "
            "n (N) [4] (NEW) \n");
  EXPECT_EQ(s.err, "\nError in reading or end of file.\n\nError in reading or end of file.\n");
  EXPECT_EQ(s.outcome.exit_code, 0);
}

TEST(ConfInteractive, ListNewConfig) {
  Fixture f(kNesting, "6.1");
  Session s = ask(f, ConfMode::ListNewconfig, "", "CONFIG_A=y\nCONFIG_R=y\nCONFIG_P1=y\n");
  EXPECT_EQ(s.out, "CONFIG_A0=n\nCONFIG_B=n\nCONFIG_P2=n\nCONFIG_N=4\n");
  EXPECT_FALSE(s.outcome.config);
}

TEST(ConfInteractive, HelpNewConfigPerRelease) {
  const char* dot = "CONFIG_A=y\nCONFIG_R=y\nCONFIG_P1=y\n";
  Fixture old(kNesting, "5.10");
  std::string o = ask(old, ConfMode::HelpNewconfig, "", dot).out;
  // 5.10 starts the location at the parent and lists the choice itself (with the reverse
  // dependency that keeps a visible choice from being n).
  EXPECT_NE(o.find("  Depends on: (A [=y] || R [=y]) && R [=y]\n  Location:\n"
                   "    -> R (R [=y])\n\n\n\n-----\n"),
            std::string::npos)
      << o;
  EXPECT_NE(o.find("Defined at Kconfig:22\n  Prompt: pick\n  Depends on: A [=y]\n"
                   "Selected by [m]:\n  - A [=y] && m [=m]\n"),
            std::string::npos)
      << o;
  Fixture now(kNesting, "6.12");
  std::string n = ask(now, ConfMode::HelpNewconfig, "", dot).out;
  EXPECT_NE(n.find("Symbol: N [=4]\nType  : integer\nRange : [1 9]\nDefined at Kconfig:34\n"
                   "  Prompt: n\n  Location:\n    -> n (N [=4])\n\n\n\n-----\n"),
            std::string::npos)
      << n;
  EXPECT_EQ(n.find("Prompt: pick"), std::string::npos);
}

TEST(ConfInteractive, EndOfInputWithoutValidIntegerStops612) {
  Fixture f("config X\n\tint \"x\"\n\trange 5 10\n\tdefault 20\n", "6.12");
  Session s = ask(f, ConfMode::OldAskConfig, "3");
  EXPECT_EQ(s.outcome.exit_code, 1);
  EXPECT_EQ(s.err, "\nerror: no value for new symbol 'X' at end of input\n");
}

TEST(ConfInteractive, TristateChoiceInModuleMode61) {
  Fixture f(R"(config MODULES
	bool "modules"
	default y
	modules
choice
	tristate "tc"
config T1
	tristate "t1"
config T2
	tristate "t2"
endchoice
)",
            "6.1");
  Session s = ask(f, ConfMode::OldAskConfig, "\nm\nm\ny\n");
  EXPECT_EQ(s.out,
            "*\n* Main menu\n*\nmodules (MODULES) [Y/n/?] (NEW) \n"
            "tc [M/y/?] (NEW) m\n  t1 (T1) [N/m/?] (NEW) m\n  t2 (T2) [N/m/?] (NEW) y\n"
            // y is out of range for a member of an m choice: conf shows the help
            "\nThere is no help available for this option.\nSymbol: T2 [=n]\nType  : tristate\n"
            "Defined at Kconfig:9\n  Prompt: t2\n  Depends on: <choice>\n  Location:\n"
            "    -> tc (<choice> [=m])\n      -> t2 (T2 [=n])\n\n\n\n"
            "  t2 (T2) [N/m/?] (NEW) \n");
  EXPECT_EQ(s.config, "CONFIG_MODULES=y\nCONFIG_T1=m\n# CONFIG_T2 is not set\n");
}

TEST(ConfModes, RandomMatchesGlibcRand) {
  for (uint32_t seed : {0u, 1u, 42u, 0x9e3779b1u, 0xffffffffu}) {
    std::srand(seed);
    ConfRandom r(seed);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(r.next(), std::rand()) << seed << " " << i;
  }
}

TEST(ConfModes, RandConfigFollowsSeed) {
  Fixture old(kNesting, "6.1");
  Session a = ask(old, ConfMode::RandConfig, "", "", {{"KCONFIG_SEED", "42"}});
  EXPECT_EQ(a.config,
            "CONFIG_A=y\nCONFIG_A0=y\nCONFIG_R=y\n# CONFIG_B is not set\n# CONFIG_P1 is not set\n"
            "CONFIG_P2=y\nCONFIG_N=4\n");
  Fixture now(kNesting, "6.12");
  Session b = ask(now, ConfMode::RandConfig, "", "", {{"KCONFIG_SEED", "0x2a"}});
  EXPECT_EQ(b.config, "# CONFIG_A is not set\n# CONFIG_R is not set\nCONFIG_N=4\n");
  std::string message;
  EXPECT_EQ(randconfig_seed({{"KCONFIG_SEED", "0x2a"}}, message), 42u);
  EXPECT_EQ(message, "KCONFIG_SEED=0x2A\n");
}

TEST(ConfModes, RandConfigRejectsBadProbability) {
  Fixture f(kNesting, "6.12");
  Session s = ask(f, ConfMode::RandConfig, "", "",
                  {{"KCONFIG_SEED", "1"}, {"KCONFIG_PROBABILITY", "60:50"}});
  EXPECT_EQ(s.outcome.exit_code, 1);
  EXPECT_EQ(s.outcome.error, "KCONFIG_PROBABILITY: Numerical result out of range");
}

TEST(ConfModes, RewriteTristates) {
  const char* kconfig = R"(config MODULES
	bool "modules"
	modules
config T
	tristate "t"
config U
	tristate "u"
)";
  const char* dot = "CONFIG_MODULES=y\nCONFIG_T=y\nCONFIG_U=m\n";
  Fixture f(kconfig, "6.1");
  EXPECT_EQ(ask(f, ConfMode::Yes2ModConfig, "", dot).config,
            "CONFIG_MODULES=y\nCONFIG_T=m\nCONFIG_U=m\n");
  EXPECT_EQ(ask(f, ConfMode::Mod2YesConfig, "", dot).config,
            "CONFIG_MODULES=y\nCONFIG_T=y\nCONFIG_U=y\n");
  EXPECT_EQ(ask(f, ConfMode::Mod2NoConfig, "", dot).config,
            "CONFIG_MODULES=y\nCONFIG_T=y\n# CONFIG_U is not set\n");
}

// conf's simplified dependencies, as its help prints them.
TEST(ConfHelp, DependenciesAreShownSimplified) {
  const char* kconfig = R"(config MODULES
	bool "modules"
	default y
	modules
config A
	bool "a"
config B
	bool "b"
config C
	tristate "c"
config D
	tristate "d"
config E1
	bool "e1"
	depends on A || A
config E10
	bool "e10"
	depends on (A && B) || (A && B) || C
config E5
	bool "e5"
	depends on !!A && !(C = y)
config E13
	bool "e13"
	depends on (A || (B && (C || D))) && (A || (B && (D || C)))
config E17
	bool "e17"
	depends on (A || B || A) && (C || (D && C) || D)
if A || B
menu "m1"
	depends on C || A
	visible if D || A
config E20
	bool "e20" if B || A
	depends on (C || A) && (A || B)
endmenu
endif
)";
  const char* dot = "CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=m\nCONFIG_D=y\nCONFIG_MODULES=y\n";
  struct Case {
    const char* sym;
    const char* shown;
  };
  for (const char* version : {"6.1", "6.12"}) {
    SCOPED_TRACE(version);
    Fixture f(kconfig, version);
    std::string out = ask(f, ConfMode::HelpNewconfig, "", dot).out;
    for (const Case& c : std::initializer_list<Case>{
             {"E1", "  Depends on: A [=y]\n"},
             {"E10", "  Depends on: A [=y] && B [=y] || C [=m]\n"},
             {"E5", "  Depends on: A [=y] && C [=m]!=y [=y]\n"},
             {"E13", "  Depends on: A [=y] || B [=y] && (C [=m] || D [=y])\n"},
             {"E17",
              "  Depends on: (B [=y] || A [=y]) && (C [=m] || D [=y] && C [=m] || D [=y])\n"},
             {"E20",
              "  Depends on: (C [=m] || A [=y]) && (A [=y] || B [=y])\n"
              "  Visible if: (C [=m] || A [=y]) && (A [=y] || B [=y]) && (D [=y] || A [=y])\n"}}) {
      std::string head = std::string("Symbol: ") + c.sym + " [=n]\n";
      size_t at = out.find(head);
      ASSERT_NE(at, std::string::npos) << c.sym;
      EXPECT_NE(out.find(c.shown, at), std::string::npos) << c.sym << "\n" << out.substr(at, 400);
    }
  }
}

TEST(ConfHelp, FoldsAtMaxWidth) {
  Fixture f(
      "config LONG_A\n\tbool \"a\"\nconfig LONG_B\n\tbool \"b\"\n"
      "config X\n\tbool \"x\"\n\tdepends on LONG_A || LONG_B\n",
      "6.12");
  Config c(*f.tree);
  c.clear_all_valid();
  const Menu* x = f.tree->find("X")->menus.front();
  HelpOptions o;
  o.max_width = 30;
  std::string text = menu_help(c, x, o);
  EXPECT_NE(text.find("  Depends on: LONG_A [=n] || \\\nLONG_B [=n]\n"), std::string::npos) << text;
}

TEST(Finalize, RecursiveDependencyReportPerRelease) {
  const char* kconfig =
      "config A\n\tbool \"a\"\n\tdepends on B\nconfig B\n\tbool \"b\"\n"
      "\tdefault A\n";
  for (const char* version : {"6.1", "6.12"}) {
    testing::TempDir dir;
    dir.write("Kconfig", kconfig);
    Diagnostics diag;
    testing::ScriptedShell shell;
    ParseOptions o;
    o.cwd = dir.path();
    o.srctree = dir.path();
    o.shell = &shell;
    o.diag = &diag;
    o.dialect = parse_dialect(version);
    EXPECT_THROW(parse_kconfig(o), KconfigError);
    std::string text;
    for (auto& l : diag.lines()) text += l + "\n";
    if (std::string(version) == "6.1")
      EXPECT_EQ(text,
                "Kconfig:6:error: recursive dependency detected!\n"
                "Kconfig:6:\tsymbol B default value contains A\n"
                "Kconfig:1:\tsymbol A depends on B\n"
                "For a resolution refer to Documentation/kbuild/kconfig-language.rst\n"
                "subsection \"Kconfig recursive dependency limitations\"\n\n");
    else
      EXPECT_EQ(text,
                "error: recursive dependency detected!\n"
                "\tsymbol A depends on B\n"
                "\tsymbol B default value contains A\n"
                "For a resolution refer to Documentation/kbuild/kconfig-language.rst\n"
                "subsection \"Kconfig recursive dependency limitations\"\n\n");
  }
}

TEST(ExprSimplifier, EliminatesDuplicatesAndTransforms) {
  Fixture f("config A\n\tbool \"a\"\nconfig B\n\tbool \"b\"\nconfig T\n\ttristate \"t\"\n", "6.12");
  Tree& t = *f.tree;
  Symbol* a = t.find("A");
  Symbol* b = t.find("B");
  Symbol* tt = t.find("T");
  ExprSimplifier x(t, nullptr);
  auto s = [&](Symbol* sym) { return x.new_sym(sym); };
  // A || B || A -> A || B (the left A joins the right one)
  Expr* e = x.eliminate_dups(x.new_or(x.new_or(s(a), s(b)), s(a)));
  EXPECT_EQ(expr_to_string(e), "B || A");
  // T=y || T=m -> T!=n
  e = x.eliminate_dups(x.new_or(x.new_cmp(ExprKind::Equal, tt, t.sym_yes),
                                x.new_cmp(ExprKind::Equal, tt, t.sym_mod)));
  EXPECT_EQ(expr_to_string(e), "T!=n");
  // !(A || B=n) -> !A && B
  Expr* n = x.new_or(s(a), x.new_cmp(ExprKind::Equal, b, t.sym_no));
  Expr* neg = x.copy(n);
  Expr wrapper;
  wrapper.kind = ExprKind::Not;
  wrapper.left = neg;
  e = x.transform(x.copy(&wrapper));
  EXPECT_EQ(expr_to_string(e), "!A && B");
  EXPECT_TRUE(x.eq(x.new_and(s(a), s(b)), x.new_and(s(b), s(a))));
  EXPECT_FALSE(x.eq(x.new_and(s(a), s(b)), x.new_or(s(b), s(a))));
}

TEST(Autoconf, PlansFilesAndDependencyTouches) {
  Fixture f(R"(mainmenu "Test"
config MODULES
	bool "modules"
	default y
	modules
config A
	tristate "a"
	default m
config H
	hex "h"
	default 10
config S
	string "s"
	default "q\"x"
config OFF
	bool "off"
)",
            "6.12");
  Config c(*f.tree, &f.diag);
  ConfRequest req;
  req.files = f.files();
  req.mode = ConfMode::OldDefconfig;
  ConfOutcome out = run_conf_mode(c, req);
  ASSERT_TRUE(out.write_autoconf);
  f.dir.write("include/config/auto.conf", "CONFIG_A=m\nCONFIG_GONE=y\nCONFIG_H=0x11\n");
  AutoconfPlan skip = plan_autoconf(c, f.files(), {}, false);
  EXPECT_TRUE(skip.skip);
  AutoconfPlan plan = plan_autoconf(c, f.files(), {}, true);
  ASSERT_EQ(plan.files.size(), 4u);
  EXPECT_EQ(plan.files[0].first, "include/config/auto.conf.cmd");
  EXPECT_EQ(plan.files[0].second,
            "autoconfig := include/config/auto.conf\n\ndeps_config := \\\n\tKconfig \\\n\n"
            "$(autoconfig): $(deps_config)\n$(deps_config): ;\n");
  EXPECT_EQ(plan.files[1].first, "include/generated/autoconf.h");
  EXPECT_EQ(plan.files[2].first, "include/generated/rustc_cfg");
  EXPECT_EQ(plan.files[3].first, "include/config/auto.conf");
  // Lines come in conf's symbol hash order; compare as sets.
  auto has = [](const std::string& text, const std::string& line) {
    return text.find(line) != std::string::npos;
  };
  const std::string& h = plan.files[1].second;
  EXPECT_EQ(h.rfind("/*\n * Automatically generated file; DO NOT EDIT.\n * Test\n */\n", 0), 0u);
  EXPECT_TRUE(has(h, "#define CONFIG_A_MODULE 1\n"));
  EXPECT_TRUE(has(h, "#define CONFIG_H 0x10\n"));
  EXPECT_TRUE(has(h, "#define CONFIG_S \"q\\\"x\"\n"));
  EXPECT_FALSE(has(h, "OFF"));
  const std::string& r = plan.files[2].second;
  EXPECT_TRUE(has(r, "--cfg=CONFIG_A\n--cfg=CONFIG_A=\"m\"\n"));
  EXPECT_TRUE(has(r, "--cfg=CONFIG_H=\"0x10\"\n"));
  const std::string& a = plan.files[3].second;
  EXPECT_TRUE(has(a, "CONFIG_S=q\"x\n"));  // unquoted since 5.17
  EXPECT_TRUE(has(a, "CONFIG_MODULES=y\n"));
  // Changed (H, S, MODULES), vanished (GONE); A kept its value.
  std::vector<std::string> touch = plan.touch;
  std::sort(touch.begin(), touch.end());
  EXPECT_EQ(touch, (std::vector<std::string>{"include/config/GONE", "include/config/H",
                                             "include/config/MODULES", "include/config/S"}));
}

TEST(Autoconf, Release510NamesDependencyFilesByPath) {
  Fixture f("config FOO_BAR\n\tbool \"f\"\n\tdefault y\n", "5.10");
  Config c(*f.tree, &f.diag);
  ConfRequest req;
  req.files = f.files();
  run_conf_mode(c, req);
  AutoconfPlan plan = plan_autoconf(c, f.files(), {}, true);
  EXPECT_EQ(plan.touch, std::vector<std::string>{"include/config/foo/bar.h"});
  EXPECT_TRUE(plan.touch_makes_dirs);
  ASSERT_EQ(plan.files.size(), 3u);  // no rustc_cfg before 6.1
  EXPECT_EQ(plan.files[0].second,
            "deps_config := \\\n\tKconfig\n\ninclude/config/auto.conf: \\\n\t$(deps_config)\n\n"
            "\n$(deps_config): ;\n");
  EXPECT_EQ(plan.files[1].second,
            "/*\n *\n * Automatically generated file; DO NOT EDIT.\n * Main menu\n *\n */\n"
            "#define CONFIG_FOO_BAR 1\n");
}

}  // namespace
}  // namespace rk::kconfig
