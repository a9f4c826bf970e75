// Archives that are not what a kernel tree is, extracted as root would extract them: each is
// refused with the entry named (or its mode clamped), nothing is kept, the download is deleted
// and no pin is recorded, so a crafted tarball can neither plant something in the cache nor
// leave a pin behind that the next run would trust.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "source/archive.hpp"
#include "source/fetch.hpp"
#include "source/util.hpp"
#include "source_test_util.hpp"

namespace rk::source {
namespace {

using namespace testing;
using ::testing::HasSubstr;

class HostileArchive : public ::testing::Test {
 protected:
  // Extracts a tarball of a minimal tree plus `extra` into a fresh directory.
  ExtractResult extract(const std::vector<RawEntry>& extra) {
    std::vector<RawEntry> entries = kernel_entries();
    entries.insert(entries.end(), extra.begin(), extra.end());
    fs::path tarball = cache_.dir() / "crafted.tar.xz";
    spit(tarball, make_raw_tarball(entries));
    dest_ = cache_.dir() / "dest";
    fs::remove_all(dest_);
    fs::create_directories(dest_);
    ExtractOptions o;
    o.log = nullptr;
    return extract_archive(tarball.string(), dest_.string(), o);
  }

  std::string refusal(const std::vector<RawEntry>& extra) {
    try {
      extract(extra);
    } catch (const SourceError& e) {
      return e.what();
    }
    ADD_FAILURE() << "the archive was accepted";
    return "";
  }

  TempCache cache_;
  fs::path dest_;
};

TEST_F(HostileArchive, DeviceNodesFifosAndSocketsAreRefusedByName) {
  EXPECT_THAT(refusal({{"linux-6.1.192/dev/null", AE_IFCHR, 0666}}),
              HasSubstr("'linux-6.1.192/dev/null', a character device"));
  EXPECT_THAT(refusal({{"linux-6.1.192/sda", AE_IFBLK, 0660}}),
              HasSubstr("'linux-6.1.192/sda', a block device"));
  EXPECT_THAT(refusal({{"linux-6.1.192/pipe", AE_IFIFO, 0644}}),
              HasSubstr("'linux-6.1.192/pipe', a FIFO"));
}

TEST_F(HostileArchive, SymlinksLeavingTheTreeAreRefused) {
  EXPECT_THAT(refusal({{"linux-6.1.192/shadow", AE_IFLNK, 0777, "", "/etc/shadow"}}),
              HasSubstr("symlink 'linux-6.1.192/shadow' -> '/etc/shadow' that leaves the tree"));
  EXPECT_THAT(refusal({{"linux-6.1.192/up", AE_IFLNK, 0777, "", "../../etc"}}),
              HasSubstr("'linux-6.1.192/up' -> '../../etc'"));
  // Into another top-level directory of the archive is outside the tree too.
  EXPECT_THAT(refusal({{"linux-6.1.192/sib", AE_IFLNK, 0777, "", "../other"}}),
              HasSubstr("leaves the tree"));
}

TEST_F(HostileArchive, SymlinksInsideTheTreeAreKept) {
  extract({{"linux-6.1.192/scripts/link", AE_IFLNK, 0777, "", "../drivers/foo.c"}});
  fs::path link = dest_ / "linux-6.1.192" / "scripts" / "link";
  ASSERT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::read_symlink(link), "../drivers/foo.c");
}

TEST_F(HostileArchive, ModesAreClampedToNoSetuidAndNothingWorldWritable) {
  extract({{"linux-6.1.192/suid", AE_IFREG, 04755, "x"},
           {"linux-6.1.192/sgid", AE_IFREG, 02755, "x"},
           {"linux-6.1.192/open", AE_IFREG, 0777, "x"},
           {"linux-6.1.192/opendir", AE_IFDIR, 01777}});
  auto mode = [&](const char* name) {
    struct stat st {};
    EXPECT_EQ(::lstat((dest_ / "linux-6.1.192" / name).c_str(), &st), 0) << name;
    return st.st_mode & 07777;
  };
  EXPECT_EQ(mode("suid"), 0755u);
  EXPECT_EQ(mode("sgid"), 0755u);
  EXPECT_EQ(mode("open"), 0755u);
  EXPECT_EQ(mode("opendir"), 0755u);
  EXPECT_EQ(mode("Makefile"), 0644u);
}

// Kept from before: climbing paths, absolute paths, escaping hard links and writes through a
// symlink are refused.
TEST_F(HostileArchive, EscapingPathsAndLinksAreRefused) {
  EXPECT_THAT(refusal({{"linux-6.1.192/../../evil", AE_IFREG, 0644, "x"}}),
              HasSubstr("unsafe path"));
  EXPECT_THAT(refusal({{"/tmp/evil", AE_IFREG, 0644, "x"}}), HasSubstr("unsafe path"));
  EXPECT_THAT(refusal({{"linux-6.1.192/hl", AE_IFREG, 0644, "", "", "../../etc/passwd"}}),
              HasSubstr("unsafe link"));
  // A link inside the tree to a directory, then a file written through it.
  EXPECT_FALSE(refusal({{"linux-6.1.192/via", AE_IFLNK, 0777, "", "drivers"},
                        {"linux-6.1.192/via/planted.c", AE_IFREG, 0644, "x"}})
                   .empty());
  EXPECT_FALSE(fs::exists(dest_ / "linux-6.1.192" / "drivers" / "planted.c"));
}

// Through fetch: the crafted tarball is refused, nothing is installed, the download is deleted
// and the empty pin stays empty (no stuck "matches the pin" loop on the next run).
TEST_F(HostileArchive, FetchDeletesTheDownloadAndRecordsNoPin) {
  HttpServer server;
  std::vector<RawEntry> entries = kernel_entries();
  entries.push_back({"linux-6.1.192/dev/kmem", AE_IFCHR, 0666});
  server.serve("/v6.x/linux-6.1.192.tar.xz", make_raw_tarball(entries));
  std::string text = slurp(fs::path(RK_FIXTURES) / "variants.toml");
  text = replace_all(text, "@BASE@", server.base());
  text = replace_all(text, "@DEBSHA@", "");
  text = replace_all(text, "@PATCHES@", "");
  fs::path matrix = cache_.dir() / "checkout" / "variants.toml";
  spit(matrix, text);
  variants::Matrix m = variants::Matrix::load(matrix.string());
  FetchOptions o;
  o.log = nullptr;
  o.from = "tarball";
  // No signed sha256sums.asc here: trusted on first use, so that extraction is what refuses it.
  o.trust_on_first_use = true;
  try {
    fetch_branch(m, *m.find_branch("6.1"), o);
    FAIL() << "the crafted tarball was installed";
  } catch (const SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("linux-6.1.192/dev/kmem"));
  }
  EXPECT_EQ(slurp(matrix), text) << "a pin was recorded for a rejected archive";
  EXPECT_FALSE(fs::exists(cache_.cache() / "downloads" / "linux-6.1.192.tar.xz"));
  EXPECT_FALSE(read_marker("6.1.192", "tarball"));
  EXPECT_FALSE(fs::exists(cache_.cache() / "sources" / "6.1.192-tarball"));
}

}  // namespace
}  // namespace rk::source
