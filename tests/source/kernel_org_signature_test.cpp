// kernel.org's signed sha256sums.asc on the tarball route with an empty pin: a throwaway key
// made at test time signs the checksums; a good signature records the pin, and every way of not
// verifying it (no signature, a bad one, no keyring, no gpgv) is an error unless
// --trust-on-first-use is given. Also: the keyring shipped in keys/ holds exactly the keys
// keys/README.md documents.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "source/fetch.hpp"
#include "source/kernel_org.hpp"
#include "source/util.hpp"
#include "source_test_util.hpp"

namespace rk::source {
namespace {

using namespace testing;
using ::testing::HasSubstr;
using ::testing::Not;

const Tool kGpg{"gpg", "gpg"};

// A GnuPG home with one fresh signing key, and that key exported as a binary keyring.
class SigningKey {
 public:
  explicit SigningKey(const fs::path& dir) : home_(dir / "gnupg"), keyring_(dir / "test.gpg") {
    fs::create_directories(home_);
    fs::permissions(home_, fs::perms::owner_all);
    gpg({"--quick-generate-key", "Test Signer <signer@example.org>", "ed25519", "sign", "never"});
    gpg({"--output", keyring_.string(), "--export", "signer@example.org"});
  }
  ~SigningKey() {
    // The agent gpg started for this home.
    run_tool({"gpgconf", "gpgconf"}, {"gpgconf", "--homedir", home_.string(), "--kill", "all"});
  }
  // `text` clearsigned with the key.
  std::string clearsign(const std::string& text) const {
    fs::path in = home_.parent_path() / "sums.txt", out = home_.parent_path() / "sums.asc";
    testing::spit(in, text);
    fs::remove(out);
    gpg({"--local-user", "signer@example.org", "--output", out.string(), "--clearsign",
         in.string()});
    return testing::slurp(out);
  }
  const fs::path& keyring() const { return keyring_; }

 private:
  void gpg(std::vector<std::string> args) const {
    std::vector<std::string> all{"gpg",      "--homedir",    home_.string(),
                                 "--batch",  "--yes",        "--pinentry-mode",
                                 "loopback", "--passphrase", ""};
    all.insert(all.end(), args.begin(), args.end());
    ToolResult r = run_tool(kGpg, all);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  fs::path home_;
  fs::path keyring_;
};

class SignedSums : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("RK_KERNEL_ORG_KEYRING");
    tarball_ = make_tarball("linux-6.1.192", fake_kernel("6.1.192"));
    sha_ = sha256_bytes(tarball_);
    server_.serve(kPath, tarball_);
    sums_ = std::string(64, 'a') + "  linux-6.0.1.tar.xz\n" + sha_ + "  linux-6.1.192.tar.xz\n";
    std::string text = slurp(fs::path(RK_FIXTURES) / "variants.toml");
    text = replace_all(text, "@BASE@", server_.base());
    text = replace_all(text, "@DEBSHA@", "");
    text = replace_all(text, "@PATCHES@", "");
    matrix_ = cache_.dir() / "repo" / "variants.toml";
    spit(matrix_, text);
  }

  // The test key's keyring where the repository ships kernel.org's.
  void ship_keyring() {
    fs::create_directories(shipped().parent_path());
    fs::copy_file(key_.keyring(), shipped(), fs::copy_options::overwrite_existing);
  }
  fs::path shipped() const { return matrix_.parent_path() / "keys" / "kernel.org.gpg"; }

  FetchReport fetch(FetchOptions o = {}) {
    variants::Matrix m = variants::Matrix::load(matrix_.string());
    o.log = nullptr;
    o.from = "tarball";
    return fetch_branch(m, *m.find_branch("6.1"), o);
  }
  SourceError fetch_error(FetchOptions o = {}) {
    try {
      fetch(o);
    } catch (const SourceError& e) {
      return e;
    }
    ADD_FAILURE() << "fetch succeeded";
    return SourceError(ErrorKind::kOther, "");
  }
  std::string pin() const {
    return variants::Matrix::load(matrix_.string()).find_branch("6.1")->tarball.sha256;
  }
  static std::string notes(const FetchReport& r) {
    std::string s;
    for (const auto& n : r.notes) s += n + "\n";
    return s;
  }
  // The refusal, then the same fetch with --trust-on-first-use recording the pin loudly.
  void expect_refused_then_trusted(const std::string& why, ErrorKind kind) {
    SourceError e = fetch_error();
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("cannot verify " + server_.base() + kPath));
    EXPECT_THAT(e.what(), HasSubstr(why));
    EXPECT_THAT(e.what(), HasSubstr("Fix: "));
    EXPECT_THAT(e.what(), HasSubstr("--trust-on-first-use"));
    EXPECT_EQ(pin(), "");
    std::error_code ec;
    if (fs::exists(cache_.cache() / "sources"))
      for (const auto& d : fs::directory_iterator(cache_.cache() / "sources", ec))
        ADD_FAILURE() << "left in the cache: " << d.path();

    FetchOptions o;
    o.trust_on_first_use = true;
    FetchReport r = fetch(o);
    EXPECT_THAT(notes(r), HasSubstr("TRUSTED ON FIRST USE"));
    EXPECT_THAT(notes(r), HasSubstr(why));
    EXPECT_EQ(pin(), sha_);
  }

  static constexpr const char* kPath = "/v6.x/linux-6.1.192.tar.xz";
  static constexpr const char* kSums = "/v6.x/sha256sums.asc";
  TempCache cache_;
  HttpServer server_;
  SigningKey key_{cache_.dir()};
  std::string tarball_, sha_, sums_;
  fs::path matrix_;
};

TEST_F(SignedSums, GoodSignatureWithTheShippedKeyringRecordsThePin) {
  ship_keyring();
  server_.serve(kSums, key_.clearsign(sums_));
  FetchReport r = fetch();
  EXPECT_THAT(notes(r), HasSubstr("matches " + server_.base() + kSums));
  EXPECT_THAT(notes(r), HasSubstr("verified with gpgv (" + shipped().string() + ")"));
  EXPECT_THAT(notes(r), Not(HasSubstr("TRUSTED ON FIRST USE")));
  EXPECT_EQ(pin(), sha_);
}

TEST_F(SignedSums, GoodSignatureWithAKeyringFromTheEnvironment) {
  setenv("RK_KERNEL_ORG_KEYRING", key_.keyring().c_str(), 1);
  server_.serve(kSums, key_.clearsign(sums_));
  FetchReport r = fetch();
  unsetenv("RK_KERNEL_ORG_KEYRING");
  EXPECT_THAT(notes(r), HasSubstr("verified with gpgv (" + key_.keyring().string() + ")"));
  EXPECT_EQ(pin(), sha_);
}

TEST_F(SignedSums, MissingSignatureIsAnError) {
  ship_keyring();  // nothing served at sha256sums.asc: HTTP 404
  expect_refused_then_trusted("HTTP 404", ErrorKind::kChecksum);
}

TEST_F(SignedSums, TamperedChecksumsAreAnError) {
  ship_keyring();
  std::string signed_text = key_.clearsign(sums_);
  // Another release's line changed after signing: the listing for ours still matches.
  server_.serve(kSums, replace_all(signed_text, std::string(64, 'a'), std::string(64, 'c')));
  expect_refused_then_trusted("does NOT verify", ErrorKind::kChecksum);
}

TEST_F(SignedSums, SignatureByAnotherKeyIsAnError) {
  ship_keyring();
  SigningKey other(cache_.dir() / "other");
  server_.serve(kSums, other.clearsign(sums_));
  expect_refused_then_trusted("does NOT verify", ErrorKind::kChecksum);
}

TEST_F(SignedSums, MissingShippedKeyringIsAnError) {
  server_.serve(kSums, key_.clearsign(sums_));
  expect_refused_then_trusted(shipped().string() + " does not exist", ErrorKind::kOther);
}

TEST_F(SignedSums, NoGpgvIsAnError) {
  ship_keyring();
  server_.serve(kSums, key_.clearsign(sums_));
  std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  fs::create_directories(cache_.dir() / "empty-bin");
  setenv("PATH", (cache_.dir() / "empty-bin").c_str(), 1);
  expect_refused_then_trusted("gpgv is not installed", ErrorKind::kToolMissing);
  setenv("PATH", old_path.c_str(), 1);
}

TEST_F(SignedSums, AConfiguredKeyringThatDoesNotExistIsAlwaysAnError) {
  ship_keyring();
  server_.serve(kSums, key_.clearsign(sums_));
  std::string missing = (cache_.dir() / "no-such.gpg").string();
  for (bool tofu : {false, true}) {
    FetchOptions o;
    o.kernel_org_keyring = missing;
    o.trust_on_first_use = tofu;
    SourceError e = fetch_error(o);
    EXPECT_THAT(e.what(), HasSubstr(missing + " (from --keyring) does not exist"));
    setenv("RK_KERNEL_ORG_KEYRING", missing.c_str(), 1);
    o.kernel_org_keyring.clear();
    e = fetch_error(o);
    unsetenv("RK_KERNEL_ORG_KEYRING");
    EXPECT_THAT(e.what(), HasSubstr(missing + " (from $RK_KERNEL_ORG_KEYRING) does not exist"));
  }
  EXPECT_EQ(pin(), "");
}

TEST_F(SignedSums, SignedChecksumsNotListingTheTarballAreAnError) {
  ship_keyring();
  server_.serve(kSums, key_.clearsign(std::string(64, 'a') + "  linux-6.0.1.tar.xz\n"));
  expect_refused_then_trusted("does not list linux-6.1.192.tar.xz", ErrorKind::kChecksum);
}

TEST_F(SignedSums, AMismatchIsAnErrorEvenTrustedOnFirstUse) {
  ship_keyring();
  server_.serve(kSums, key_.clearsign(std::string(64, 'b') + "  linux-6.1.192.tar.xz\n"));
  FetchOptions o;
  o.trust_on_first_use = true;
  SourceError e = fetch_error(o);
  EXPECT_EQ(e.kind(), ErrorKind::kChecksum);
  EXPECT_THAT(e.what(), HasSubstr("expected " + std::string(64, 'b')));
  EXPECT_THAT(e.what(), HasSubstr("signature verified"));
  EXPECT_EQ(pin(), "");
}

TEST_F(SignedSums, AMatchingPinNeedsNoSignature) {
  // No keyring, no sha256sums.asc: the pin is the verification.
  std::string text = replace_all(slurp(matrix_), "linux-6.1.192.tar.xz\",   sha256 = \"\"",
                                 "linux-6.1.192.tar.xz\",   sha256 = \"" + sha_ + "\"");
  spit(matrix_, text);
  FetchReport r = fetch();
  EXPECT_EQ(r.tree.sha256, sha_);
  for (const auto& req : server_.requests()) EXPECT_NE(req.path, kSums);
}

// keys/README.md documents the fingerprints of the keys in keys/kernel.org.gpg: a table row
// per key whose first cell is the fingerprint in backquotes.
TEST(ShippedKeyring, HoldsExactlyTheDocumentedKeys) {
  fs::path keys = fs::path(RK_SOURCE_DIR) / "keys";
  std::set<std::string> documented;
  std::string readme = testing::slurp(keys / "README.md");
  std::regex row(R"(^\| `([0-9A-F]{40})` \|)", std::regex::multiline);
  for (auto it = std::sregex_iterator(readme.begin(), readme.end(), row);
       it != std::sregex_iterator(); ++it)
    documented.insert((*it)[1]);
  ASSERT_FALSE(documented.empty()) << "no fingerprint rows in keys/README.md";

  TempCache tmp;
  fs::path home = tmp.dir() / "gnupg";
  fs::create_directories(home);
  fs::permissions(home, fs::perms::owner_all);
  ToolResult r = run_tool(kGpg, {"gpg", "--homedir", home.string(), "--batch", "--with-colons",
                                 "--show-keys", (keys / "kernel.org.gpg").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::set<std::string> shipped;
  std::istringstream lines(r.output);
  std::string line, previous;
  while (std::getline(lines, line)) {
    // The fpr record right after a pub record is the primary key's fingerprint.
    if (line.rfind("fpr:", 0) == 0 && previous.rfind("pub:", 0) == 0) {
      std::vector<std::string> f;
      std::istringstream fields(line);
      for (std::string x; std::getline(fields, x, ':');) f.push_back(x);
      ASSERT_GE(f.size(), 10u) << line;
      shipped.insert(f[9]);
    }
    previous = line;
  }
  EXPECT_EQ(shipped, documented);
  run_tool({"gpgconf", "gpgconf"}, {"gpgconf", "--homedir", home.string(), "--kill", "all"});
}

}  // namespace
}  // namespace rk::source
