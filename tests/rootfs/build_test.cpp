#include "rootfs/build.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../rk_skip.hpp"
#include "../temp_dir.hpp"
#include "process/run.hpp"

namespace fs = std::filesystem;

namespace rk::rootfs {
namespace {

using ::testing::HasSubstr;

// Stands in for mmdebstrap, which needs the network: writes the files the customize hooks
// would copy out (dpkg status with curl at $FAKE_CURL_VERSION, one Packages index), a small
// root tarball with the tar-in hook's files in it, and its arguments to $FAKE_ARGS.
const char* kFakeMmdebstrap = R"(#!/bin/sh
set -e
printf '%s\n' "$@" > "$FAKE_ARGS"
[ -z "$FAKE_FAIL" ] || { echo "E: fake failure: $FAKE_FAIL"; exit 25; }
echo "I: running apt-get update..."
positional=""
for a in "$@"; do
  case "$a" in
    "--customize-hook=download /var/lib/dpkg/status "*) status="${a#* * }" ;;
    "--customize-hook=sync-out /var/lib/apt/lists "*) lists="${a#* * }" ;;
    "--customize-hook=tar-in "*) guest="${a#* }"; guest="${guest% /}" ;;
    --*) ;;
    *) positional="$positional $a" ;;
  esac
done
set -- $positional
tarball="$2"
mkdir -p "$lists"
cat > "$status" <<END
Package: curl
Status: install ok installed
Architecture: amd64
Version: $FAKE_CURL_VERSION

Package: base-files
Status: install ok installed
Architecture: all
Version: 14
END
cat > "$lists/deb.debian.org_debian_dists_forky_main_binary-amd64_Packages" <<END
Package: curl
Version: $FAKE_CURL_VERSION
Architecture: amd64
SHA256: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa

Package: base-files
Version: 14
Architecture: all
SHA256: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
END
root=$(mktemp -d)
mkdir -p "$root/etc"
echo guest > "$root/etc/hostname"
[ -z "$guest" ] || tar -xf "$guest" -C "$root"
tar -cf "$tarball" -C "$root" --owner=0 --group=0 --numeric-owner .
rm -rf "$root"
echo "I: success"
)";

class RootfsBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"fakeroot", "mkfs.ext4", "tar"}) {
      if (process::find_executable(tool).empty()) {
        RK_SKIP() << tool << " is not installed (scripts/install-deps.sh)";
      }
    }
    dir_.write("bin/mmdebstrap", kFakeMmdebstrap);
    fs::permissions(dir_.file("bin/mmdebstrap"), fs::perms(0755));
    ::setenv("FAKE_ARGS", dir_.file("args").c_str(), 1);
    ::setenv("FAKE_CURL_VERSION", "8.22.0-1", 1);
    ::unsetenv("FAKE_FAIL");
    options_.lock_path = dir_.file("repo/rootfs/x86_64.lock");
    options_.cache_dir = dir_.file("cache");
    options_.mmdebstrap = dir_.file("bin/mmdebstrap");
    options_.log = nullptr;
  }
  void TearDown() override {
    ::unsetenv("FAKE_ARGS");
    ::unsetenv("FAKE_CURL_VERSION");
    ::unsetenv("FAKE_FAIL");
  }
  // Nothing but images in the cache: no scratch directory left behind.
  void expect_only_images_in_cache() {
    if (!fs::exists(options_.cache_dir)) return;
    for (const auto& e : fs::directory_iterator(options_.cache_dir)) {
      EXPECT_EQ(e.path().extension(), ".ext4") << e.path();
    }
  }
  static bool is_ext4(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    in.seekg(1024 + 0x38);  // the superblock's s_magic
    unsigned char magic[2] = {0, 0};
    in.read(reinterpret_cast<char*>(magic), 2);
    return magic[0] == 0x53 && magic[1] == 0xef;
  }

  rk::testing::TempDir dir_{"rk-rootfs"};
  Recipe recipe_ = default_recipe("x86_64");
  BuildOptions options_;
};

TEST_F(RootfsBuild, UpdateWritesTheLockAndAnExt4Image) {
  options_.update = true;
  BuildResult r = build_rootfs(recipe_, options_);
  EXPECT_FALSE(r.cached);
  EXPECT_TRUE(r.lock_written);
  EXPECT_EQ(r.packages, 2u);
  EXPECT_TRUE(is_ext4(r.image)) << r.image;
  Lock lock = parse_lock(dir_.read("repo/rootfs/x86_64.lock"), "lock");
  ASSERT_EQ(lock.size(), 2u);
  EXPECT_EQ(lock["curl:amd64"].version, "8.22.0-1");
  EXPECT_EQ(lock["base-files:all"].sha256, std::string(64, 'b'));
  std::string args = dir_.read("args");
  EXPECT_THAT(args, HasSubstr("--arch=amd64\n"));
  EXPECT_THAT(args, HasSubstr("--variant=apt\n"));
  EXPECT_THAT(args, HasSubstr("docker.io"));
  EXPECT_THAT(args, HasSubstr("\nforky\n"));
  EXPECT_THAT(args, HasSubstr("--aptopt=Acquire::Check-Valid-Until \"false\"\n"));
  EXPECT_THAT(args, HasSubstr("--customize-hook=chroot \"$1\" systemctl disable --quiet "
                              "docker.service docker.socket"));
  EXPECT_THAT(args, HasSubstr("--customize-hook=chroot \"$1\" sh -ec 'v=$(dpkg-query"));
  expect_only_images_in_cache();

  // The agent's files landed in the image, owned by root, with their modes.
  std::string agent =
      process::capture({{"debugfs", "-R", "stat /usr/local/sbin/rk-agent", r.image}});
  EXPECT_THAT(agent, HasSubstr("Mode:  0755"));
  EXPECT_THAT(agent, HasSubstr("User:     0   Group:     0"));
  std::string link = process::capture(
      {{"debugfs", "-R", "stat /etc/systemd/system/multi-user.target.wants/rk-agent.service",
        r.image}});
  EXPECT_THAT(link, HasSubstr("Type: symlink"));
  EXPECT_THAT(link, HasSubstr("/etc/systemd/system/rk-agent.service"));
}

TEST_F(RootfsBuild, ScratchOfAKilledBuildIsRemovedALiveOneKept) {
  // No process can have a pid above pid_max.
  long pid_max = std::stol(process::capture({{"cat", "/proc/sys/kernel/pid_max"}}));
  std::string dead = "cache/tmp-x86_64-" + std::to_string(pid_max + 1);
  std::string live = "cache/tmp-arm64-" + std::to_string(::getpid());
  dir_.write(dead + "/root.tar", "partial");
  dir_.write(live + "/root.tar", "in progress");
  options_.update = true;
  build_rootfs(recipe_, options_);
  EXPECT_FALSE(fs::exists(dir_.file(dead)));
  EXPECT_TRUE(fs::exists(dir_.file(live + "/root.tar")));
}

TEST_F(RootfsBuild, SecondBuildIsCachedAndRunsNothing) {
  options_.update = true;
  BuildResult first = build_rootfs(recipe_, options_);
  fs::remove(dir_.file("args"));
  options_.update = false;
  BuildResult second = build_rootfs(recipe_, options_);
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(second.image, first.image);
  EXPECT_FALSE(fs::exists(dir_.file("args")));
  // A recipe change is a new image.
  recipe_.packages.push_back("jq");
  EXPECT_NE(image_path(recipe_, dir_.read("repo/rootfs/x86_64.lock"), options_.cache_dir),
            first.image);
}

TEST_F(RootfsBuild, ChangedVersionIsRefusedWithoutUpdate) {
  options_.update = true;
  build_rootfs(recipe_, options_);
  std::string lock_before = dir_.read("repo/rootfs/x86_64.lock");
  recipe_.packages.push_back("jq");  // a recipe change, so the cached image does not answer
  ::setenv("FAKE_CURL_VERSION", "8.23.0-1", 1);
  options_.update = false;
  try {
    build_rootfs(recipe_, options_);
    FAIL() << "a changed version was accepted";
  } catch (const RootfsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("curl:amd64: locked 8.22.0-1, offered 8.23.0-1"));
    EXPECT_THAT(e.what(), HasSubstr("runner-kernel rootfs --arch x86_64 --update"));
  }
  EXPECT_EQ(dir_.read("repo/rootfs/x86_64.lock"), lock_before);
  EXPECT_FALSE(fs::exists(image_path(recipe_, lock_before, options_.cache_dir)));
  expect_only_images_in_cache();

  // The explicit update accepts it.
  options_.update = true;
  BuildResult r = build_rootfs(recipe_, options_);
  EXPECT_TRUE(r.lock_written);
  EXPECT_THAT(dir_.read("repo/rootfs/x86_64.lock"), HasSubstr("curl:amd64=8.23.0-1 sha256:"));
}

TEST_F(RootfsBuild, NoLockWithoutUpdateRunsNothing) {
  try {
    build_rootfs(recipe_, options_);
    FAIL() << "built without a lock";
  } catch (const RootfsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no lock file"));
    EXPECT_THAT(e.what(), HasSubstr("--update"));
  }
  EXPECT_FALSE(fs::exists(dir_.file("args")));
}

TEST_F(RootfsBuild, MalformedLockIsRefusedBeforeBuilding) {
  dir_.write("repo/rootfs/x86_64.lock", "curl:amd64=8.22.0-1\n");
  EXPECT_THROW(build_rootfs(recipe_, options_), RootfsError);
  EXPECT_FALSE(fs::exists(dir_.file("args")));
}

TEST_F(RootfsBuild, FailingMmdebstrapLeavesNoImageAndReportsItsOutput) {
  options_.update = true;
  ::setenv("FAKE_FAIL", "no network", 1);
  try {
    build_rootfs(recipe_, options_);
    FAIL() << "a failed mmdebstrap gave an image";
  } catch (const RootfsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("exit 25"));
    EXPECT_THAT(e.what(), HasSubstr("E: fake failure: no network"));
  }
  EXPECT_FALSE(fs::exists(options_.lock_path));
  expect_only_images_in_cache();
}

TEST_F(RootfsBuild, HostileRecipeIsRefusedBeforeRunningAnything) {
  options_.update = true;
  recipe_.packages.push_back("curl --allow-unauthenticated");
  EXPECT_THROW(build_rootfs(recipe_, options_), RootfsError);
  EXPECT_FALSE(fs::exists(dir_.file("args")));
}

TEST(HostRunsArch, OwnArchYesUnknownArchNoWithAdvice) {
  std::string why;
#if defined(__x86_64__)
  EXPECT_TRUE(host_runs_arch("amd64", &why));
#elif defined(__aarch64__)
  EXPECT_TRUE(host_runs_arch("arm64", &why));
#endif
  EXPECT_FALSE(host_runs_arch("s390x", &why));
  EXPECT_THAT(why, HasSubstr("qemu-user-static"));
}

// The hook is one shell word list for mmdebstrap's `sh -c` and one script for the chroot's sh;
// it fetches the other arch's .deb at the version installed for ours.
TEST(ForeignBinaryHook, ParsesAsShellAndPinsTheInstalledVersion) {
  std::string hook = foreign_binary_hook(
      {"busybox-static", "arm64", "busybox", "/usr/local/lib/rk-agent/busybox-arm64"});
  int status = -1;
  process::capture({{"sh", "-n", "-c", hook}}, &status);
  EXPECT_EQ(status, 0) << hook;
  EXPECT_THAT(hook, HasSubstr("dpkg-query -W -f=\"\\${Version}\" busybox-static)"));
  EXPECT_THAT(hook, HasSubstr("download busybox-static:arm64=\"$v\""));
  EXPECT_THAT(hook, HasSubstr("APT::Architectures::=arm64"));
  EXPECT_THAT(hook, HasSubstr("find x -type f -path \"*bin/busybox\""));
  EXPECT_THAT(hook, HasSubstr("install -D -m 0755 \"$p\" /usr/local/lib/rk-agent/busybox-arm64"));
  // The inner script, as the chroot's sh gets it, parses too.
  size_t open = hook.find("sh -ec '") + 8;
  std::string inner = hook.substr(open, hook.rfind('\'') - open);
  process::capture({{"sh", "-n", "-c", inner}}, &status);
  EXPECT_EQ(status, 0) << inner;
}

}  // namespace
}  // namespace rk::rootfs
