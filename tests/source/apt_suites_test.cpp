// The Debian route against a real, signed apt repository on the file system (dpkg-scanpackages
// and gpg make it; apt reads it through file:// exactly as it reads the mirror), laid out as
// Debian lays out a release: the point release under debian/, its -security suite under
// debian-security/, and no -updates, -backports or -proposed-updates at all.
//
// It reproduces what broke `make` on a fresh machine: the pinned package had left the point
// release and was only in the -security suite, while the pin said to look in the point release.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "../rk_skip.hpp"
#include "source/debian.hpp"
#include "source/fetch.hpp"
#include "source/util.hpp"
#include "source_test_util.hpp"

namespace rk::source {
namespace {

using namespace testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A package version and the upstream release its tree holds.
struct FakePackage {
  std::string version;         // Debian version, "6.1.192-2"
  std::string kernel_version;  // "6.1.192"
};

// A signed apt repository of linux-source-6.1 packages, suite by suite.
class AptRepository {
 public:
  explicit AptRepository(const fs::path& root) : root_(root) {
    gnupg_ = root_ / "gnupg";
    fs::create_directories(gnupg_);
    fs::permissions(gnupg_, fs::perms::owner_all);
    run({"gpg", "--homedir", gnupg_.string(), "--batch", "--passphrase", "", "--quick-gen-key",
         "runner-kernel test archive <test@example.org>", "ed25519", "sign", "never"});
    ToolResult key = run_tool(gpg_, {"gpg", "--homedir", gnupg_.string(), "--export"});
    EXPECT_EQ(key.exit_code, 0) << key.output;
    spit(keyring(), key.output);
    arch_ = run({"dpkg", "--print-architecture"});
    while (!arch_.empty() && arch_.back() == '\n') arch_.pop_back();
  }

  std::string keyring() const { return (root_ / "archive-keyring.gpg").string(); }
  std::string mirror() const { return "file://" + (root_ / "debian").string(); }
  std::string security_mirror() const { return "file://" + (root_ / "debian-security").string(); }

  // Publishes `suite` with exactly `packages` (replacing what it held); returns each .deb's sha256.
  std::map<std::string, std::string> publish(const std::string& suite,
                                             const std::vector<FakePackage>& packages) {
    fs::path archive = root_ / (suite.ends_with("-security") ? "debian-security" : "debian");
    fs::path pool = archive / "pool" / suite;
    fs::path dist = archive / "dists" / suite;
    fs::remove_all(pool);
    fs::remove_all(dist);
    fs::create_directories(pool);
    std::map<std::string, std::string> sha;
    for (const auto& p : packages) {
      std::string deb = build_deb(pool, "linux-source-6.1", p.version, p.kernel_version);
      sha[p.version] = sha256_file(deb);
    }
    fs::remove_all(pool / "debroot");
    ToolResult scan =
        run_tool(Tool{"dpkg-scanpackages", "dpkg-dev"},
                 {"dpkg-scanpackages", "--multiversion", "pool/" + suite}, archive.string());
    EXPECT_EQ(scan.exit_code, 0) << scan.output;
    // dpkg-scanpackages reports on stderr, which run_tool merges: keep the stanzas only.
    std::string packages_text = scan.output.substr(0, scan.output.find("dpkg-scanpackages:"));
    const std::string rel = "main/binary-" + arch_ + "/Packages";
    spit(dist / rel, packages_text);
    char date[64];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S UTC", &tm);
    spit(dist / "Release", "Origin: runner-kernel tests\nSuite: " + suite + "\nCodename: " + suite +
                               "\nDate: " + date + "\nArchitectures: " + arch_ +
                               "\nComponents: main\nSHA256:\n " + sha256_bytes(packages_text) +
                               " " + std::to_string(packages_text.size()) + " " + rel + "\n");
    run({"gpg", "--homedir", gnupg_.string(), "--batch", "--yes", "--clearsign", "-o",
         (dist / "InRelease").string(), (dist / "Release").string()});
    return sha;
  }

  DebianOptions options() const {
    DebianOptions o;
    o.mirror = mirror();
    o.security_mirror = security_mirror();
    o.keyring = keyring();
    return o;
  }

 private:
  std::string run(const std::vector<std::string>& args) {
    ToolResult r = run_tool(Tool{args[0], args[0] == "gpg" ? "gnupg" : "dpkg"}, args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.output;
    return r.output;
  }

  fs::path root_, gnupg_;
  std::string arch_;
  Tool gpg_{"gpg", "gnupg"};
};

class AptSuites : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"apt-get", "gpg", "dpkg-scanpackages", "dpkg-deb"})
      if (!tool_available(tool)) RK_SKIP() << tool << " is not installed";
    repo_ = std::make_unique<AptRepository>(cache_.dir() / "repo");
  }

  // variants.toml pinning linux-source-6.1 `version` with `sha`, to be looked for in `suite`.
  std::string write_matrix(const std::string& version, const std::string& sha,
                           const std::string& suite = "bookworm") {
    std::string text = slurp(fs::path(RK_FIXTURES) / "variants.toml");
    text = replace_all(text, "@BASE@", "http://127.0.0.1:1");
    text = replace_all(text, "version = \"6.1.192-2\", suite = \"bookworm\"",
                       "version = \"" + version + "\", suite = \"" + suite + "\"");
    text = replace_all(text, "@DEBSHA@", sha);
    text = replace_all(text, "@PATCHES@", "");
    fs::path p = cache_.dir() / "checkout" / "variants.toml";
    spit(p, text);
    return p.string();
  }

  FetchReport fetch(const std::string& matrix_path, bool update_pins = false) {
    variants::Matrix m = variants::Matrix::load(matrix_path);
    FetchOptions o;
    o.log = nullptr;
    o.from = "debian";
    o.update_pins = update_pins;
    o.debian = repo_->options();
    return fetch_branch(m, *m.find_branch("6.1"), o);
  }

  static std::string notes(const FetchReport& r) {
    std::string all;
    for (const auto& n : r.notes) all += n + "\n";
    return all;
  }

  TempCache cache_;
  std::unique_ptr<AptRepository> repo_;
};

TEST(ReleaseSuites, ThePinnedSuiteFirstThenTheWholeRelease) {
  EXPECT_THAT(release_suites("bookworm"),
              ElementsAre("bookworm", "bookworm-security", "bookworm-updates", "bookworm-backports",
                          "bookworm-proposed-updates"));
  EXPECT_THAT(release_suites("bookworm-security"),
              ElementsAre("bookworm-security", "bookworm", "bookworm-updates", "bookworm-backports",
                          "bookworm-proposed-updates"));
  EXPECT_THAT(release_suites("trixie-backports"),
              ElementsAre("trixie-backports", "trixie", "trixie-security", "trixie-updates",
                          "trixie-proposed-updates"));
  EXPECT_THAT(release_suites("sid"), ElementsAre("sid"));
  EXPECT_EQ(release_of_suite("bookworm-proposed-updates"), "bookworm");
  EXPECT_EQ(release_of_suite("bullseye-security"), "bullseye");
  EXPECT_EQ(release_of_suite("bookworm"), "bookworm");
}

// The failure seen on a fresh machine, reproduced: the pin says bookworm, the package is only
// in bookworm-security. The fetch finds it there, verifies the pinned sha256, says where it
// was found and records it in the tree's marker; the next fetch needs no network at all.
TEST_F(AptSuites, PinnedVersionOnlyInTheSecuritySuiteIsFound) {
  repo_->publish("bookworm", {{"6.1.176-1", "6.1.176"}, {"6.1.170-3", "6.1.170"}});
  auto security = repo_->publish(
      "bookworm-security",
      {{"6.1.192-1", "6.1.192"}, {"6.1.192-2", "6.1.192"}, {"6.1.192-3", "6.1.192"}});
  std::string matrix = write_matrix("6.1.192-2", security["6.1.192-2"]);
  std::string before = slurp(matrix);
  FetchReport r = fetch(matrix);
  EXPECT_EQ(r.tree.route, "debian");
  EXPECT_EQ(r.tree.sha256, security["6.1.192-2"]);
  EXPECT_EQ(kernel_tree_version(r.tree.dir), "6.1.192");
  EXPECT_THAT(notes(r), HasSubstr("was found in bookworm-security, not in bookworm"));
  auto marker = read_marker("6.1.192", "debian");
  ASSERT_TRUE(marker);
  EXPECT_EQ(marker->debian_suite, "bookworm-security");
  EXPECT_EQ(marker->debian_version, "6.1.192-2");
  EXPECT_EQ(slurp(matrix), before) << "a verified pin is not rewritten";

  // The cache key is the pin: with the repository gone, the tree is still there.
  fs::remove_all(cache_.dir() / "repo" / "debian");
  fs::remove_all(cache_.dir() / "repo" / "debian-security");
  FetchReport again = fetch(matrix);
  EXPECT_TRUE(again.already_present);
  EXPECT_EQ(again.tree.dir, r.tree.dir);
}

// A wrong sha256 in the pin is refused even when apt finds the version (apt's own check only
// proves the mirror signed it, not that it is the package we reviewed).
TEST_F(AptSuites, TheSha256PinStillDecides) {
  repo_->publish("bookworm", {});
  repo_->publish("bookworm-security", {{"6.1.192-2", "6.1.192"}});
  std::string matrix = write_matrix("6.1.192-2", std::string(64, 'a'));
  try {
    fetch(matrix);
    FAIL() << "a package that is not the pinned one was accepted";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kChecksum);
    EXPECT_THAT(e.what(), HasSubstr("expected " + std::string(64, 'a')));
  }
  EXPECT_FALSE(read_marker("6.1.192", "debian"));
}

// The pinned version is gone from every suite: the error lists what the release offers, in
// which suites, and the command that moves the pin; that command then works.
TEST_F(AptSuites, VanishedVersionNamesTheOffersAndTheFixThatWorks) {
  repo_->publish("bookworm", {{"6.1.176-1", "6.1.176"}});
  auto security = repo_->publish("bookworm-security", {{"6.1.192-3", "6.1.192"}});
  std::string matrix = write_matrix("6.1.192-2", std::string(64, 'b'));
  try {
    fetch(matrix);
    FAIL() << "a vanished version was not reported";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kVersion);
    EXPECT_THAT(e.what(), HasSubstr("linux-source-6.1 6.1.192-2 is in none of the suites "
                                    "bookworm, bookworm-security"));
    EXPECT_THAT(e.what(), HasSubstr("6.1.192-3 (bookworm-security), 6.1.176-1 (bookworm)"));
    EXPECT_THAT(e.what(), HasSubstr("runner-kernel fetch --from debian --update-pins 6.1"));
  }
  FetchReport r = fetch(matrix, /*update_pins=*/true);
  EXPECT_EQ(r.tree.sha256, security["6.1.192-3"]);
  variants::Matrix m = variants::Matrix::load(matrix);
  const variants::BranchSpec& b = *m.find_branch("6.1");
  EXPECT_EQ(b.debian.version, "6.1.192-3");
  EXPECT_EQ(b.debian.sha256, security["6.1.192-3"]);
  EXPECT_EQ(b.debian.suite, "bookworm-security");
  EXPECT_EQ(b.version, "6.1.192");
  auto found = find_tree(m, b);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->dir, r.tree.dir);
}

// Debian moved to a new upstream release: --update-pins moves the branch with it (version,
// tarball URL, the tarball's sha256 cleared for the next verified download).
TEST_F(AptSuites, UpdatePinsMovesTheBranchToANewUpstreamRelease) {
  repo_->publish("bookworm", {});
  auto security = repo_->publish("bookworm-security", {{"6.1.193-1", "6.1.193"}});
  std::string matrix = write_matrix("6.1.192-2", std::string(64, 'c'));
  FetchReport r = fetch(matrix, /*update_pins=*/true);
  EXPECT_EQ(kernel_tree_version(r.tree.dir), "6.1.193");
  variants::Matrix m = variants::Matrix::load(matrix);
  const variants::BranchSpec& b = *m.find_branch("6.1");
  EXPECT_EQ(b.version, "6.1.193");
  EXPECT_EQ(b.tarball.url, "http://127.0.0.1:1/v6.x/linux-6.1.193.tar.xz");
  EXPECT_EQ(b.tarball.sha256, "");
  EXPECT_EQ(b.debian.version, "6.1.193-1");
  EXPECT_EQ(b.debian.sha256, security["6.1.193-1"]);
  EXPECT_THAT(notes(r), HasSubstr("branch 6.1 moves from Linux 6.1.192 to 6.1.193"));
  // Only the pins changed: the fixture's comments and odd spacing are still there.
  EXPECT_THAT(slurp(matrix), HasSubstr("ünïcödé in a comment"));
  EXPECT_THAT(slurp(matrix), HasSubstr("sha256 = \"\" }   # recorded by fetch"));
}

// A mirror that cannot be reached is a network error naming each suite, not "not available".
TEST_F(AptSuites, UnreachableMirrorIsANetworkError) {
  std::string matrix = write_matrix("6.1.192-2", std::string(64, 'd'));
  variants::Matrix m = variants::Matrix::load(matrix);
  FetchOptions o;
  o.log = nullptr;
  o.from = "debian";
  o.debian = repo_->options();
  o.debian.mirror = "http://127.0.0.1:1/debian";
  o.debian.security_mirror = "http://127.0.0.1:1/debian-security";
  try {
    fetch_branch(m, *m.find_branch("6.1"), o);
    FAIL() << "an unreachable mirror was not reported";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNetwork);
    EXPECT_THAT(e.what(), HasSubstr("bookworm-security:"));
  }
}

}  // namespace
}  // namespace rk::source
