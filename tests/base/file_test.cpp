#include "base/file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include "../temp_dir.hpp"

namespace rk::base {
namespace {

TEST(ReadFile, ReturnsTheBytesAndNamesTheFileWhenMissing) {
  testing::TempDir dir;
  dir.write("a.txt", std::string("one\0two\n", 8));
  EXPECT_EQ(read_file(dir.file("a.txt")), std::string("one\0two\n", 8));
  try {
    read_file(dir.file("missing.txt"));
    FAIL() << "no FileError";
  } catch (const FileError& e) {
    EXPECT_EQ(e.error_number(), ENOENT);
    EXPECT_EQ(e.path(), dir.file("missing.txt"));
    EXPECT_NE(std::string(e.what()).find("missing.txt"), std::string::npos);
  }
  EXPECT_FALSE(read_file_if_readable(dir.file("missing.txt")));
  EXPECT_FALSE(read_file_if_readable(dir.path().string())) << "a directory is not a file";
  EXPECT_EQ(read_file_if_readable(dir.file("a.txt")).value_or(""), std::string("one\0two\n", 8));
}

TEST(WriteFileAtomically, ReplacesKeepsTheModeAndLeavesNoTemporaryFile) {
  testing::TempDir dir;
  const std::string path = dir.file("sub/dir/out.txt");
  write_file_atomically(path, "first\n");
  EXPECT_EQ(read_file(path), "first\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);

  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  write_file_atomically(path, "second\n");
  EXPECT_EQ(read_file(path), "second\n");
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u) << "an existing file keeps its mode";

  write_file_atomically(dir.file("script"), "#!/bin/sh\n", {.new_file_mode = 0755});
  ASSERT_EQ(::stat(dir.file("script").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);

  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.file("sub/dir")))
    ++entries;
  EXPECT_EQ(entries, 1u) << "the temporary file was renamed, not left beside";
}

TEST(WriteFileAtomically, FailureThrowsNamingTheFileAndKeepsTheOldContent) {
  testing::TempDir dir;
  const std::string path = dir.file("out.txt");
  write_file_atomically(path, "kept\n");
  // A directory where the file should go: the rename fails.
  std::filesystem::create_directory(dir.file("blocked"));
  try {
    write_file_atomically(dir.file("blocked"), "x", {});
    FAIL() << "no FileError";
  } catch (const FileError& e) {
    EXPECT_EQ(e.path(), dir.file("blocked"));
    EXPECT_NE(std::string(e.what()).find("blocked"), std::string::npos);
  }
  try {
    write_file_atomically(dir.file("no/such/dir/f"), "x", {.create_directories = false});
    FAIL() << "no FileError";
  } catch (const FileError& e) {
    EXPECT_EQ(e.error_number(), ENOENT);
  }
  EXPECT_EQ(read_file(path), "kept\n");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 2u) << "out.txt and blocked/, no temporary file";
}

TEST(WriteFileIfChanged, LeavesAnEqualFileAloneAndKeepsThePreviousOneOnRequest) {
  testing::TempDir dir;
  const std::string path = dir.file(".config");
  EXPECT_TRUE(write_file_if_changed(path, "A=1\n"));
  EXPECT_FALSE(write_file_if_changed(path, "A=1\n"));
  EXPECT_FALSE(std::filesystem::exists(path + ".old"));
  EXPECT_TRUE(write_file_if_changed(path, "A=2\n", {.keep_previous_as = path + ".old"}));
  EXPECT_EQ(read_file(path), "A=2\n");
  EXPECT_EQ(read_file(path + ".old"), "A=1\n");
}

}  // namespace
}  // namespace rk::base
