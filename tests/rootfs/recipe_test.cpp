#include "rootfs/recipe.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "lazy_libs/sha256.hpp"

namespace rk::rootfs {
namespace {

using ::testing::HasSubstr;

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(Recipe, DefaultsCarryTheWorkloadPackagesPerArch) {
  Recipe x86 = default_recipe("x86_64");
  Recipe arm = default_recipe("arm64");
  EXPECT_EQ(x86.debian_arch, "amd64");
  EXPECT_EQ(arm.debian_arch, "arm64");
  for (const char* p : {"systemd-sysv", "docker.io", "docker-buildx", "docker-compose",
                        "containerd", "runc", "iptables", "podman", "fuse-overlayfs", "uidmap",
                        "nfs-kernel-server", "nfs-common", "curl", "iproute2", "busybox-static"}) {
    EXPECT_TRUE(has(x86.packages, p)) << p;
    EXPECT_TRUE(has(arm.packages, p)) << p;
  }
  // Only the x86_64 guest emulates arm64 through binfmt_misc.
  EXPECT_TRUE(has(x86.packages, "qemu-user-binfmt"));
  EXPECT_FALSE(has(arm.packages, "qemu-user-binfmt"));
  EXPECT_NO_THROW(validate_recipe(x86));
  EXPECT_NO_THROW(validate_recipe(arm));
}

TEST(Recipe, UnknownArchIsRefused) {
  EXPECT_THROW(default_recipe("riscv64"), RootfsError);
  EXPECT_THROW(default_recipe(""), RootfsError);
  Recipe r = default_recipe("x86_64");
  r.debian_arch = "arm64";  // the two names must agree
  EXPECT_THROW(validate_recipe(r), RootfsError);
}

TEST(Recipe, TextIsCanonicalOverPackageOrderAndDuplicates) {
  Recipe a = default_recipe("x86_64");
  Recipe b = a;
  std::reverse(b.packages.begin(), b.packages.end());
  b.packages.push_back(b.packages.front());
  EXPECT_EQ(recipe_text(a), recipe_text(b));
  EXPECT_EQ(cache_key(a, "lock"), cache_key(b, "lock"));
  EXPECT_THAT(recipe_text(a), HasSubstr("\nsuite forky\n"));
  EXPECT_THAT(recipe_text(a), HasSubstr("\npackage docker.io\n"));
  EXPECT_THAT(recipe_text(a), HasSubstr("\ndisable docker.service\n"));
  EXPECT_THAT(
      recipe_text(a),
      HasSubstr("\nforeign busybox-static:arm64 busybox "
                "/usr/local/lib/rk-agent/busybox-arm64 sha256:" +
                lazy_libs::sha256_hex(foreign_binary_hook(a.foreign_binaries.front())) + "\n"));
  // The arm64 guest's 32-bit binary, for the armhf scenario.
  Recipe arm = default_recipe("arm64");
  ASSERT_EQ(arm.foreign_binaries.size(), 1u);
  EXPECT_THAT(recipe_text(arm), HasSubstr("\nforeign busybox-static:armhf busybox "
                                          "/usr/local/lib/rk-agent/busybox-armhf sha256:"));
}

TEST(Recipe, KeyChangesWithEveryInput) {
  Recipe base = default_recipe("x86_64");
  std::string key = cache_key(base, "lock");
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, cache_key(base, "lock"));

  Recipe suite = base;
  suite.suite = "sid";
  Recipe mirror = base;
  mirror.mirror = "http://mirror.example/debian";
  Recipe package = base;
  package.packages.push_back("jq");
  Recipe option = base;
  option.apt_options.push_back("Acquire::Retries \"3\"");
  Recipe variant = base;
  variant.variant = "important";
  Recipe units = base;
  units.disabled_units.pop_back();
  Recipe foreign = base;
  foreign.foreign_binaries.front().path = "/usr/local/bin/busybox-arm64";
  for (const Recipe* r : {&suite, &mirror, &package, &option, &variant, &units, &foreign}) {
    EXPECT_NE(cache_key(*r, "lock"), key) << recipe_text(*r);
  }
  EXPECT_NE(cache_key(base, "lock2"), key);
  EXPECT_NE(cache_key(default_recipe("arm64"), "lock"), key);
}

TEST(Recipe, HostileFieldsAreRefused) {
  auto refused = [](auto edit) {
    Recipe r = default_recipe("x86_64");
    edit(r);
    EXPECT_THROW(validate_recipe(r), RootfsError) << recipe_text(default_recipe("x86_64"));
  };
  refused([](Recipe& r) { r.packages.push_back("curl\n--option"); });
  refused([](Recipe& r) { r.packages.push_back("curl,evil"); });
  refused([](Recipe& r) { r.packages.push_back("--include=x"); });
  refused([](Recipe& r) { r.packages.push_back("Capital"); });
  refused([](Recipe& r) { r.packages.push_back("a"); });
  refused([](Recipe& r) { r.packages.clear(); });
  refused([](Recipe& r) { r.suite = "forky main"; });
  refused([](Recipe& r) { r.suite = "../forky"; });
  refused([](Recipe& r) { r.suite = ""; });
  refused([](Recipe& r) { r.mirror = "ftp://deb.debian.org/debian"; });
  refused([](Recipe& r) { r.mirror = "http://deb.debian.org/debian main\ndeb http://x"; });
  refused([](Recipe& r) { r.mirror = "http://deb.debian.org/debian'"; });
  refused([](Recipe& r) { r.mirror = "http:///debian"; });
  refused([](Recipe& r) { r.variant = "custom"; });
  refused([](Recipe& r) { r.apt_options.push_back("Acquire::X \"1\"; APT::Y \"2\""); });
  refused([](Recipe& r) { r.apt_options.push_back("Acquire::X \"a\nb\""); });
  refused([](Recipe& r) { r.apt_options.push_back("Acquire::X 1"); });
  refused([](Recipe& r) { r.apt_options.push_back("Acquire::X {\"1\"}"); });
  refused([](Recipe& r) { r.disabled_units.push_back("docker.service; rm -rf /"); });
  refused([](Recipe& r) { r.disabled_units.push_back("docker"); });
  refused([](Recipe& r) { r.foreign_binaries.front().path = "/x'; reboot; '"; });
  refused([](Recipe& r) { r.foreign_binaries.front().program = "busybox;reboot"; });
  refused([](Recipe& r) { r.foreign_binaries.front().debian_arch = "amd64"; });  // its own
  refused([](Recipe& r) { r.foreign_binaries.front().debian_arch = "riscv64"; });
  refused([](Recipe& r) { r.foreign_binaries.front().package = "hello"; });  // not installed
  refused([](Recipe& r) { r.disabled_units.push_back("$(reboot).service"); });
  refused([](Recipe& r) { r.disabled_units.push_back("a b.service"); });
  refused([](Recipe& r) { r.files.push_back({"relative/path", 0644, "x", ""}); });
  refused([](Recipe& r) { r.files.push_back({"/etc/../../escape", 0644, "x", ""}); });
  refused([](Recipe& r) { r.files.push_back({"/etc/a b", 0644, "x", ""}); });
  refused([](Recipe& r) { r.files.push_back({"/etc/x\n/y", 0644, "x", ""}); });
  refused([](Recipe& r) { r.files.push_back({"/etc/", 0644, "x", ""}); });
  refused([](Recipe& r) { r.files.push_back({"/etc/x", 010000, "x", ""}); });
  refused([](Recipe& r) { r.files.push_back({"/etc/x", 0777, "", "../../host"}); });
}

TEST(Recipe, GuestFilesAreTheAgentAndChangeTheKey) {
  Recipe r = default_recipe("x86_64");
  bool has_unit = false;
  for (const GuestFile& f : r.files) has_unit |= f.path == "/etc/systemd/system/rk-agent.service";
  EXPECT_TRUE(has_unit);
  EXPECT_THAT(recipe_text(r), HasSubstr("file /usr/local/sbin/rk-agent 0755 sha256:"));
  Recipe edited = r;
  edited.files[0].content += "\n# edited\n";
  EXPECT_NE(cache_key(edited, ""), cache_key(r, ""));
  Recipe mode = r;
  mode.files[0].mode = 0700;
  EXPECT_NE(cache_key(mode, ""), cache_key(r, ""));
}

TEST(Recipe, PackageNamesAndVersionsFollowDebianPolicy) {
  EXPECT_TRUE(is_package_name("docker.io"));
  EXPECT_TRUE(is_package_name("libstdc++6"));
  EXPECT_FALSE(is_package_name("-rf"));
  EXPECT_FALSE(is_package_name("x y"));
  EXPECT_TRUE(is_debian_version("28.5.2+dfsg4-5"));
  EXPECT_TRUE(is_debian_version("1:11.1.2+ds-3"));
  EXPECT_TRUE(is_debian_version("1.0~rc1"));
  EXPECT_FALSE(is_debian_version(""));
  EXPECT_FALSE(is_debian_version("a1.0"));
  EXPECT_FALSE(is_debian_version(":1.0"));
  EXPECT_FALSE(is_debian_version("x:1.0"));
  EXPECT_FALSE(is_debian_version("1.0 sha256:00"));
  EXPECT_FALSE(is_debian_version("1.0\n"));
}

}  // namespace
}  // namespace rk::rootfs
