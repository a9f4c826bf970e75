// The CLI end to end: `runner-kernel image` over an out/ tree, and `runner-kernel publish` to a
// local registry (Debian's docker-registry), pulled back with skopeo.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../rk_skip.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "image/oci.hpp"
#include "image/process.hpp"
#include "image_test_util.hpp"

extern char** environ;

namespace rk::image {
namespace {

using nlohmann::json;
using test::read_file;
using test::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

const std::string kCli = RK_CLI;

ProcessResult cli(std::vector<std::string> args, const std::string& epoch = "1700000000") {
  args.insert(args.begin(), kCli);
  args.insert(args.begin(), "SOURCE_DATE_EPOCH=" + epoch);
  args.insert(args.begin(), "env");
  return run_process(args);
}

void make_out(const fs::path& out) {
  test::make_artifacts(out, "6.1", "x86_64", "6.1.112");
  test::make_artifacts(out, "6.1", "arm64", "6.1.112");
  test::make_artifacts(out, "6.12", "x86_64", "6.12.9");
  test::make_artifacts(out, "6.12", "arm64", "6.12.9");
}

TEST(ImageCli, WritesTheLayout) {
  TempDir tmp;
  fs::path out = tmp.path() / "out";
  make_out(out);
  ProcessResult r = cli({"image", "--artifacts", out, "--out", out / "oci", "--version", "0.7.0",
                         "--source", "https://example.org/rk", "--revision", "abc123"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(":0.7.0-linux61 sha256:"));
  EXPECT_THAT(r.output, HasSubstr(":0.7.0-linux612 sha256:"));
  EXPECT_THAT(r.output, HasSubstr("linux/arm64 sha256:"));
  std::vector<LayoutRef> refs = read_layout_refs(out / "oci");
  ASSERT_EQ(refs.size(), 2u);
  json index = json::parse(
      read_file(out / "oci" / "blobs" / "sha256" / refs[0].descriptor.digest.substr(7)));
  EXPECT_EQ(index.at("annotations").at(kAnnotationCreated), "2023-11-14T22:13:20Z");
  EXPECT_EQ(index.at("annotations").at(kAnnotationRevision), "abc123");
  EXPECT_EQ(index.at("annotations").at(kAnnotationSource), "https://example.org/rk");

  // Again (over the existing layout, which is not mistaken for a branch): same digests.
  auto before = test::tree_contents(out / "oci");
  r = cli({"image", "--artifacts", out, "--out", out / "oci", "--version", "0.7.0", "--source",
           "https://example.org/rk", "--revision", "abc123", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "");
  EXPECT_EQ(test::tree_contents(out / "oci"), before);
}

TEST(ImageCli, RefusesAKernelWhoseProbesFailed) {
  TempDir tmp;
  fs::path out = tmp.path() / "out";
  make_out(out);
  test::write_boot_test(out / "6.12" / "arm64", false, "probe overlayfs: FAIL");
  ProcessResult r = cli({"image", "--artifacts", out, "--out", out / "oci"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("6.12-arm64 failed its boot test (probe overlayfs: FAIL)"));
  EXPECT_FALSE(fs::exists(out / "oci"));  // not even the branches that passed

  r = cli({"image", "--artifacts", out, "--out", out / "oci", "--allow-untested", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--allow-untested"));
  EXPECT_TRUE(fs::exists(out / "oci" / "index.json"));
}

TEST(ImageCli, VariantsSelectBranchesAndArches) {
  TempDir tmp;
  fs::path out = tmp.path() / "out";
  test::make_artifacts(out, "6.1", "x86_64", "6.1.112");  // only this one was built
  // The project's variants.toml names the variants (found from the working directory).
  auto in_project = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"env", "-C", RK_SOURCE_DIR, "SOURCE_DATE_EPOCH=1700000000", kCli});
    return run_process(args);
  };
  ProcessResult r = in_project({"image", "6.1-x86_64", "--artifacts", out, "--out", out / "oci"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("linux/amd64"));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("linux/arm64")));
  r = in_project({"image", "6.1", "--artifacts", out, "--out", out / "oci"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr((out / "6.1" / "arm64").string() + ": missing"));
}

TEST(ImageCli, MissingArtifactIsAClearError) {
  TempDir tmp;
  fs::path out = tmp.path() / "out";
  make_out(out);
  fs::remove(out / "6.12" / "arm64" / "vmlinux.bin.zst");
  ProcessResult r = cli({"image", "--artifacts", out, "--out", out / "oci"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output,
              HasSubstr("runner-kernel image: " +
                        (out / "6.12" / "arm64" / "vmlinux.bin.zst").string() + ": missing"));
  EXPECT_FALSE(fs::exists(out / "oci"));
  for (const auto& e : fs::directory_iterator(out)) {
    EXPECT_EQ(e.path().filename().string().rfind(".oci", 0), std::string::npos) << e.path();
  }
  r = cli({"image", "--artifacts", out, "--out", out / "oci"}, "not-a-number");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("SOURCE_DATE_EPOCH"));
}

TEST(PublishCli, DryRunPrintsTheCommands) {
  TempDir tmp;
  fs::path out = tmp.path() / "out";
  make_out(out);
  ASSERT_EQ(cli({"image", "--artifacts", out, "--out", out / "oci", "--version", "0.7.0", "-q"})
                .exit_code,
            0);
  ProcessResult r = cli({"publish", "--from", out / "oci", "--to", "docker://reg.example/rk",
                         "--dest-tls-verify=false", "--dry-run", "--branch", "6.1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("skopeo copy --all --preserve-digests --dest-tls-verify=false"));
  EXPECT_THAT(r.output, HasSubstr("docker://reg.example/rk:0.7.0-linux61"));
  EXPECT_THAT(r.output, HasSubstr("docker://reg.example/rk:main-linux61"));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("linux612")));
  r = cli({"publish", "--from", out / "oci", "--to", "reg.example/rk", "--dry-run"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("docker://HOST/REPO"));
}

// A docker-registry on 127.0.0.1 with storage in a temporary directory, stopped at the end.
class LocalRegistry {
 public:
  explicit LocalRegistry(const fs::path& dir) : dir_(dir) {
    port_ = free_port();
    fs::create_directories(dir / "storage");
    test::write_file(dir / "config.yml",
                     "version: 0.1\n"
                     "log:\n  level: warn\n"
                     "storage:\n  filesystem:\n    rootdirectory: " +
                         (dir / "storage").string() +
                         "\n  delete:\n    enabled: true\n"
                         "http:\n  addr: 127.0.0.1:" +
                         std::to_string(port_) + "\n");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string log = (dir / "registry.log").string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string config = (dir / "config.yml").string();
    std::vector<char*> argv{const_cast<char*>("docker-registry"), const_cast<char*>("serve"),
                            config.data(), nullptr};
    int err = posix_spawnp(&pid_, "docker-registry", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
      pid_ = -1;
      return;
    }
    for (int i = 0; i < 150 && !ready(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~LocalRegistry() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  bool ready() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return read_file(dir_ / "registry.log"); }

 private:
  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }
  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST(PublishCli, RegistryRoundTrip) {
  if (!program_available("skopeo")) RK_SKIP() << "skopeo is not installed (apt-get install skopeo)";
  if (!program_available("docker-registry")) {
    RK_SKIP() << "docker-registry is not installed (apt-get install docker-registry)";
  }
  TempDir tmp;
  fs::path out = tmp.path() / "out";
  make_out(out);
  ProcessResult r = cli({"image", "--artifacts", out, "--out", out / "oci", "--version", "0.7.0"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<LayoutRef> refs = read_layout_refs(out / "oci");
  ASSERT_EQ(refs.size(), 2u);

  LocalRegistry registry(tmp.path() / "registry");
  ASSERT_TRUE(registry.ready()) << "docker-registry did not start:\n" << registry.log();
  const std::string repo = "docker://" + registry.host() + "/runner-kernel";

  r = cli({"publish", "--from", out / "oci", "--to", repo, "--dest-tls-verify=false"});
  ASSERT_EQ(r.exit_code, 0) << r.output << "\nregistry log:\n" << registry.log();
  EXPECT_THAT(r.output,
              HasSubstr("pushed " + repo + ":0.7.0-linux61 " + refs[0].descriptor.digest));
  EXPECT_THAT(r.output,
              HasSubstr("pushed " + repo + ":main-linux612 " + refs[1].descriptor.digest));

  for (const LayoutRef& ref : refs) {
    const std::string alias = "main-" + ref.tag.substr(ref.tag.rfind("linux"));
    for (const std::string& tag : {ref.tag, alias}) {
      SCOPED_TRACE(tag);
      // The registry serves the very index we built.
      ProcessResult raw =
          run_process({"skopeo", "inspect", "--raw", "--tls-verify=false", repo + ":" + tag});
      ASSERT_EQ(raw.exit_code, 0) << raw.output;
      EXPECT_EQ("sha256:" + sha256_hex(raw.output), ref.descriptor.digest);
    }
    // Each platform resolves to its manifest.
    json index =
        json::parse(read_file(out / "oci" / "blobs" / "sha256" / ref.descriptor.digest.substr(7)));
    for (const json& m : index.at("manifests")) {
      std::string arch = m.at("platform").at("architecture");
      ProcessResult insp = run_process({"skopeo", "--override-arch", arch, "--override-os", "linux",
                                        "inspect", "--tls-verify=false", repo + ":" + ref.tag});
      ASSERT_EQ(insp.exit_code, 0) << insp.output;
      json j = json::parse(insp.output);
      EXPECT_EQ(j.at("Digest"), ref.descriptor.digest);
      EXPECT_EQ(j.at("Architecture"), arch);
      json manifest = json::parse(read_file(out / "oci" / "blobs" / "sha256" /
                                            m.at("digest").get<std::string>().substr(7)));
      EXPECT_EQ(j.at("Layers"), json::array({manifest.at("layers").at(0).at("digest")}));
    }
  }

  // Pull the alias back into a fresh layout: the same index and the same blobs.
  fs::path pulled = tmp.path() / "pulled";
  r = run_process({"skopeo", "copy", "--all", "--preserve-digests", "--src-tls-verify=false",
                   repo + ":main-linux61", "oci:" + pulled.string() + ":back"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<LayoutRef> back = read_layout_refs(pulled);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].tag, "back");
  EXPECT_EQ(back[0].descriptor.digest, refs[0].descriptor.digest);
  auto pulled_blobs = test::tree_contents(pulled / "blobs");
  auto local_blobs = test::tree_contents(out / "oci" / "blobs");
  for (const auto& [name, data] : pulled_blobs) {
    ASSERT_TRUE(local_blobs.count(name)) << name;
    EXPECT_EQ(data, local_blobs.at(name)) << name;
  }
  EXPECT_EQ(pulled_blobs.size(), 7u);  // index, 2 manifests, 2 configs, 2 layers

  // Republishing a new build moves the alias, not the old version tag.
  test::write_file(out / "6.1" / "x86_64" / "config", "CONFIG_CHANGED=y\n");
  test::write_boot_test(out / "6.1" / "x86_64", true);  // rebuilt and tested again
  r = cli({"image", "--artifacts", out, "--out", out / "oci", "--version", "0.8.0", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<LayoutRef> next = read_layout_refs(out / "oci");
  r = cli({"publish", "--from", out / "oci", "--to", repo, "--dest-tls-verify=false", "--branch",
           "6.1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ProcessResult alias =
      run_process({"skopeo", "inspect", "--raw", "--tls-verify=false", repo + ":main-linux61"});
  ASSERT_EQ(alias.exit_code, 0) << alias.output;
  EXPECT_EQ("sha256:" + sha256_hex(alias.output), next[0].descriptor.digest);
  EXPECT_NE(next[0].descriptor.digest, refs[0].descriptor.digest);
  ProcessResult old =
      run_process({"skopeo", "inspect", "--raw", "--tls-verify=false", repo + ":0.7.0-linux61"});
  ASSERT_EQ(old.exit_code, 0) << old.output;
  EXPECT_EQ("sha256:" + sha256_hex(old.output), refs[0].descriptor.digest);
}

}  // namespace
}  // namespace rk::image
