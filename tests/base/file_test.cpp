#include "base/file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "../child_process.hpp"
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

// Every file under `dir` (hidden ones included) with its bytes.
std::map<std::string, std::string> tree_of(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file())
      out[std::filesystem::relative(e.path(), dir).string()] = read_file(e.path().string());
  return out;
}

// Two files replaced and one created, in `dir`.
std::vector<FileReplacement> three_files(const testing::TempDir& dir) {
  return {{dir.file("a.txt"), "A new\n"},
          {dir.file("sub/b.txt"), "B new\n"},
          {dir.file("c.txt"), "C new\n"}};
}

void write_old_files(const testing::TempDir& dir) {
  dir.write("a.txt", "A old\n");
  dir.write("sub/b.txt", "B old\n");
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

// Staging a, its backup, b, its backup, c, the journal, then three renames: 9 steps.
constexpr int kSteps = 9;

TEST(WriteFilesAtomically, AFailureAtAnyStepLeavesEveryFileAsItWas) {
  for (int n = 1; n <= kSteps; ++n) {
    testing::TempDir dir;
    write_old_files(dir);
    const auto before = tree_of(dir.path());
    ScopedEnv fail("RK_TEST_FAIL_FILE_STEP", std::to_string(n));
    try {
      write_files_atomically(three_files(dir), dir.file(".journal"));
      FAIL() << "step " << n << ": no FileError";
    } catch (const FileError& e) {
      EXPECT_TRUE(e.disk_full()) << n;
      EXPECT_NE(std::string(e.what()).find("nothing was changed"), std::string::npos) << n;
    }
    EXPECT_EQ(tree_of(dir.path()), before) << "step " << n << " failed";
  }
}

TEST(WriteFilesAtomically, WritesEveryFileAndLeavesNothingBeside) {
  testing::TempDir dir;
  write_old_files(dir);
  ::chmod(dir.file("a.txt").c_str(), 0600);
  // The step after the last one: nothing fails (proves the count above covers every step).
  ScopedEnv fail("RK_TEST_FAIL_FILE_STEP", std::to_string(kSteps + 1));
  write_files_atomically(three_files(dir), dir.file(".journal"));
  std::map<std::string, std::string> want = {
      {"a.txt", "A new\n"}, {"sub/b.txt", "B new\n"}, {"c.txt", "C new\n"}};
  EXPECT_EQ(tree_of(dir.path()), want);
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("a.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_FALSE(roll_back_interrupted_write(dir.file(".journal"))) << "no journal left";
}

// Not a test on its own: the body of the child the next test kills mid-write.
TEST(WriteFilesAtomically, ChildWritesWhenAsked) {
  const char* dir = std::getenv("RK_TEST_MULTI_WRITE_DIR");
  if (!dir) return;
  std::string d = dir;
  write_files_atomically(
      {{d + "/a.txt", "A new\n"}, {d + "/sub/b.txt", "B new\n"}, {d + "/c.txt", "C new\n"}},
      d + "/.journal");
}

TEST(WriteFilesAtomically, AProcessKilledBetweenRenamesIsUndoneByTheNextRun) {
  for (int n = 7; n <= kSteps; ++n) {  // before the first, second and third rename
    testing::TempDir dir;
    write_old_files(dir);
    const auto before = tree_of(dir.path());
    pid_t pid = rk::testing::start_child(
        "/proc/self/exe", {"--gtest_filter=WriteFilesAtomically.ChildWritesWhenAsked"},
        {{"RK_TEST_MULTI_WRITE_DIR", dir.path().string()},
         {"RK_TEST_KILL_FILE_STEP", std::to_string(n)}},
        dir.path().parent_path() / (dir.path().filename().string() + ".log"));
    ASSERT_EQ(rk::testing::wait_exit(pid), 128 + SIGKILL) << n;
    if (n > 7) {
      EXPECT_EQ(read_file(dir.file("a.txt")), "A new\n") << "half written at " << n;
    }
    ASSERT_TRUE(std::filesystem::exists(dir.file(".journal"))) << n;
    EXPECT_TRUE(roll_back_interrupted_write(dir.file(".journal"))) << n;
    EXPECT_EQ(tree_of(dir.path()), before) << "killed before step " << n;
    std::filesystem::remove(dir.path().parent_path() / (dir.path().filename().string() + ".log"));
  }
}

TEST(WriteFilesAtomically, AJournalThatIsNotOneIsRefused) {
  testing::TempDir dir;
  dir.write(".journal", "something else\n");
  EXPECT_THROW(roll_back_interrupted_write(dir.file(".journal")), FileError);
  EXPECT_TRUE(std::filesystem::exists(dir.file(".journal")));
}

}  // namespace
}  // namespace rk::base
