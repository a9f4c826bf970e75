#include "variants/matrix.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fixture_repo.hpp"

namespace rk::variants {
namespace {

using ::testing::HasSubstr;

const char* kMinimal = R"([project]
name = "x"
version = "1"

[arch.x86_64]
kbuild_arch = "x86_64"
srcarch = "x86"
target = "vmlinux"
oci_platform = "linux/amd64"

[branch."6.1"]
version = "6.1.5"
tarball = { url = "https://example.invalid/linux-6.1.5.tar.xz", sha256 = "" }
patches = ["patches/6.1/0001-a.patch"]

[matrix]
branches = ["6.1"]
arches = ["x86_64"]

[[fragment]]
path = "configs/a.config"
probes = ["mounts"]

[[fragment]]
path = "configs/b.config"
arches = ["x86_64"]
probes = ["kvm", "mounts"]
scenarios = ["docker-run", "nfs"]
)";

std::string error_of(const std::string& text) {
  try {
    Matrix::parse(text, "variants.toml");
  } catch (const VariantsError& e) {
    return e.what();
  }
  return "";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}

TEST(Matrix, ParsesVariantsFragmentsAndProbes) {
  Matrix m = Matrix::parse(kMinimal, "/r/variants.toml");
  ASSERT_EQ(m.variants.size(), 1u);
  EXPECT_EQ(m.variants[0].name, "6.1-x86_64");
  EXPECT_EQ(m.variants[0].fragments, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(m.branches[0].patches, std::vector<std::string>{"patches/6.1/0001-a.patch"});
  EXPECT_EQ(m.arches[0].uname_machine, "x86_64");
  EXPECT_EQ(m.probes_of(m.variants[0]), (std::vector<std::string>{"mounts", "kvm"}));
  EXPECT_EQ(m.scenarios_of(m.variants[0]), (std::vector<std::string>{"docker-run", "nfs"}));
  EXPECT_EQ(m.absolute("configs/a.config"), "/r/configs/a.config");
}

TEST(Matrix, DerivedMatrixDropsAndAddsFragments) {
  Matrix m = Matrix::parse(kMinimal, "/repo/variants.toml");
  const Variant& base = *m.find_variant("6.1-x86_64");
  ASSERT_EQ(base.fragments.size(), 2u);

  Matrix d = m.with_fragments({"configs/b.config"}, {"/tmp/control.config"});
  const Variant& v = *d.find_variant("6.1-x86_64");
  ASSERT_EQ(v.fragments.size(), 2u);
  EXPECT_EQ(d.fragments[v.fragments[0]].path, "configs/a.config");
  EXPECT_EQ(d.fragments[v.fragments[1]].path, "/tmp/control.config");  // last: it wins
  EXPECT_EQ(d.probes_of(v), std::vector<std::string>{"mounts"});       // kvm came with b
  EXPECT_TRUE(d.scenarios_of(v).empty());                              // so did these
  EXPECT_EQ(d.absolute(d.fragments[v.fragments[1]].path), "/tmp/control.config");

  // By absolute path too; the original is untouched.
  Matrix e = m.with_fragments({"/repo/configs/a.config"}, {});
  EXPECT_EQ(e.find_variant("6.1-x86_64")->fragments.size(), 1u);
  EXPECT_EQ(m.find_variant("6.1-x86_64")->fragments.size(), 2u);

  try {
    m.with_fragments({"configs/networking.config"}, {});
    FAIL() << "dropping an unknown fragment was accepted";
  } catch (const VariantsError& err) {
    EXPECT_THAT(err.what(), HasSubstr("no fragment 'configs/networking.config'"));
    EXPECT_THAT(err.what(), HasSubstr("configs/a.config, configs/b.config"));
  }
}

TEST(Matrix, ErrorsNameFileLineAndFix) {
  EXPECT_THAT(error_of(replace(kMinimal, "name = \"x\"", "name = \"x\"\ncolour = 1")),
              HasSubstr("variants.toml:3: unknown key 'colour' in [project]"));
  EXPECT_THAT(error_of(replace(kMinimal, "sha256 = \"\"", "sha256 = \"abc\"")),
              HasSubstr("is not a sha256"));
  EXPECT_THAT(error_of(replace(kMinimal, "version = \"6.1.5\"", "version = \"6.2.1\"")),
              HasSubstr("a branch pins a stable release of itself"));
  EXPECT_THAT(
      error_of(replace(kMinimal, "arches = [\"x86_64\"]\nprobes", "arches = [\"s390\"]\nprobes")),
      HasSubstr("unknown arch 's390'"));
  EXPECT_THAT(error_of(replace(kMinimal, "configs/b.config", "configs/a.config")),
              HasSubstr("listed twice"));
  EXPECT_THAT(error_of("[project\n"), HasSubstr("variants.toml:1:"));
}

TEST(Matrix, SelectsByVariantBranchOrArch) {
  testing::FixtureRepo repo("");
  Matrix m = Matrix::load(repo.path("variants.toml"));
  EXPECT_EQ(m.select({}).size(), 2u);
  EXPECT_EQ(m.select({"6.1"}).size(), 2u);
  ASSERT_EQ(m.select({"arm64"}).size(), 1u);
  EXPECT_EQ(m.select({"arm64"})[0]->name, "6.1-arm64");
  try {
    m.select({"5.4-x86_64"});
    FAIL() << "expected an error";
  } catch (const VariantsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no variant '5.4-x86_64' (variants: 6.1-x86_64, 6.1-arm64"));
  }
}

TEST(Matrix, MissingFileSaysWhatItIs) {
  try {
    Matrix::load("/nonexistent/variants.toml");
    FAIL();
  } catch (const VariantsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no such file"));
  }
}

TEST(Matrix, AppendedFragmentEntriesRoundTripWithEscapes) {
  Matrix m = Matrix::parse(kMinimal, "variants.toml");
  FragmentSpec odd;
  odd.path = "configs/local/a \"quoted\" \\ name\t.config";
  odd.arches = {"x86_64"};
  odd.probes = {"mounts"};
  odd.scenarios = {"nfs"};
  FragmentSpec plain;
  plain.path = "configs/local/6.1.config";
  plain.branches = {"6.1"};
  std::string text = append_fragment_entries(m, kMinimal, {odd, plain});
  EXPECT_EQ(text.substr(0, std::string(kMinimal).size()), kMinimal) << "existing text kept";
  Matrix back = Matrix::parse(text, "variants.toml");
  ASSERT_EQ(back.fragments.size(), 4u);
  EXPECT_EQ(back.fragments[2].path, odd.path);
  EXPECT_EQ(back.fragments[2].arches, odd.arches);
  EXPECT_TRUE(back.fragments[2].branches.empty());
  EXPECT_EQ(back.fragments[2].probes, odd.probes);
  EXPECT_EQ(back.fragments[2].scenarios, odd.scenarios);
  EXPECT_EQ(back.fragments[3].path, plain.path);
  EXPECT_EQ(back.fragments[3].branches, plain.branches);

  FragmentSpec listed;
  listed.path = "configs/a.config";
  EXPECT_THAT([&] { append_fragment_entries(m, kMinimal, {listed}); },
              ThrowsMessage<VariantsError>(
                  HasSubstr(fmt::format("variants.toml:{}: fragment configs/a.config is already "
                                        "listed",
                                        m.fragments[0].line))));
}

}  // namespace
}  // namespace rk::variants
