// The tarball route against a local HTTP server: verify, extract, record; corrupted downloads,
// interrupted downloads, empty pins and kernel.org's sha256sums, disk full, patch series.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "source/download.hpp"
#include "source/fetch.hpp"
#include "source/util.hpp"
#include "source_test_util.hpp"

namespace rk::source {
namespace {

using namespace testing;
using ::testing::HasSubstr;
using ::testing::Not;

class TarballRoute : public ::testing::Test {
 protected:
  void SetUp() override {
    good_ = make_tarball("linux-6.1.192", fake_kernel("6.1.192", 200 * 1024));
    bad_ = good_;
    bad_[bad_.size() / 2] ^= 0x5a;
    good_sha_ = sha256_bytes(good_);
    server_.serve(kPath, good_);
  }

  // Writes the fixture matrix into the temp dir with pins and patches filled in; returns it.
  std::string write_matrix(const std::string& tarball_pin, const std::string& patches = "") {
    std::string text = slurp(fs::path(RK_FIXTURES) / "variants.toml");
    text = replace_all(text, "@BASE@", server_.base());
    text = replace_all(text, "@DEBSHA@", "");
    text = replace_all(text, "@PATCHES@", patches);
    if (!tarball_pin.empty())
      text = replace_all(text, "linux-6.1.192.tar.xz\",   sha256 = \"\"",
                         "linux-6.1.192.tar.xz\",   sha256 = \"" + tarball_pin + "\"");
    fs::path p = cache_.dir() / "repo" / "variants.toml";
    spit(p, text);
    return p.string();
  }

  FetchReport fetch(const std::string& matrix_path, FetchOptions o = {}) {
    variants::Matrix m = variants::Matrix::load(matrix_path);
    o.log = nullptr;
    if (o.from.empty()) o.from = "tarball";
    return fetch_branch(m, *m.find_branch("6.1"), o);
  }

  SourceError fetch_error(const std::string& matrix_path, FetchOptions o = {}) {
    try {
      fetch(matrix_path, o);
    } catch (const SourceError& e) {
      return e;
    }
    ADD_FAILURE() << "fetch succeeded";
    return SourceError(ErrorKind::kOther, "");
  }

  // Nothing extracted: no tree, no marker, no temporary directory.
  void expect_nothing_extracted() {
    fs::path sources = cache_.cache() / "sources";
    std::error_code ec;
    if (!fs::exists(sources)) return;
    for (const auto& e : fs::directory_iterator(sources, ec))
      ADD_FAILURE() << "left in the cache: " << e.path();
  }

  static constexpr const char* kPath = "/v6.x/linux-6.1.192.tar.xz";
  TempCache cache_;
  HttpServer server_;
  std::string good_, bad_, good_sha_;
};

TEST_F(TarballRoute, GoodTarballVerifiesExtractsAndRecords) {
  std::string matrix = write_matrix(good_sha_);
  FetchReport r = fetch(matrix);
  EXPECT_FALSE(r.already_present);
  EXPECT_EQ(r.tree.route, "tarball");
  EXPECT_EQ(r.tree.sha256, good_sha_);
  EXPECT_EQ(r.tree.dir, (cache_.cache() / "sources" / "6.1.192-tarball").string());
  EXPECT_EQ(kernel_tree_version(r.tree.dir), "6.1.192");
  EXPECT_EQ(slurp(fs::path(r.tree.dir) / "drivers/foo.c"),
            fake_kernel("6.1.192").at("drivers/foo.c"));

  auto marker = read_marker("6.1.192", "tarball");
  ASSERT_TRUE(marker);
  EXPECT_EQ(marker->route, "tarball");
  EXPECT_EQ(marker->origin, server_.base() + kPath);
  EXPECT_EQ(marker->sha256, good_sha_);

  variants::Matrix m = variants::Matrix::load(matrix);
  auto found = find_tree(m, *m.find_branch("6.1"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->dir, r.tree.dir);
  EXPECT_EQ(found->route, "tarball");

  // A second fetch finds it and downloads nothing.
  size_t before = server_.requests().size();
  FetchReport again = fetch(matrix);
  EXPECT_TRUE(again.already_present);
  EXPECT_EQ(server_.requests().size(), before);
}

TEST_F(TarballRoute, CorruptedTarballGivesExpectedVsActualAndExtractsNothing) {
  server_.serve(kPath, bad_);
  std::string matrix = write_matrix(good_sha_);
  SourceError e = fetch_error(matrix);
  EXPECT_EQ(e.kind(), ErrorKind::kChecksum);
  EXPECT_THAT(e.what(), HasSubstr("expected " + good_sha_));
  EXPECT_THAT(e.what(), HasSubstr("actual   " + sha256_bytes(bad_)));
  EXPECT_THAT(e.what(), HasSubstr("nothing was extracted"));
  expect_nothing_extracted();
  EXPECT_FALSE(fs::exists(cache_.cache() / "downloads" / "linux-6.1.192.tar.xz"));
  variants::Matrix m = variants::Matrix::load(matrix);
  EXPECT_FALSE(find_tree(m, *m.find_branch("6.1")));
}

TEST_F(TarballRoute, InterruptedDownloadResumesWithRangeOnTheNextRun) {
  std::string matrix = write_matrix(good_sha_);
  const size_t cut = good_.size() / 2;
  server_.cut_after(kPath, cut);
  variants::Matrix m = variants::Matrix::load(matrix);
  FetchOptions o;
  o.from = "tarball";
  o.log = nullptr;
  {
    // First run, one attempt only, so the dropped connection ends it (fetch_branch itself
    // retries: see the next test).
    DownloadOptions d;
    d.log = nullptr;
    d.max_attempts = 1;
    try {
      download_file(server_.base() + kPath,
                    (cache_.cache() / "downloads" / "linux-6.1.192.tar.xz").string(), d);
      ADD_FAILURE() << "the cut download succeeded";
    } catch (const SourceError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInterrupted) << e.what();
      EXPECT_THAT(e.what(), HasSubstr("resume"));
    }
  }
  fs::path part = cache_.cache() / "downloads" / "linux-6.1.192.tar.xz.part";
  ASSERT_TRUE(fs::exists(part));
  EXPECT_EQ(fs::file_size(part), cut);
  expect_nothing_extracted();

  FetchReport r = fetch_branch(m, *m.find_branch("6.1"), o);
  EXPECT_EQ(r.tree.sha256, good_sha_);
  auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].range, "");
  EXPECT_EQ(reqs[1].range, "bytes=" + std::to_string(cut) + "-");
  EXPECT_FALSE(fs::exists(part));
  EXPECT_EQ(kernel_tree_version(r.tree.dir), "6.1.192");
}

TEST_F(TarballRoute, DroppedConnectionIsResumedWithinOneRun) {
  std::string matrix = write_matrix(good_sha_);
  server_.cut_after(kPath, 70000);
  FetchReport r = fetch(matrix);
  EXPECT_EQ(r.tree.sha256, good_sha_);
  auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].range, "bytes=70000-");
}

TEST_F(TarballRoute, LeftoverPartialFileIsResumed) {
  std::string matrix = write_matrix(good_sha_);
  spit(cache_.cache() / "downloads" / "linux-6.1.192.tar.xz.part", good_.substr(0, 1000));
  FetchReport r = fetch(matrix);
  EXPECT_EQ(r.tree.sha256, good_sha_);
  auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].range, "bytes=1000-");
}

TEST_F(TarballRoute, EmptyPinIsRecordedPreservingEveryOtherByte) {
  server_.serve("/v6.x/sha256sums.asc",
                "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + std::string(64, 'a') +
                    "  linux-6.0.1.tar.xz\n" + good_sha_ + "  linux-6.1.192.tar.xz\n" +
                    "-----BEGIN PGP SIGNATURE-----\n\nxx\n-----END PGP SIGNATURE-----\n");
  std::string matrix = write_matrix("");
  std::string before = slurp(matrix);
  FetchOptions o;
  o.kernel_org_keyring = "";  // none: only --trust-on-first-use records the pin
  o.trust_on_first_use = true;
  unsetenv("RK_KERNEL_ORG_KEYRING");
  FetchReport r = fetch(matrix, o);
  std::string after = slurp(matrix);
  std::string needle = "linux-6.1.192.tar.xz\",   sha256 = \"\"";
  size_t at = before.find(needle);
  ASSERT_NE(at, std::string::npos);
  std::string expected = before;
  expected.replace(at, needle.size(), "linux-6.1.192.tar.xz\",   sha256 = \"" + good_sha_ + "\"");
  EXPECT_EQ(after, expected);
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  EXPECT_THAT(notes, HasSubstr("matches the unverified listing in " + server_.base() +
                               "/v6.x/sha256sums.asc"));
  EXPECT_THAT(notes, HasSubstr("TRUSTED ON FIRST USE"));
  EXPECT_THAT(notes, HasSubstr("recorded tarball.sha256"));
  EXPECT_EQ(variants::Matrix::load(matrix).find_branch("6.1")->tarball.sha256, good_sha_);
  // The other branch's empty pin is untouched.
  EXPECT_EQ(variants::Matrix::load(matrix).find_branch("6.12")->tarball.sha256, "");
}

TEST_F(TarballRoute, EmptyPinAndKernelOrgDisagreeingIsAnErrorAndRecordsNothing) {
  std::string other(64, 'b');
  server_.serve("/v6.x/sha256sums.asc", other + "  linux-6.1.192.tar.xz\n");
  std::string matrix = write_matrix("");
  std::string before = slurp(matrix);
  SourceError e = fetch_error(matrix);
  EXPECT_EQ(e.kind(), ErrorKind::kChecksum);
  EXPECT_THAT(e.what(), HasSubstr("expected " + other));
  EXPECT_THAT(e.what(), HasSubstr("actual   " + good_sha_));
  EXPECT_EQ(slurp(matrix), before);
  expect_nothing_extracted();
}

TEST_F(TarballRoute, EmptyPinWithoutSumsFileSaysSoAndRecordsTrustedOnFirstUse) {
  std::string matrix = write_matrix("");
  FetchOptions o;
  o.trust_on_first_use = true;
  FetchReport r = fetch(matrix, o);
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  EXPECT_THAT(notes, HasSubstr("kernel.org's signed checksums cannot be downloaded"));
  EXPECT_THAT(notes, HasSubstr("TRUSTED ON FIRST USE"));
  EXPECT_THAT(notes, HasSubstr("HTTP 404"));
  EXPECT_EQ(variants::Matrix::load(matrix).find_branch("6.1")->tarball.sha256, good_sha_);
}

TEST_F(TarballRoute, DiskFullBeforeDownloadAndBeforeExtraction) {
  std::string matrix = write_matrix(good_sha_);
  FetchOptions o;
  o.free_space = [](const std::string&) -> std::uint64_t { return 1000; };
  SourceError e = fetch_error(matrix, o);
  EXPECT_EQ(e.kind(), ErrorKind::kDiskFull);
  EXPECT_THAT(e.what(), HasSubstr("disk full"));
  expect_nothing_extracted();

  // Room for the download, not for the tree.
  std::uint64_t size = good_.size();
  o.free_space = [size](const std::string&) { return size * 2; };
  e = fetch_error(matrix, o);
  EXPECT_EQ(e.kind(), ErrorKind::kDiskFull);
  EXPECT_THAT(e.what(), HasSubstr("extracting needs about"));
  expect_nothing_extracted();
}

class PatchedTarball : public TarballRoute {
 protected:
  void write_patch(const std::string& name, const std::string& text) {
    spit(cache_.dir() / "repo" / "patches" / "6.1" / name, text);
  }
  static std::string good_patch() {
    return "--- a/drivers/foo.c\n+++ b/drivers/foo.c\n@@ -3,3 +3,3 @@\n int line3 = 3;\n"
           "-int line4 = 4;\n+int line4 = 44;\n int line5 = 5;\n";
  }
  static std::string bad_patch() {
    // Hunk #1 applies; hunk #2's context is not in the file.
    return "--- a/drivers/foo.c\n+++ b/drivers/foo.c\n@@ -10,3 +10,3 @@\n int line10 = 10;\n"
           "-int line11 = 11;\n+int line11 = 111;\n int line12 = 12;\n"
           "@@ -30,3 +30,3 @@\n int line30 = 30;\n-int nosuchline = 0;\n+int other = 1;\n"
           " int line32 = 32;\n";
  }
};

TEST_F(PatchedTarball, SeriesIsAppliedAndRecorded) {
  write_patch("0001-line4.patch", good_patch());
  std::string matrix = write_matrix(good_sha_, "\"patches/6.1/0001-line4.patch\"");
  FetchReport r = fetch(matrix);
  EXPECT_THAT(slurp(fs::path(r.tree.dir) / "drivers/foo.c"), HasSubstr("int line4 = 44;"));
  auto marker = read_marker("6.1.192", "tarball");
  ASSERT_TRUE(marker);
  ASSERT_EQ(marker->patches.size(), 1u);
  EXPECT_EQ(marker->patches[0].path, "patches/6.1/0001-line4.patch");
  EXPECT_EQ(marker->patches[0].sha256, sha256_bytes(good_patch()));
  // Changing the patch invalidates the tree.
  write_patch("0001-line4.patch", good_patch() + "\n");
  variants::Matrix m = variants::Matrix::load(matrix);
  EXPECT_FALSE(find_tree(m, *m.find_branch("6.1")));
}

TEST_F(PatchedTarball, BadPatchNamesThePatchAndHunkAndInstallsNothing) {
  write_patch("0001-line4.patch", good_patch());
  write_patch("0002-bad.patch", bad_patch());
  std::string matrix =
      write_matrix(good_sha_, "\"patches/6.1/0001-line4.patch\", \"patches/6.1/0002-bad.patch\"");
  SourceError e = fetch_error(matrix);
  EXPECT_EQ(e.kind(), ErrorKind::kPatch);
  EXPECT_THAT(e.what(), HasSubstr("patches/6.1/0002-bad.patch (2 of 2) does not apply"));
  EXPECT_THAT(e.what(), HasSubstr("file drivers/foo.c: hunk #2 FAILED at line 30"));
  EXPECT_THAT(e.what(), Not(HasSubstr("hunk #1")));
  expect_nothing_extracted();
}

// Only https leaves this machine: a plain-http or ftp URL is refused before any request, and a
// redirect (even from a loopback server) is followed only to https.
TEST_F(TarballRoute, OnlyHttpsAndHttpsRedirectsAreFollowed) {
  DownloadOptions o;
  o.log = nullptr;
  fs::path dest = cache_.dir() / "dl" / "x.tar.xz";
  for (const char* url : {"http://cdn.example.org/linux.tar.xz", "ftp://127.0.0.1/linux.tar.xz",
                          "file:///etc/passwd"}) {
    try {
      download_file(url, dest.string(), o);
      ADD_FAILURE() << url << " was fetched";
    } catch (const SourceError& e) {
      EXPECT_THAT(e.what(), HasSubstr("only https URLs are fetched")) << url;
    }
  }
  server_.redirect("/moved.tar.xz", server_.base() + kPath);  // http -> http
  try {
    download_file(server_.base() + "/moved.tar.xz", dest.string(), o);
    FAIL() << "a redirect to plain http was followed";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNetwork);
  }
  EXPECT_FALSE(fs::exists(dest));
  for (const auto& r : server_.requests()) EXPECT_NE(r.path, kPath) << "the redirect was followed";
}

// A server sending more than any kernel source is cut off and the part deleted.
TEST_F(TarballRoute, DownloadsAreCappedInSize) {
  DownloadOptions o;
  o.log = nullptr;
  o.max_bytes = 64 * 1024;  // the fixture tarball is over 200 KiB
  fs::path dest = cache_.dir() / "dl" / "big.tar.xz";
  try {
    download_file(server_.base() + kPath, dest.string(), o);
    FAIL() << "an oversized download was accepted";
  } catch (const SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("larger than 64.0 KiB"));
  }
  EXPECT_FALSE(fs::exists(dest));
  EXPECT_FALSE(fs::exists(dest.string() + ".part"));
}

}  // namespace
}  // namespace rk::source
