// Hostile input to the config workflow: a reason or value that would write a second setting,
// fragment paths that leave the repository (lexically or through a symlink), fragments that are
// directories, devices or huge, and branch names and versions that are not a kernel's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "fixture_repo.hpp"
#include "variants/edit.hpp"
#include "variants/fragment.hpp"
#include "variants/matrix.hpp"

namespace rk::variants {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRepo;
using ::testing::HasSubstr;

std::string load_error(const FixtureRepo& repo) {
  try {
    Matrix::load(repo.path("variants.toml"));
  } catch (const VariantsError& e) {
    return e.what();
  }
  ADD_FAILURE() << "the matrix was accepted";
  return "";
}

std::string fragment_entry(const std::string& path) {
  return "\n[[fragment]]\npath = \"" + path + "\"\n";
}

// `config set ... --reason $'needed for kdump\nCONFIG_SECURITY_DMESG_RESTRICT=y'` used to write
// a second setting. Now the plan is refused and no file changes.
TEST(HostileInput, AReasonOrValueCannotWriteASecondLine) {
  FixtureRepo repo{fragment_entry("configs/base.config")};
  repo.write("configs/base.config", "CONFIG_NET=y\n");
  auto ws = repo.workspace();
  for (auto [value, reason] : {std::pair<std::string, std::string>{"y", "kdump\nCONFIG_INET=y"},
                               {"y", "kdump\rCONFIG_INET=y"},
                               {"\"a\nCONFIG_INET=y\"", "text"}}) {
    SettingChange c;
    c.symbol = "FEATURE_A";
    c.value = value;
    c.reason = reason;
    EXPECT_THROW(plan_edits(*ws, {c}), VariantsError) << reason;
  }
  SettingChange bad_symbol;
  bad_symbol.symbol = "FEATURE_A=y\nCONFIG_INET";
  bad_symbol.value = "y";
  EXPECT_THROW(plan_edits(*ws, {bad_symbol}), VariantsError);
  EXPECT_EQ(repo.read("configs/base.config"), "CONFIG_NET=y\n");
  // A tab in a reason is fine; the written line is one line.
  Fragment f = parse_fragment("CONFIG_NET=y\n", "x.config");
  EXPECT_EQ(set_setting(f, "INET", "y", "tcp\tand udp"),
            "CONFIG_NET=y\nCONFIG_INET=y  # tcp\tand udp\n");
}

TEST(HostileInput, FragmentPathsStayInsideTheRepository) {
  for (const char* p :
       {"../outside/x.config", "configs/../../outside/x.config", "/etc/passwd", "..", "."}) {
    FixtureRepo repo{fragment_entry(p)};
    std::string e = load_error(repo);
    EXPECT_THAT(e, HasSubstr("variants.toml:")) << p;
    EXPECT_THAT(e,
                ::testing::AnyOf(HasSubstr("leaves the repository"), HasSubstr("must be relative")))
        << p;
    EXPECT_THAT(e, ::testing::Not(HasSubstr("root:x:0:0"))) << "a file's content was echoed";
  }
}

TEST(HostileInput, ASymlinkedFragmentLeadingOutsideIsRefused) {
  FixtureRepo outside{""};
  outside.write("evil.config", "CONFIG_NET=y\n");
  FixtureRepo repo{fragment_entry("configs/link.config")};
  fs::create_directories(repo.path("configs"));
  fs::create_symlink(outside.path("evil.config"), repo.path("configs/link.config"));
  EXPECT_THAT(load_error(repo), HasSubstr("leads outside the repository"));
}

TEST(HostileInput, DirectoriesAndDevicesAreNoFragments) {
  FixtureRepo dir_repo{fragment_entry("configs/adir")};
  fs::create_directories(dir_repo.path("configs/adir"));
  EXPECT_THAT(load_error(dir_repo), HasSubstr("is not a regular file"));
  // The loader itself refuses what is not a regular file, and what is too big.
  try {
    load_fragment("/dev/zero", "configs/zero.config");
    FAIL() << "/dev/zero was read as a fragment";
  } catch (const VariantsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("configs/zero.config: not a regular file"));
  }
  FixtureRepo big{""};
  big.write("big.config", std::string(kMaxFragmentBytes + 1, '#'));
  try {
    load_fragment(big.path("big.config"), "big.config");
    FAIL() << "an oversized fragment was read";
  } catch (const VariantsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("a fragment may be at most"));
  }
}

TEST(HostileInput, OneFragmentUnderTwoSpellingsIsListedTwice) {
  FixtureRepo repo{fragment_entry("configs/base/x.config") +
                   fragment_entry("configs/base/./x.config")};
  EXPECT_THAT(load_error(repo), HasSubstr("is listed twice"));
  FixtureRepo one{fragment_entry("configs/base/./x.config")};
  Matrix m = Matrix::load(one.path("variants.toml"));
  EXPECT_EQ(m.fragments.at(0).path, "configs/base/x.config");
}

TEST(HostileInput, BranchNamesAndVersionsAreAKernels) {
  auto matrix_with = [](const std::string& name, const std::string& version) {
    return std::string(R"(
[project]
name = "fixture"
version = "0.0.1"
[arch.x86_64]
kbuild_arch = "x86_64"
srcarch = "x86"
target = "vmlinux"
oci_platform = "linux/amd64"
[branch.")") +
           name + "\"]\nversion = \"" + version +
           "\"\ndebian = { package = \"p\", version = \"1\", suite = \"bookworm\" }\n"
           "[matrix]\nbranches = [\"" +
           name + "\"]\narches = [\"x86_64\"]\n";
  };
  for (auto [name, version] : {std::pair<std::string, std::string>{"../../x", "../../x.1"},
                               {"6.1", "6.1.x"},
                               {"6.1", "6.1.1.1"},
                               {"6", "6.1"},
                               {"6.1 ", "6.1 .1"}}) {
    try {
      Matrix::parse(matrix_with(name, version), "variants.toml");
      ADD_FAILURE() << name << " " << version << " was accepted";
    } catch (const VariantsError& e) {
      EXPECT_THAT(e.what(), HasSubstr("variants.toml:")) << name;
    }
  }
  EXPECT_NO_THROW(Matrix::parse(matrix_with("6.12", "6.12.117"), "variants.toml"));
}

}  // namespace
}  // namespace rk::variants
