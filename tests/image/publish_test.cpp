#include "image/publish.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "image/oci.hpp"
#include "image_test_util.hpp"

namespace rk::image {
namespace {

using test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

// Records skopeo invocations and answers like skopeo: writes the digest it is told to.
struct FakeSkopeo {
  std::vector<std::vector<std::string>> calls;
  std::string digest_override;
  int exit_code = 0;

  ProcessResult operator()(const std::vector<std::string>& argv) {
    calls.push_back(argv);
    if (exit_code != 0) return {exit_code, "FATA[0000] something failed"};
    std::string source, digestfile;
    for (const std::string& a : argv) {
      if (a.rfind("--digestfile=", 0) == 0) digestfile = a.substr(13);
      if (a.rfind("oci:", 0) == 0) source = a;
    }
    std::string tag = source.substr(source.rfind(':') + 1);
    std::string layout = source.substr(4, source.rfind(':') - 4);
    std::string digest = digest_override;
    if (digest.empty()) {
      for (const LayoutRef& r : read_layout_refs(layout))
        if (r.tag == tag) digest = r.descriptor.digest;
    }
    test::write_file(digestfile, digest);
    return {0, ""};
  }
};

class Publish : public ::testing::Test {
 protected:
  void SetUp() override {
    req_ = test::sample_request(tmp_.path());
    result_ = write_oci_layout(req_);
  }
  PublishRequest publish_request() {
    PublishRequest p;
    p.layout = req_.out;
    p.destination = "docker://registry.example:5000/kernels/runner-kernel";
    return p;
  }
  TempDir tmp_;
  LayoutRequest req_;
  LayoutResult result_;
};

TEST_F(Publish, PushesVersionAndAliasTags) {
  FakeSkopeo fake;
  std::vector<std::string> log;
  auto pushed = publish_layout(
      publish_request(), [&](const auto& argv) { return fake(argv); },
      [&](const std::string& l) { log.push_back(l); });
  ASSERT_EQ(fake.calls.size(), 4u);
  const std::string dest = "docker://registry.example:5000/kernels/runner-kernel";
  const std::string src = "oci:" + req_.out.string();
  auto strip_digestfile = [](std::vector<std::string> v) {
    v.erase(std::remove_if(v.begin(), v.end(),
                           [](const std::string& a) { return a.rfind("--digestfile=", 0) == 0; }),
            v.end());
    return v;
  };
  EXPECT_THAT(strip_digestfile(fake.calls[0]),
              ElementsAre("skopeo", "copy", "--all", "--preserve-digests", src + ":0.7.0-linux61",
                          dest + ":0.7.0-linux61"));
  EXPECT_THAT(strip_digestfile(fake.calls[1]),
              ElementsAre("skopeo", "copy", "--all", "--preserve-digests", src + ":0.7.0-linux61",
                          dest + ":main-linux61"));
  EXPECT_EQ(fake.calls[2].back(), dest + ":0.7.0-linux612");
  EXPECT_EQ(fake.calls[3].back(), dest + ":main-linux612");
  ASSERT_EQ(pushed.size(), 4u);
  EXPECT_EQ(pushed[1].reference, dest + ":main-linux61");
  EXPECT_EQ(pushed[1].digest, result_.branches[0].index.digest);
  EXPECT_EQ(pushed[3].digest, result_.branches[1].index.digest);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_THAT(log[0], HasSubstr(result_.branches[0].index.digest));
}

TEST_F(Publish, OptionsReachSkopeo) {
  FakeSkopeo fake;
  PublishRequest p = publish_request();
  p.tls_verify = false;
  TempDir auth_dir;
  const std::string auth = (auth_dir.path() / "auth.json").string();
  { std::ofstream(auth) << "{}"; }
  fs::permissions(auth, fs::perms::owner_read | fs::perms::owner_write);
  p.authfile = auth;
  p.retry_times = 3;
  p.alias = "";
  p.branches = {"6.12"};
  publish_layout(p, [&](const auto& argv) { return fake(argv); });
  ASSERT_EQ(fake.calls.size(), 1u);
  const auto& argv = fake.calls[0];
  for (const std::string& opt : {std::string("--dest-tls-verify=false"), "--dest-authfile=" + auth,
                                 std::string("--retry-times=3")}) {
    EXPECT_NE(std::find(argv.begin(), argv.end(), opt), argv.end()) << opt;
  }
  for (const auto& arg : argv) EXPECT_THAT(arg, Not(HasSubstr("creds")));
  EXPECT_THAT(argv.back(), HasSubstr(":0.7.0-linux612"));
}

// Credentials reach skopeo only through a file only its owner can read: a world-readable,
// missing or non-regular auth file is refused before anything runs.
TEST_F(Publish, AuthFileMustBeTheOwnersAlone) {
  PublishRequest p = publish_request();
  TempDir auth_dir;
  const std::string auth = (auth_dir.path() / "auth.json").string();
  { std::ofstream(auth) << "{\"auths\": {}}"; }
  fs::permissions(auth, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  p.authfile = auth;
  auto never = [](const auto&) -> ProcessResult { throw std::logic_error("ran"); };
  try {
    publish_layout(p, never);
    FAIL() << "a world-readable auth file was accepted";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("mode 0604"));
    EXPECT_THAT(e.what(), HasSubstr("chmod 600"));
  }
  p.authfile = (auth_dir.path() / "missing.json").string();
  EXPECT_THROW(publish_layout(p, never), ImageError);
  p.authfile = auth_dir.path().string();
  EXPECT_THROW(publish_layout(p, never), ImageError);
}

TEST(StripUserinfo, TokensNeverLeaveTheUrl) {
  EXPECT_EQ(strip_userinfo("https://x-access-token:ghp_secret@github.com/o/r.git"),
            "https://github.com/o/r.git");
  EXPECT_EQ(strip_userinfo("https://user@host/p@q"), "https://host/p@q");
  EXPECT_EQ(strip_userinfo("https://github.com/o/r"), "https://github.com/o/r");
  EXPECT_EQ(strip_userinfo("git@github.com:o/r.git"), "git@github.com:o/r.git");  // no secret
}

TEST_F(Publish, DryRunRunsNothing) {
  PublishRequest p = publish_request();
  p.dry_run = true;
  std::vector<std::string> log;
  auto pushed = publish_layout(
      p, [](const auto&) -> ProcessResult { throw std::logic_error("ran"); },
      [&](const std::string& l) { log.push_back(l); });
  EXPECT_EQ(pushed.size(), 4u);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_THAT(log[1], HasSubstr("skopeo copy --all --preserve-digests"));
  EXPECT_THAT(log[1], HasSubstr(":main-linux61"));
}

TEST_F(Publish, DigestMismatchFails) {
  FakeSkopeo fake;
  fake.digest_override = "sha256:" + std::string(64, '0');
  try {
    publish_layout(publish_request(), [&](const auto& argv) { return fake(argv); });
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr(fake.digest_override));
    EXPECT_THAT(e.what(), HasSubstr(result_.branches[0].index.digest));
  }
}

TEST_F(Publish, SkopeoFailureNamesTheFix) {
  FakeSkopeo fake;
  fake.exit_code = 1;
  try {
    publish_layout(publish_request(), [&](const auto& argv) { return fake(argv); });
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("something failed"));
    EXPECT_THAT(e.what(), HasSubstr("--dest-tls-verify=false"));
  }
  fake.exit_code = 127;
  try {
    publish_layout(publish_request(), [&](const auto& argv) { return fake(argv); });
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("install skopeo"));
  }
}

TEST_F(Publish, RejectsBadDestinations) {
  FakeSkopeo fake;
  auto run = [&](const auto& argv) { return fake(argv); };
  for (const char* bad : {"registry.example/repo", "docker://", "docker://registry.example",
                          "docker://host/repo:tag", "docker://host/repo@sha256:00", "oci:/tmp/x"}) {
    PublishRequest p = publish_request();
    p.destination = bad;
    EXPECT_THROW(publish_layout(p, run), ImageError) << bad;
  }
  PublishRequest p = publish_request();
  p.branches = {"5.10"};
  EXPECT_THROW(publish_layout(p, run), ImageError);
  p = publish_request();
  p.alias = "not/valid";
  EXPECT_THROW(publish_layout(p, run), ImageError);
  p = publish_request();
  p.layout = tmp_.path() / "nothing";
  EXPECT_THROW(publish_layout(p, run), ImageError);
  EXPECT_TRUE(fake.calls.empty());
}

}  // namespace
}  // namespace rk::image
