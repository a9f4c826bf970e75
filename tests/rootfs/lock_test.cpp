#include "rootfs/lock.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rootfs/recipe.hpp"

namespace rk::rootfs {
namespace {

using ::testing::HasSubstr;

const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

std::string message_of(const std::string& text) {
  try {
    parse_lock(text, "x86_64.lock");
  } catch (const RootfsError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Lock, ParsesEntriesCommentsAndBlankLines) {
  Lock lock = parse_lock("# header\n\ndocker.io:amd64=28.5.2+dfsg4-5 sha256:" + kHashA +
                             "\r\nbase-files:all=14 sha256:" + kHashB,
                         "x.lock");
  ASSERT_EQ(lock.size(), 2u);
  EXPECT_EQ(lock["docker.io:amd64"].version, "28.5.2+dfsg4-5");
  EXPECT_EQ(lock["docker.io:amd64"].sha256, kHashA);
  EXPECT_EQ(lock["base-files:all"].version, "14");
}

TEST(Lock, FormatParsesBackToTheSameLock) {
  Lock lock{{"qemu-user:amd64", {"1:11.1.2+ds-3", kHashA}}, {"curl:amd64", {"8.22.0-1", kHashB}}};
  std::string text = format_lock(lock, "x86_64");
  EXPECT_THAT(text, HasSubstr("--update"));
  EXPECT_THAT(text, HasSubstr("curl:amd64=8.22.0-1 sha256:" + kHashB + "\n"));
  EXPECT_EQ(parse_lock(text, "x").size(), 2u);
  EXPECT_EQ(parse_lock(text, "x")["qemu-user:amd64"].version, "1:11.1.2+ds-3");
  // Sorted by name: curl before qemu-user.
  EXPECT_LT(text.find("curl:"), text.find("qemu-user:"));
}

TEST(Lock, MalformedLinesAreRefusedWithTheirLineNumber) {
  EXPECT_THAT(message_of("# ok\ncurl:amd64 8.22.0-1"), HasSubstr("x86_64.lock:2: expected"));
  EXPECT_THAT(message_of("curl=8.22.0-1 sha256:" + kHashA), HasSubstr(":1: bad package name"));
  EXPECT_THAT(message_of("Curl:amd64=8.22.0-1 sha256:" + kHashA), HasSubstr("bad package name"));
  EXPECT_THAT(message_of("curl:amd64=v8 sha256:" + kHashA), HasSubstr("bad version 'v8'"));
  EXPECT_THAT(message_of("curl:amd64=8.22.0-1 md5:" + kHashA), HasSubstr("bad checksum"));
  EXPECT_THAT(message_of("curl:amd64=8.22.0-1 sha256:" + kHashA.substr(1)),
              HasSubstr("bad checksum"));
  EXPECT_THAT(message_of("curl:amd64=8.22.0-1 sha256:" + std::string(64, 'A')),
              HasSubstr("bad checksum"));
  EXPECT_THAT(message_of("curl:amd64=8.22.0-1 sha256:" + kHashA + " extra"), HasSubstr("expected"));
  EXPECT_THAT(
      message_of("curl:amd64=8.22.0-1 sha256:" + kHashA + "\ncurl:amd64=8.22.0-2 sha256:" + kHashB),
      HasSubstr(":2: curl:amd64 is listed twice"));
  // A space before '=' would split the name.
  EXPECT_THAT(message_of("curl :amd64=8.22.0-1 sha256:" + kHashA), HasSubstr("expected"));
}

TEST(Lock, FormatRefusesFieldsThatWouldInjectLines) {
  EXPECT_THROW(format_lock({{"curl:amd64\nevil:amd64", {"1.0", kHashA}}}, "x86_64"), RootfsError);
  EXPECT_THROW(format_lock({{"curl:amd64", {"1.0\nevil:amd64=2", kHashA}}}, "x86_64"), RootfsError);
  EXPECT_THROW(format_lock({{"curl:amd64", {"1.0 x", kHashA}}}, "x86_64"), RootfsError);
  EXPECT_THROW(format_lock({{"curl:amd64", {"1.0", "abc"}}}, "x86_64"), RootfsError);
  EXPECT_THROW(format_lock({{"curl", {"1.0", kHashA}}}, "x86_64"), RootfsError);
}

TEST(Lock, CompareFindsChangedAddedRemovedAndRehashed) {
  Lock locked{{"a:amd64", {"1.0", kHashA}},
              {"b:amd64", {"2.0", kHashA}},
              {"c:all", {"3.0", kHashA}},
              {"d:amd64", {"4.0", kHashA}}};
  Lock offered{{"a:amd64", {"1.0", kHashA}},
               {"b:amd64", {"2.1", kHashB}},
               {"c:all", {"3.0", kHashB}},
               {"e:amd64", {"5.0", kHashA}}};
  std::vector<LockChange> changes = compare_lock(locked, offered);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].package, "b:amd64");
  EXPECT_EQ(changes[0].locked, "2.0");
  EXPECT_EQ(changes[0].offered, "2.1");
  EXPECT_EQ(changes[1].package, "c:all");
  EXPECT_TRUE(changes[1].same_version_other_hash);
  EXPECT_EQ(changes[2].package, "d:amd64");
  EXPECT_EQ(changes[2].offered, "");
  EXPECT_EQ(changes[3].package, "e:amd64");
  EXPECT_EQ(changes[3].locked, "");
  EXPECT_TRUE(compare_lock(locked, locked).empty());

  std::string message = refusal_message(changes, "x86_64", "rootfs/x86_64.lock");
  EXPECT_THAT(message, HasSubstr("b:amd64: locked 2.0, offered 2.1"));
  EXPECT_THAT(message, HasSubstr("c:all: version 3.0 locked, but the mirror's .deb has another"));
  EXPECT_THAT(message, HasSubstr("d:amd64: locked 4.0, no longer installed"));
  EXPECT_THAT(message, HasSubstr("e:amd64: not locked, offered 5.0"));
  EXPECT_THAT(message, HasSubstr("runner-kernel rootfs --arch x86_64 --update"));
  EXPECT_THAT(message, HasSubstr("commit rootfs/x86_64.lock"));
  EXPECT_THAT(refusal_message(changes, "arm64", "/l/arm64.lock",
                              "runner-kernel rootfs --arch arm64 --lock-dir /l --update"),
              HasSubstr("\n  runner-kernel rootfs --arch arm64 --lock-dir /l --update\n"));
}

const char* kStatus =
    "Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 8.22.0-1\n"
    "Description: a tool\n continued line: with a colon\n\n"
    "Package: removed-one\nStatus: deinstall ok config-files\nArchitecture: amd64\n"
    "Version: 1.0\n\n"
    "Package: base-files\nStatus: install ok installed\nArchitecture: all\nVersion: 14\n";

TEST(Lock, InstalledPackagesComeFromDpkgStatusWithIndexHashes) {
  std::string index = "Package: curl\nVersion: 8.22.0-1\nArchitecture: amd64\nSHA256: " + kHashA +
                      "\n\nPackage: curl\nVersion: 8.21.0-1\nArchitecture: amd64\n" +
                      "SHA256: " + kHashB + "\n";
  std::string index_all =
      "Package: base-files\nVersion: 14\nArchitecture: all\nSHA256: " + kHashB + "\n";
  Lock lock = installed_packages(kStatus, {index, index_all});
  ASSERT_EQ(lock.size(), 2u);  // the deinstalled package is not in it
  EXPECT_EQ(lock["curl:amd64"].version, "8.22.0-1");
  EXPECT_EQ(lock["curl:amd64"].sha256, kHashA);
  EXPECT_EQ(lock["base-files:all"].sha256, kHashB);
}

TEST(Lock, InstalledPackageWithoutIndexEntryOrWithBadFieldsIsAnError) {
  std::string index = "Package: curl\nVersion: 8.22.0-1\nArchitecture: amd64\nSHA256: " + kHashA;
  try {
    installed_packages(kStatus, {index});
    FAIL() << "base-files has no index entry";
  } catch (const RootfsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("base-files:all=14 has no entry"));
  }
  // An index entry with a malformed hash does not count as one.
  std::string bad_hash = "Package: curl\nVersion: 8.22.0-1\nArchitecture: amd64\nSHA256: zz";
  std::string status =
      "Package: curl\nStatus: install ok installed\nArchitecture: amd64\n"
      "Version: 8.22.0-1\n";
  EXPECT_THROW(installed_packages(status, {bad_hash}), RootfsError);
  EXPECT_EQ(installed_packages(status, {index}).size(), 1u);
  std::string bad_version =
      "Package: curl\nStatus: install ok installed\nArchitecture: amd64\n"
      "Version: 8.22 sha256:x\n";
  EXPECT_THROW(installed_packages(bad_version, {index}), RootfsError);
  EXPECT_THROW(installed_packages(status + "\n" + status, {index}), RootfsError);
  EXPECT_THROW(installed_packages("", {index}), RootfsError);
}

}  // namespace
}  // namespace rk::rootfs
