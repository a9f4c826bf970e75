#include "vmtest/cpio.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

namespace rk::vmtest {
namespace {

std::vector<CpioEntry> sample_entries() {
  CpioEntry dir;
  dir.name = "dev";
  dir.mode = S_IFDIR | 0755;
  dir.nlink = 2;
  CpioEntry console;
  console.name = "dev/console";
  console.mode = S_IFCHR | 0600;
  console.rdev_major = 5;
  console.rdev_minor = 1;
  CpioEntry file;
  file.name = "init";
  file.mode = S_IFREG | 0755;
  file.data = "12345";  // odd size: needs data padding
  CpioEntry link;
  link.name = "bin";
  link.mode = S_IFLNK | 0777;
  link.data = "usr/bin";
  return {dir, console, file, link};
}

TEST(Cpio, RoundTripKeepsNamesModesSizesAndDevices) {
  auto entries = sample_entries();
  std::string bytes = write_cpio_newc(entries);
  CpioArchive back = parse_cpio_newc(bytes);
  ASSERT_EQ(back.error, "");
  EXPECT_TRUE(back.has_trailer);
  ASSERT_EQ(back.entries.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(back.entries[i].name, entries[i].name);
    EXPECT_EQ(back.entries[i].mode, entries[i].mode) << entries[i].name;
    EXPECT_EQ(back.entries[i].data, entries[i].data) << entries[i].name;
    EXPECT_EQ(back.entries[i].nlink, entries[i].nlink) << entries[i].name;
    EXPECT_EQ(back.entries[i].rdev_major, entries[i].rdev_major) << entries[i].name;
    EXPECT_EQ(back.entries[i].rdev_minor, entries[i].rdev_minor) << entries[i].name;
    EXPECT_EQ(back.entries[i].mtime, 0u);
    EXPECT_EQ(back.entries[i].uid, 0u);
  }
}

TEST(Cpio, RecordsAreFourByteAlignedAndEndWithTrailer) {
  std::string bytes = write_cpio_newc(sample_entries());
  EXPECT_EQ(bytes.size() % 4, 0u);
  EXPECT_EQ(bytes.substr(0, 6), "070701");
  // Every header starts at a multiple of 4.
  size_t count = 0;
  for (size_t pos = bytes.find("070701"); pos != std::string::npos;
       pos = bytes.find("070701", pos + 1)) {
    EXPECT_EQ(pos % 4, 0u) << "header at " << pos;
    ++count;
  }
  EXPECT_EQ(count, 5u);  // four entries + trailer
  size_t trailer = bytes.rfind("TRAILER!!!");
  ASSERT_NE(trailer, std::string::npos);
  EXPECT_EQ(bytes.substr(trailer - 110, 6), "070701");
  // The trailer's namesize field is 11 ("TRAILER!!!" + NUL).
  EXPECT_EQ(bytes.substr(trailer - 110 + 6 + 8 * 11, 8), "0000000B");
}

TEST(Cpio, HeaderFieldsAreHex) {
  CpioEntry file;
  file.name = "ab";
  file.mode = S_IFREG | 0644;
  file.data = std::string(300, 'x');
  std::string bytes = write_cpio_newc({file});
  EXPECT_EQ(bytes.substr(6, 8), "00000001");           // ino
  EXPECT_EQ(bytes.substr(6 + 8, 8), "000081A4");       // mode 0100644
  EXPECT_EQ(bytes.substr(6 + 8 * 6, 8), "0000012C");   // filesize 300
  EXPECT_EQ(bytes.substr(6 + 8 * 11, 8), "00000003");  // namesize "ab\0"
  EXPECT_EQ(bytes.substr(110, 3), std::string("ab\0", 3));
  EXPECT_EQ(bytes.substr(113, 3), std::string("\0\0\0", 3));  // 110 + 3 padded to 116
  EXPECT_EQ(bytes.substr(116, 3), "xxx");
}

TEST(Cpio, IsDeterministic) {
  std::string probe(100000, '\0');
  for (size_t i = 0; i < probe.size(); ++i) probe[i] = static_cast<char>(i * 7 % 251);
  EXPECT_EQ(write_cpio_newc(probe_initramfs_entries(probe)),
            write_cpio_newc(probe_initramfs_entries(probe)));
  std::string a = build_probe_initramfs(probe);
  std::string b = build_probe_initramfs(probe);
  EXPECT_EQ(a, b);
  EXPECT_LT(a.size(), probe.size());
}

TEST(Cpio, ProbeInitramfsHasInitAndConsole) {
  std::string initramfs = build_probe_initramfs(
      "\x7f"
      "ELF fake probe");
  // zstd frame magic 28 B5 2F FD.
  ASSERT_GE(initramfs.size(), 4u);
  EXPECT_EQ(initramfs.substr(0, 4), "\x28\xb5\x2f\xfd");
  CpioArchive archive = parse_cpio_newc(zstd_decompress(initramfs));
  ASSERT_EQ(archive.error, "");
  ASSERT_TRUE(archive.has_trailer);
  bool init = false, console = false;
  std::vector<std::string> dirs;
  for (const auto& e : archive.entries) {
    if (e.name == "init") {
      init = true;
      EXPECT_EQ(e.mode, static_cast<uint32_t>(S_IFREG | 0755));
      EXPECT_EQ(e.data,
                "\x7f"
                "ELF fake probe");
    }
    if (e.name == "dev/console") {
      console = true;
      EXPECT_TRUE(S_ISCHR(e.mode));
      EXPECT_EQ(e.rdev_major, 5u);
      EXPECT_EQ(e.rdev_minor, 1u);
    }
    if (S_ISDIR(e.mode)) dirs.push_back(e.name);
    EXPECT_NE(e.name.front(), '/');
  }
  EXPECT_TRUE(init);
  EXPECT_TRUE(console);
  for (const char* d : {"dev", "proc", "sys", "mnt", "tmp"}) {
    EXPECT_NE(std::find(dirs.begin(), dirs.end(), d), dirs.end()) << d;
  }
  // Parents come before children (the kernel creates entries in archive order).
  EXPECT_LT(std::find(dirs.begin(), dirs.end(), "dev") - dirs.begin(), 1);
}

TEST(Cpio, ParserRejectsDamagedArchives) {
  std::string bytes = write_cpio_newc(sample_entries());
  // Truncated in the middle: no trailer, an error.
  CpioArchive cut = parse_cpio_newc(bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(cut.has_trailer);
  EXPECT_NE(cut.error, "");
  // Bad magic.
  std::string bad = bytes;
  bad[0] = '1';
  EXPECT_NE(parse_cpio_newc(bad).error, "");
  // Bad hex digit in a field.
  bad = bytes;
  bad[8] = 'Z';
  EXPECT_NE(parse_cpio_newc(bad).error, "");
  // A misaligned record: one byte shifted in front.
  EXPECT_NE(parse_cpio_newc(std::string(1, '\0') + bytes).error, "");
}

TEST(Cpio, ZstdRejectsCorruptFrames) {
  std::string frame = zstd_compress(std::string(1000, 'a'));
  EXPECT_EQ(zstd_decompress(frame), std::string(1000, 'a'));
  EXPECT_THROW(zstd_decompress("not zstd at all"), std::runtime_error);
}

}  // namespace
}  // namespace rk::vmtest
