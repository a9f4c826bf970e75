// The Debian route without a mirror: a fake linux-source .deb built with dpkg-deb, found in
// the cache by its pinned sha256, checked and extracted; the fallback from an unreachable
// tarball; unverified trees not trusted; the private apt configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "source/archive.hpp"
#include "source/debian.hpp"
#include "source/fetch.hpp"
#include "source/util.hpp"
#include "source_test_util.hpp"

namespace rk::source {
namespace {

using namespace testing;
using ::testing::HasSubstr;

class DebianRoute : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(cache_.cache() / "debs");
    deb_ = build_deb(cache_.cache() / "debs", "linux-source-6.1", "6.1.192-2", "6.1.192");
    deb_sha_ = sha256_file(deb_);
  }

  std::string write_matrix(const std::string& deb_pin, const std::string& base) {
    std::string text = slurp(fs::path(RK_FIXTURES) / "variants.toml");
    text = replace_all(text, "@BASE@", base);
    text = replace_all(text, "@DEBSHA@", deb_pin);
    text = replace_all(text, "@PATCHES@", "");
    fs::path p = cache_.dir() / "repo" / "variants.toml";
    spit(p, text);
    return p.string();
  }

  FetchOptions options() {
    FetchOptions o;
    o.log = nullptr;
    // Any apt-get run would fail: the cached .deb must be enough.
    o.debian.mirror = "http://127.0.0.1:1/debian";
    return o;
  }

  TempCache cache_;
  std::string deb_, deb_sha_;
};

TEST_F(DebianRoute, ReadsTheControlFields) {
  DebInfo info = read_deb_info(deb_);
  EXPECT_EQ(info.package, "linux-source-6.1");
  EXPECT_EQ(info.version, "6.1.192-2");
  EXPECT_EQ(info.architecture, "all");
}

TEST_F(DebianRoute, ExtractsTheInnerTarball) {
  fs::path dest = cache_.dir() / "out";
  fs::create_directories(dest);
  ExtractOptions o;
  o.log = nullptr;
  ExtractResult r = extract_deb_tarball(deb_, "usr/src/linux-source-6.1.tar.xz", dest.string(), o);
  EXPECT_EQ(r.top_level, std::set<std::string>{"linux-source-6.1"});
  EXPECT_EQ(r.files, fake_kernel("6.1.192").size() + 4);  // + 4 directories
  EXPECT_EQ(kernel_tree_version((dest / "linux-source-6.1").string()), "6.1.192");
  EXPECT_FALSE(fs::exists(dest / "usr"));  // only the tree is written
  try {
    extract_deb_tarball(deb_, "usr/src/linux-source-6.12.tar.xz", dest.string(), o);
    FAIL() << "a missing inner tarball was not reported";
  } catch (const SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("holds no /usr/src/linux-source-6.12.tar.xz"));
    EXPECT_THAT(e.what(), HasSubstr("usr/src/linux-source-6.1.tar.xz"));
  }
}

TEST_F(DebianRoute, CachedDebIsFoundOnlyByItsPinnedSha256) {
  std::string debs = (cache_.cache() / "debs").string();
  EXPECT_EQ(find_cached_deb(debs, "linux-source-6.1", "6.1.192-2", deb_sha_), deb_);
  EXPECT_EQ(find_cached_deb(debs, "linux-source-6.1", "6.1.192-2", std::string(64, '0')), "");
}

TEST_F(DebianRoute, CachedDebWithMatchingPinIsExtractedAndRecorded) {
  std::string matrix = write_matrix(deb_sha_, "http://127.0.0.1:1");
  variants::Matrix m = variants::Matrix::load(matrix);
  FetchOptions o = options();
  o.from = "debian";
  FetchReport r = fetch_branch(m, *m.find_branch("6.1"), o);
  EXPECT_EQ(r.tree.route, "debian");
  EXPECT_EQ(r.tree.origin, "linux-source-6.1_6.1.192-2");
  EXPECT_EQ(r.tree.sha256, deb_sha_);
  EXPECT_EQ(kernel_tree_version(r.tree.dir), "6.1.192");
  auto marker = read_marker("6.1.192", "debian");
  ASSERT_TRUE(marker);
  EXPECT_EQ(marker->debian_version, "6.1.192-2");
  EXPECT_THAT(marker->note, HasSubstr("Debian's patches"));
  auto found = find_tree(m, *m.find_branch("6.1"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->dir, r.tree.dir);
}

TEST_F(DebianRoute, UnreachableTarballFallsBackToDebianAndSaysSo) {
  std::string matrix = write_matrix(deb_sha_, "http://127.0.0.1:1");
  variants::Matrix m = variants::Matrix::load(matrix);
  FetchReport r = fetch_branch(m, *m.find_branch("6.1"), options());
  EXPECT_EQ(r.tree.route, "debian");
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  EXPECT_THAT(notes, HasSubstr("the kernel.org tarball cannot be downloaded"));
  EXPECT_THAT(notes, HasSubstr("carries Debian's patches"));
  // Nothing was recorded for the tarball.
  EXPECT_EQ(variants::Matrix::load(matrix).find_branch("6.1")->tarball.sha256, "");
}

TEST_F(DebianRoute, PinCheckRejectsAnotherDebAndNamesTheFix) {
  // A different build of the "same" package (as if the mirror had moved on).
  fs::path other_dir = cache_.dir() / "other";
  fs::create_directories(other_dir);
  std::string other = build_deb(other_dir, "linux-source-6.1", "6.1.192-3", "6.1.192");
  try {
    check_deb(other, "linux-source-6.1", "6.1.192-2", deb_sha_, "variants.toml:17", "6.1");
    FAIL() << "the pin check passed";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kChecksum);
    EXPECT_THAT(e.what(), HasSubstr("expected " + deb_sha_));
    EXPECT_THAT(e.what(), HasSubstr("actual   " + sha256_file(other)));
    EXPECT_THAT(e.what(), HasSubstr("Debian version 6.1.192-3"));
    EXPECT_THAT(e.what(), HasSubstr("--update-pins"));
  }
  // The right one passes and reports its control fields.
  DebInfo ok = check_deb(deb_, "linux-source-6.1", "6.1.192-2", deb_sha_, "x", "6.1");
  EXPECT_EQ(ok.version, "6.1.192-2");
}

// The trees the removed scripts/fetch-debian-trees.sh made (a directory and a version file)
// prove nothing about their bytes: only a tree with a marker matching the pins counts.
TEST_F(DebianRoute, UnverifiedTreesOfTheOldScriptAreNotTrusted) {
  std::string matrix = write_matrix(deb_sha_, "http://127.0.0.1:1");
  variants::Matrix m = variants::Matrix::load(matrix);
  const variants::BranchSpec& b = *m.find_branch("6.1");
  fs::path trees = cache_.cache() / "trees";
  spit(trees / "linux-source-6.1" / "Makefile", fake_kernel("6.1.192").at("Makefile"));
  spit(trees / "linux-source-6.1.version", "6.1.192-2\n");
  EXPECT_FALSE(find_tree(m, b));
  // fetch extracts the pinned .deb instead.
  FetchReport r = fetch_branch(m, b, options());
  EXPECT_FALSE(r.already_present);
  EXPECT_EQ(r.tree.dir, (cache_.cache() / "sources" / "6.1.192-debian").string());
  EXPECT_EQ(r.tree.sha256, deb_sha_);
}

TEST(PrivateApt, SourcesListAndOptions) {
  DebianOptions o;
  EXPECT_EQ(apt_source_line("bullseye-security", o),
            "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
            "http://deb.debian.org/debian-security bullseye-security main\n");
  EXPECT_EQ(apt_source_line("bookworm", o),
            "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
            "http://deb.debian.org/debian bookworm main\n");
  TempCache cache;
  std::string dir = (cache.dir() / "apt" / "bookworm").string();
  auto opts = private_apt_options(dir, {"bookworm"}, o);
  std::string joined;
  for (const auto& s : opts) joined += s + " ";
  EXPECT_THAT(joined, HasSubstr("Dir::Etc::sourcelist=" + dir + "/sources.list"));
  EXPECT_THAT(joined, HasSubstr("Dir::Etc::sourceparts=-"));
  EXPECT_THAT(joined, HasSubstr("Dir::State::status=" + dir + "/status"));
  EXPECT_EQ(slurp(fs::path(dir) / "sources.list"), apt_source_line("bookworm", o));
  EXPECT_TRUE(fs::is_directory(fs::path(dir) / "lists" / "partial"));
  EXPECT_EQ(upstream_of_debian_version("6.12.117-1~deb12u1"), "6.12.117");
  EXPECT_EQ(upstream_of_debian_version("1:6.1.192-2"), "6.1.192");
  EXPECT_EQ(deb_file_name("linux-source-6.1", "1:6.1-2"), "linux-source-6.1_1%3a6.1-2_all.deb");
}

}  // namespace
}  // namespace rk::source
