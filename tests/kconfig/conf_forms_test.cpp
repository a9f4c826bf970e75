// conf's simplified dependencies (the conf_* fields) are built when first needed, from what
// finalize recorded, partly while nesting menus: they must be exactly what building them all
// while finalizing gives. The expected texts are what the engine gave when it built them all
// while finalizing (the same as conf prints them).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "front_end_util.hpp"
#include "kconfig/expr.hpp"

namespace rk::kconfig::testing {
namespace {

// Menus, 'visible if', 'if' blocks, menuconfig nesting, 'm' in dependencies, selects and
// implies with conditions, a tristate choice with a bool member, two definitions of a symbol.
const char* const kKconfig = R"(mainmenu "Conf forms"
config MODULES
	bool "modules"
	modules
config A
	bool "a"
config B
	tristate "b"
	depends on A || m
config B_SUB
	bool "b sub"
	depends on B && A
	select C if A
	imply D
config B_SUB2
	tristate "b sub 2"
	depends on B
	default m if A && A
config C
	tristate
	depends on A && !(B && A)
config D
	tristate "d"
	depends on B=y || B=m || A
menu "M1"
	depends on A
	visible if B
config E
	bool "e"
	depends on A && B
	select C
comment "c1"
	depends on E
if E && A
config F
	tristate "f" if B
	default y
	imply D if B_SUB
endif
menuconfig G
	bool "g"
config G1
	bool "g1"
	depends on G && A
config G2
	bool "g2"
	depends on G || E
endmenu
choice
	tristate "ch"
	depends on B
config CH_A
	tristate "ch a"
config CH_B
	bool "ch b"
	select E
endchoice
config A
	bool "a again"
	depends on MODULES && !ZZ
config ZZ
	bool "zz"
	depends on m
)";

std::string kconfig_for(const std::string& version) {
  std::string k = kKconfig;
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t at = k.find(from);
    if (at != std::string::npos) k.replace(at, from.size(), to);
  };
  if (version == "5.10") replace("\tmodules\n", "\toption modules\n");
  if (version == "6.12") {  // 6.11 choices: no type of their own, bool members only
    replace("\ttristate \"ch\"\n", "\tprompt \"ch\"\n");
    replace("\ttristate \"ch a\"\n", "\tbool \"ch a\"\n");
  }
  return k;
}

std::string conf_forms(const Tree& tree) {
  std::string out;
  walk_menus_below(&tree.root, [&](const Menu* m) {
    out += (m->sym && m->sym->has_name ? m->sym->name
            : m->prompt                ? m->prompt->text
                                       : std::string("?")) +
           ": " + expr_to_string(m->conf_dep);
    if (m->prompt) out += " | " + expr_to_string(m->prompt->conf_visible);
    out += "\n";
  });
  for (const char* name : {"A", "B", "C", "D", "E", "CH_A", "CH_B"}) {
    const Symbol* s = tree.find(name);
    out += std::string(name) + ": dir " + expr_to_string(s->conf_dir_dep) + " rev " +
           expr_to_string(s->conf_rev_dep) + " imp " + expr_to_string(s->conf_implied) + "\n";
  }
  return out;
}

struct Expected {
  const char* version;
  const char* forms;
};

// 5.10 and 6.1 give the same forms; 6.12's choice rules (rewritten in 6.11) differ.
const char* const kBeforeChoiceRewrite = R"(MODULES: y | y
A: y | y
B: A || m && MODULES | A || m && MODULES
B_SUB: B && A | B && A
B_SUB2: B | B
C: A && (!B || !A)
D: B!=n || A | B!=n || A
M1: A | A
E: A && B | A && B
c1: A && E | A && E
?: E && A
F: E && A | E && A && B
G: A | A && B
G1: G && A | G && A && B
G2: A && (G || E) | A && (G || E) && B
ch: B | B
CH_A: <choice> | <choice>
CH_B: <choice>=y && <choice> | <choice>=y && <choice>
A: MODULES && !ZZ | MODULES && !ZZ
ZZ: m && MODULES | m && MODULES
A: dir MODULES && !ZZ rev y imp y
B: dir A || m && MODULES rev y imp y
C: dir A && (!B || !A) rev B_SUB && B && A || E && A && B imp y
D: dir B!=n || A rev y imp B_SUB && B && A || F && E && A && B_SUB
E: dir A && B rev CH_B && <choice> imp y
CH_A: dir <choice> rev y imp y
CH_B: dir <choice> rev y imp y
)";

const Expected kExpected[] = {
    {"5.10", kBeforeChoiceRewrite},
    {"6.1", kBeforeChoiceRewrite},
    {"6.12", R"(MODULES: y | y
A: y | y
B: A || m && MODULES | A || m && MODULES
B_SUB: B && A | B && A
B_SUB2: B | B
C: A && (!B || !A)
D: B!=n || A | B!=n || A
M1: A | A
E: A && B | A && B
c1: A && E | A && E
?: E && A
F: E && A | E && A && B
G: A | A && B
G1: G && A | G && A && B
G2: A && (G || E) | A && (G || E) && B
ch: B | B
CH_A: B | B
CH_B: B | B
A: MODULES && !ZZ | MODULES && !ZZ
ZZ: m && MODULES | m && MODULES
A: dir MODULES && !ZZ rev y imp y
B: dir A || m && MODULES rev y imp y
C: dir A && (!B || !A) rev B_SUB && B && A || E && A && B imp y
D: dir B!=n || A rev y imp B_SUB && B && A || F && E && A && B_SUB
E: dir A && B rev CH_B && B imp y
CH_A: dir y rev y imp y
CH_B: dir y rev y imp y
)"},
};

TEST(ConfForms, BuiltOnDemandAsFinalizeWouldBuildThem) {
  for (const Expected& want : kExpected) {
    SCOPED_TRACE(want.version);
    FrontEnd fe(kconfig_for(want.version));
    fe.finalize = true;
    ASSERT_TRUE(fe.parse(want.version)) << fe.error;
    fe.tree->ensure_conf_forms();
    EXPECT_EQ(conf_forms(*fe.tree), want.forms);
    // Built once: asking again changes nothing.
    fe.tree->ensure_conf_forms();
    EXPECT_EQ(conf_forms(*fe.tree), want.forms);
  }
}

TEST(ConfForms, ThreadsAskingAtOnceGetThemBuiltOnce) {
  FrontEnd fe(kconfig_for("6.1"));
  fe.finalize = true;
  ASSERT_TRUE(fe.parse("6.1")) << fe.error;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { fe.tree->ensure_conf_forms(); });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(conf_forms(*fe.tree), kExpected[1].forms);
}

// Nesting needs some forms while parsing (G1 and G2 follow G, which they depend on); the
// others wait. Before ensure_conf_forms(), an entry's conf_dep is its own condition.
TEST(ConfForms, NestingBuildsOnlyWhatItNeeds) {
  FrontEnd fe(kconfig_for("6.1"));
  fe.finalize = true;
  ASSERT_TRUE(fe.parse("6.1")) << fe.error;
  const Menu* g1 = fe.tree->find("G1")->menus.front();
  EXPECT_TRUE(g1->conf_state & kMenuConfReady);
  EXPECT_EQ(g1->parent, fe.tree->find("G")->menus.front());
  const Menu* a2 = fe.tree->find("A")->menus.back();  // followed by nothing that uses A
  EXPECT_FALSE(a2->conf_state & kMenuConfReady);
  EXPECT_EQ(fe.tree->find("C")->conf_rev_dep, nullptr);
  fe.tree->ensure_conf_forms();
  EXPECT_TRUE(a2->conf_state & kMenuConfReady);
  EXPECT_EQ(expr_to_string(a2->conf_dep), "MODULES && !ZZ");
  EXPECT_EQ(expr_to_string(fe.tree->find("C")->conf_rev_dep), "B_SUB && B && A || E && A && B");
}

}  // namespace
}  // namespace rk::kconfig::testing
