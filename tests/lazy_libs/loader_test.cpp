// The libraries runner-kernel loads on first use: what a missing one says, that the real ones
// load with every function bound, and that the executable does not link them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "../temp_dir.hpp"
#include "lazy_libs/libarchive.hpp"
#include "lazy_libs/libcrypto.hpp"
#include "lazy_libs/libcurl.hpp"
#include "lazy_libs/sha256.hpp"
#include "lazy_libs/shared_library.hpp"
#include "lazy_libs/zstd.hpp"

namespace rk::lazy_libs {
namespace {

using ::testing::HasSubstr;

// The message of the LibraryLoadError `load` throws, or "" when it throws none.
template <typename Load>
std::string load_error(Load load) {
  try {
    load();
  } catch (const LibraryLoadError& e) {
    return e.what();
  }
  return "";
}

TEST(LibcurlLoader, MissingLibraryNamesItAndItsDebianPackage) {
  std::string message = load_error([] { load_libcurl("libcurl.so.0-rk-missing"); });
  EXPECT_THAT(message, HasSubstr("cannot load libcurl"));
  EXPECT_THAT(message, HasSubstr("libcurl.so.0-rk-missing"));  // dlerror() names the file
  EXPECT_THAT(message, HasSubstr("install the Debian package libcurl4"));
}

TEST(LibarchiveLoader, MissingLibraryNamesItAndItsDebianPackage) {
  std::string message = load_error([] { load_libarchive("libarchive.so.0-rk-missing"); });
  EXPECT_THAT(message, HasSubstr("cannot load libarchive"));
  EXPECT_THAT(message, HasSubstr("libarchive.so.0-rk-missing"));
  EXPECT_THAT(message, HasSubstr("install the Debian package libarchive13"));
}

TEST(LibcryptoLoader, MissingLibraryNamesItAndItsDebianPackage) {
  std::string message = load_error([] { load_libcrypto("libcrypto.so.0-rk-missing"); });
  EXPECT_THAT(message, HasSubstr("cannot load libcrypto"));
  EXPECT_THAT(message, HasSubstr("libcrypto.so.0-rk-missing"));
  EXPECT_THAT(message, HasSubstr("install the Debian package libssl3"));
}

TEST(LibzstdLoader, MissingLibraryNamesItAndItsDebianPackage) {
  std::string message = load_error([] { load_libzstd("libzstd.so.0-rk-missing"); });
  EXPECT_THAT(message, HasSubstr("cannot load libzstd"));
  EXPECT_THAT(message, HasSubstr("libzstd.so.0-rk-missing"));
  EXPECT_THAT(message, HasSubstr("install the Debian package libzstd1"));
}

TEST(SharedLibrary, MissingFunctionNamesIt) {
  SharedLibrary libc({"libc", "libc.so.6", "libc6"});
  void (*fn)() = nullptr;
  std::string message = load_error([&] { libc.bind(fn, "rk_no_such_function"); });
  EXPECT_THAT(message, HasSubstr("libc (libc.so.6) has no rk_no_such_function"));
  EXPECT_THAT(message, HasSubstr("libc6"));
  EXPECT_EQ(fn, nullptr);
}

// Binding every function of the real libraries catches a misspelt or missing symbol.
TEST(LibcurlLoader, LoadsTheLibraryTheBuildFound) {
  const Libcurl& curl = libcurl();
  EXPECT_STREQ(curl.curl_easy_strerror(CURLE_OK), "No error");
  EXPECT_EQ(&libcurl(), &curl);  // loaded once
  CURL* handle = curl.curl_easy_init();
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(curl.curl_easy_setopt(handle, CURLOPT_URL, "http://127.0.0.1:1/"), CURLE_OK);
  curl.curl_easy_cleanup(handle);
}

TEST(LibarchiveLoader, LoadsTheLibraryTheBuildFound) {
  const Libarchive& la = libarchive();
  EXPECT_EQ(&libarchive(), &la);
  struct archive* a = la.archive_write_new();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(la.archive_write_set_format_ustar(a), ARCHIVE_OK);
  EXPECT_EQ(la.archive_write_free(a), ARCHIVE_OK);
}

// What sha256sum(1) prints for `path`.
std::string sha256sum(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(("sha256sum '" + path + "'").c_str(), "r"),
                                          ::pclose);
  char line[256] = {};
  if (!p || !std::fgets(line, sizeof line, p.get())) return "(sha256sum failed)";
  return std::string(line).substr(0, 64);
}

TEST(Sha256, AgreesWithSha256sum) {
  EXPECT_EQ(&libcrypto(), &libcrypto());  // loaded once
  rk::testing::TempDir dir("rk-sha256");
  dir.write("empty", "");
  dir.write("abc", "abc");
  std::string big(3 << 20, 'x');  // crosses the 1 MiB read buffer
  big[12345] = '\n';
  dir.write("big", big);
  EXPECT_EQ(sha256_hex(""), sha256sum(dir.file("empty")));
  EXPECT_EQ(sha256_hex("abc"), sha256sum(dir.file("abc")));
  Sha256 pieces;
  pieces.update("a", 1);
  pieces.update(std::string_view("bc"));
  EXPECT_EQ(pieces.hex(), sha256sum(dir.file("abc")));
  EXPECT_EQ(sha256_file_hex(dir.file("big")), sha256sum(dir.file("big")));
  EXPECT_EQ(sha256_hex(big), sha256sum(dir.file("big")));
  EXPECT_NE(sha256_hex("abd"), sha256sum(dir.file("abc")));
  EXPECT_THROW(sha256_file_hex(dir.file("absent")), std::system_error);
}

// Frames zstd(1) reads back, and zstd(1)'s frames read back; a damaged frame is an error.
TEST(Zstd, RoundTripsAndAgreesWithTheZstdTool) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += "line " + std::to_string(i % 977) + "\n";
  for (bool checksum : {false, true}) {
    std::string frame = zstd_compress(data, 19, checksum);
    EXPECT_LT(frame.size(), data.size() / 10);
    EXPECT_EQ(zstd_decompress(frame), data);
    EXPECT_EQ(zstd_compress(data, 19, checksum), frame);  // deterministic
  }
  EXPECT_THROW(zstd_decompress("not zstd at all"), ZstdError);
  std::string frame = zstd_compress(data, 3, true);
  frame[frame.size() / 2] ^= 0x55;
  EXPECT_THROW(zstd_decompress(frame), ZstdError);
  if (std::system("command -v zstd >/dev/null 2>&1") != 0) return;  // the tool is optional
  rk::testing::TempDir dir("rk-zstd");
  dir.write("ours.zst", zstd_compress(data, 9, true));
  dir.write("plain", data);
  ASSERT_EQ(
      std::system(
          ("zstd -q -d -c '" + dir.file("ours.zst") + "' > '" + dir.file("back") + "'").c_str()),
      0);
  EXPECT_EQ(dir.read("back"), data);
  ASSERT_EQ(
      std::system(
          ("zstd -q -c '" + dir.file("plain") + "' > '" + dir.file("theirs.zst") + "'").c_str()),
      0);
  EXPECT_EQ(zstd_decompress(dir.read("theirs.zst")), data);
}

// The NEEDED entries of an ELF file's dynamic section, as readelf prints them.
std::vector<std::string> needed_libraries(const std::string& file) {
  std::string command = std::string("LC_ALL=C ") + RK_READELF + " -d '" + file + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return {};
  std::string output;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) output.append(buf.data(), n);
  std::vector<std::string> needed;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    // " 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]"
    if (line.find("(NEEDED)") == std::string::npos) continue;
    size_t open = line.find('[');
    size_t close = line.find(']', open);
    if (open != std::string::npos && close != std::string::npos)
      needed.push_back(line.substr(open + 1, close - open - 1));
  }
  return needed;
}

// What the lazy loading is for: a run of runner-kernel that needs none of the libraries does
// not load them (and their ~35 dependencies). A direct link anywhere in the CLI's link line would
// bring them back as NEEDED entries.
TEST(RunnerKernelExecutable, LinksNoneOfTheLazyLibraries) {
  std::vector<std::string> needed = needed_libraries(RK_CLI);
  ASSERT_THAT(needed, ::testing::Contains(HasSubstr("libc.so"))) << "readelf -d " << RK_CLI;
  for (const std::string& lib : needed) {
    EXPECT_THAT(lib, ::testing::Not(::testing::StartsWith("libcurl")));
    EXPECT_THAT(lib, ::testing::Not(::testing::StartsWith("libarchive")));
    EXPECT_THAT(lib, ::testing::Not(::testing::StartsWith("libcrypto")));
    EXPECT_THAT(lib, ::testing::Not(::testing::StartsWith("libzstd")));
  }
}

}  // namespace
}  // namespace rk::lazy_libs
