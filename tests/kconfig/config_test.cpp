// Value semantics of the engine on small trees, checked against what scripts/kconfig/conf
// writes for the same input.
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace rk::kconfig {
namespace {

using testing::Fixture;

TEST(ConfigValues, DefaultsDependenciesAndPromptlessSymbols) {
  Fixture f(R"(
config A
	bool "a"
	default y
config B
	bool "b"
	depends on A
config C
	bool
	default A
)");
  auto out = f.run(ConfMode::OldDefconfig);
  EXPECT_EQ(Fixture::body(out), "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\n");
}

TEST(ConfigValues, SelectOverridesUnmetDependencyAndWarns) {
  Fixture f(R"(
config A
	bool "a"
	default y
	select B
config D
	bool "d"
config B
	bool "b"
	depends on D
)");
  auto out = f.run(ConfMode::OldDefconfig);
  EXPECT_EQ(Fixture::body(out), "CONFIG_A=y\n# CONFIG_D is not set\nCONFIG_B=y\n");
  bool warned = false;
  for (auto& line : f.diag.lines())
    if (line == "WARNING: unmet direct dependencies detected for B") warned = true;
  EXPECT_TRUE(warned);
}

TEST(ConfigValues, MenusCommentsAndEndMarkers) {
  Fixture f(R"(
menu "Stuff"
config X
	bool "x"
	default y
endmenu
comment "hello"
)");
  auto out = f.run(ConfMode::OldDefconfig);
  EXPECT_EQ(Fixture::body(out), "\n#\n# Stuff\n#\nCONFIG_X=y\n# end of Stuff\n\n#\n# hello\n#\n");
}

TEST(ConfigValues, ModFollowsModules) {
  const char* kconfig = R"(
config MODULES
	bool "modules"
	modules
config T
	tristate "t"
	default m
)";
  Fixture f(kconfig);
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig)),
            "# CONFIG_MODULES is not set\nCONFIG_T=y\n");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig, "CONFIG_MODULES=y\n")),
            "CONFIG_MODULES=y\nCONFIG_T=m\n");
}

const char* kChoice = R"(
choice
	prompt "pick"
	default C2
config C1
	bool "one"
config C2
	bool "two"
endchoice
)";

TEST(ConfigValues, ChoiceDefaultAndUserSelection61) {
  Fixture f(kChoice, "6.1");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig)), "# CONFIG_C1 is not set\nCONFIG_C2=y\n");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig, "CONFIG_C1=y\n")),
            "CONFIG_C1=y\n# CONFIG_C2 is not set\n");
  EXPECT_EQ(*f.run(ConfMode::SaveDefconfig, "CONFIG_C1=y\n").defconfig, "CONFIG_C1=y\n");
  EXPECT_EQ(*f.run(ConfMode::SaveDefconfig, "CONFIG_C2=y\n").defconfig, "");
}

TEST(ConfigValues, ChoiceDefaultAndUserSelection612) {
  Fixture f(kChoice, "6.12");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig)), "# CONFIG_C1 is not set\nCONFIG_C2=y\n");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig, "CONFIG_C1=y\n")),
            "CONFIG_C1=y\n# CONFIG_C2 is not set\n");
  EXPECT_EQ(*f.run(ConfMode::SaveDefconfig, "CONFIG_C1=y\n").defconfig, "CONFIG_C1=y\n");
}

// 6.11+ evaluates a symbol as a choice member when the entry holding its first prompt sits in
// a choice block (ifs in between do not count). Outputs as the 6.12 conf writes them.
TEST(ConfigValues, ChoiceBlockComesFromTheFirstPrompt612) {
  Fixture f(R"(
config GATE
	bool "gate"
	default y
config TWICE
	bool
choice
	prompt "pick"
config C1
	bool "c1"
if GATE
config C2
	bool "c2"
endif
config TWICE
	bool "twice, prompt inside"
endchoice
)",
            "6.12");
  const Menu* block = f.tree->find("C1")->prompt_choice;
  ASSERT_NE(block, nullptr);
  EXPECT_TRUE(block->sym->is_choice());
  EXPECT_EQ(f.tree->find("C2")->prompt_choice, block);
  EXPECT_EQ(f.tree->find("TWICE")->prompt_choice, block);
  EXPECT_EQ(f.tree->find("GATE")->prompt_choice, nullptr);
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig)),
            "CONFIG_GATE=y\n# CONFIG_TWICE is not set\nCONFIG_C1=y\n# CONFIG_C2 is not set\n");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig, "CONFIG_C2=y\n")),
            "CONFIG_GATE=y\n# CONFIG_TWICE is not set\n# CONFIG_C1 is not set\nCONFIG_C2=y\n");
  Fixture old_rules(R"(
choice
	prompt "pick"
config C1
	bool "c1"
endchoice
)",
                    "6.1");
  EXPECT_EQ(old_rules.tree->find("C1")->prompt_choice, nullptr);  // set for 6.11+ trees only
}

TEST(ConfigValues, OutOfRangeValueFallsBackToDefault) {
  Fixture f(R"(
config N
	int "n"
	range 1 10
	default 5
)");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig, "CONFIG_N=20\n")), "CONFIG_N=5\n");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig, "CONFIG_N=7\n")), "CONFIG_N=7\n");
}

TEST(ConfigValues, UnsetIntegerDiffersBetweenReleases) {
  const char* kconfig = "config N\n\tint \"n\"\n";
  Fixture old_rules(kconfig, "6.1");
  EXPECT_EQ(Fixture::body(old_rules.run(ConfMode::OldDefconfig)), "CONFIG_N=\n");
  Fixture new_rules(kconfig, "6.12");
  EXPECT_EQ(Fixture::body(new_rules.run(ConfMode::OldDefconfig)), "CONFIG_N=0\n");
}

TEST(ConfigValues, StringsAreEscapedOnOutputAndUnescapedOnInput) {
  Fixture f("config S\n\tstring \"s\"\n\tdefault \"plain\"\n");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::OldDefconfig, "CONFIG_S=\"a\\\"b\\\\c\"\n")),
            "CONFIG_S=\"a\\\"b\\\\c\"\n");
}

TEST(ConfigValues, InvalidValueInConfigWarnsWithFileAndLine) {
  Fixture f("config A\n\tbool \"a\"\n");
  f.run(ConfMode::OldDefconfig, "# comment\nCONFIG_A=bogus\n");
  bool found = false;
  for (auto& line : f.diag.lines())
    if (line == ".config:2:warning: symbol value 'bogus' invalid for A") found = true;
  EXPECT_TRUE(found);
}

TEST(ConfigValues, AllNoAndAllYes) {
  Fixture f(R"(
config A
	bool "a"
	default y
config B
	tristate "b"
config MODULES
	bool "modules"
	modules
)");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::AllNoconfig)),
            "# CONFIG_A is not set\n# CONFIG_B is not set\n# CONFIG_MODULES is not set\n");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::AllYesconfig)),
            "CONFIG_A=y\nCONFIG_B=y\nCONFIG_MODULES=y\n");
  EXPECT_EQ(Fixture::body(f.run(ConfMode::AllModconfig)),
            "CONFIG_A=y\nCONFIG_B=m\nCONFIG_MODULES=y\n");
}

TEST(ConfigValues, ConfigsOverOneTreeAreIndependent) {
  Fixture f("config A\n\tbool \"a\"\nconfig B\n\tbool\n\tdefault A\n");
  Config one(*f.tree), two(*f.tree);
  Symbol* a = f.tree->find("A");
  Symbol* b = f.tree->find("B");
  one.clear_all_valid();
  two.clear_all_valid();
  one.calc(a);
  two.calc(a);
  ASSERT_TRUE(one.set_tristate(a, Tristate::Yes));
  one.calc(b);
  two.calc(b);
  EXPECT_EQ(one.tri(b), Tristate::Yes);
  EXPECT_EQ(two.tri(b), Tristate::No);
}

}  // namespace
}  // namespace rk::kconfig
