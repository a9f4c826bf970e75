#include "image/artifacts.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "image_test_util.hpp"

namespace rk::image {
namespace {

using test::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(Artifacts, ArchitectureNames) {
  EXPECT_EQ(oci_architecture("x86_64"), "amd64");
  EXPECT_EQ(oci_architecture("arm64"), "arm64");
  EXPECT_EQ(oci_architecture("aarch64"), "arm64");
  EXPECT_EQ(oci_architecture("oci"), "");
}

TEST(Artifacts, DiscoversBranches) {
  TempDir tmp;
  test::make_artifacts(tmp.path(), "6.12", "x86_64", "6.12.9", 1700000300);
  test::make_artifacts(tmp.path(), "6.12", "arm64", "6.12.9", 1700000200);
  test::make_artifacts(tmp.path(), "6.1", "x86_64", "6.1.112");
  test::make_artifacts(tmp.path(), "6.1", "arm64", "6.1.112");
  fs::create_directories(tmp.path() / "oci" / "blobs");  // a previous layout: not a branch
  fs::create_directories(tmp.path() / "logs");
  test::write_file(tmp.path() / "README", "x");

  DiscoverOptions opts;
  opts.artifacts = tmp.path();
  std::vector<BranchInput> b = discover_branches(opts);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].branch, "6.1");
  EXPECT_EQ(b[0].kernel_version, "6.1.112");
  EXPECT_EQ(b[0].created, 1700000000);
  ASSERT_EQ(b[0].platforms.size(), 2u);
  EXPECT_EQ(b[0].platforms[0].architecture, "amd64");
  EXPECT_EQ(b[0].platforms[0].os, "linux");
  EXPECT_EQ(b[0].platforms[0].dir, tmp.path() / "6.1" / "x86_64");
  EXPECT_EQ(b[0].platforms[1].architecture, "arm64");
  EXPECT_EQ(b[1].branch, "6.12");
  EXPECT_EQ(b[1].created, 1700000300);  // the newer of the two builds

  opts.source_date_epoch = 42;
  b = discover_branches(opts);
  EXPECT_EQ(b[0].created, 42);
  EXPECT_EQ(b[1].created, 42);

  opts.branches = {"6.12"};
  b = discover_branches(opts);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].branch, "6.12");

  opts.branches = {"5.10"};
  EXPECT_THROW(discover_branches(opts), ImageError);
}

TEST(Artifacts, TimestampFallsBackToModificationTime) {
  TempDir tmp;
  fs::path x = test::make_artifacts(tmp.path(), "6.1", "x86_64", "6.1.112");
  test::write_file(x / "build-info.json", "{\"kernel_version\": \"6.1.112\"}");
  DiscoverOptions opts;
  opts.artifacts = tmp.path();
  opts.arches = {"x86_64"};
  auto t = fs::file_time_type::clock::now() - std::chrono::hours(24 * 365);
  for (const char* f : {"vmlinux.bin.zst", "config", "System.map"}) fs::last_write_time(x / f, t);
  std::vector<BranchInput> b = discover_branches(opts);
  ASSERT_EQ(b.size(), 1u);
  std::int64_t expected = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::file_clock::to_sys(t).time_since_epoch())
                              .count();
  EXPECT_EQ(b[0].created, expected);
}

TEST(Artifacts, MissingArchitecture) {
  TempDir tmp;
  test::make_artifacts(tmp.path(), "6.1", "x86_64", "6.1.112");
  DiscoverOptions opts;
  opts.artifacts = tmp.path();
  try {
    discover_branches(opts);
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr((tmp.path() / "6.1" / "arm64").string()));
    EXPECT_THAT(e.what(), HasSubstr("--arch"));
  }
  opts.arches = {"x86_64"};
  EXPECT_EQ(discover_branches(opts).size(), 1u);
  opts.arches = {"riscv64"};
  EXPECT_THROW(discover_branches(opts), ImageError);
}

TEST(Artifacts, BuildInfoErrors) {
  TempDir tmp;
  fs::path x = test::make_artifacts(tmp.path(), "6.1", "x86_64", "6.1.112");
  fs::path a = test::make_artifacts(tmp.path(), "6.1", "arm64", "6.1.113");
  DiscoverOptions opts;
  opts.artifacts = tmp.path();
  try {
    discover_branches(opts);
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr((a / "build-info.json").string()));
    EXPECT_THAT(e.what(), HasSubstr("6.1.113"));
  }
  fs::remove(a / "build-info.json");
  try {
    discover_branches(opts);
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr((a / "build-info.json").string()));
    EXPECT_THAT(e.what(), HasSubstr("missing"));
  }
  test::write_file(a / "build-info.json", "{\"version\": 1}");
  try {
    discover_branches(opts);
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("kernel_version"));
  }
  test::write_file(a / "build-info.json", "{oops");
  EXPECT_THROW(discover_branches(opts), ImageError);
}

TEST(Artifacts, NothingBuilt) {
  TempDir tmp;
  DiscoverOptions opts;
  opts.artifacts = tmp.path();
  try {
    discover_branches(opts);
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no kernel artifacts"));
  }
  opts.artifacts = tmp.path() / "absent";
  EXPECT_THROW(discover_branches(opts), ImageError);
}

// Packaging refuses a kernel unless its boot test passed on exactly the files being shipped.
TEST(Artifacts, RequiresAPassingBootTestOfTheShippedFiles) {
  TempDir tmp;
  fs::path x = test::make_artifacts(tmp.path(), "6.1", "x86_64", "6.1.112");
  DiscoverOptions opts;
  opts.artifacts = tmp.path();
  opts.arches = {"x86_64"};
  ASSERT_EQ(discover_branches(opts).size(), 1u);
  const std::string built_zst = test::read_file(x / "vmlinux.bin.zst");

  auto expect_refusal = [&](const std::string& what, const std::string& fix) {
    try {
      discover_branches(opts);
      ADD_FAILURE() << "expected ImageError mentioning " << what;
    } catch (const ImageError& e) {
      EXPECT_THAT(e.what(), HasSubstr(what));
      EXPECT_THAT(e.what(), HasSubstr(fix));
    }
  };

  test::write_boot_test(x, false, "probe overlayfs: FAIL (mount: No such device)");
  expect_refusal("6.1-x86_64 failed its boot test", "mount: No such device");

  fs::remove(x / "boot-test.json");
  expect_refusal((x / "boot-test.json").string() + ": missing", "runner-kernel test 6.1-x86_64");

  test::write_file(x / "boot-test.json", "{\"passed\": tru");
  expect_refusal("not valid JSON", "runner-kernel test 6.1-x86_64");

  test::write_file(x / "boot-test.json", "{\"passed\": true}");
  expect_refusal("not a boot-test record", "runner-kernel test");

  // Rebuilt after the test: the record no longer describes the shipped kernel.
  test::write_boot_test(x, true);
  test::write_file(x / "vmlinux.bin.zst", std::string("\x28\xb5\x2f\xfd", 4) + "rebuilt");
  expect_refusal("vmlinux.bin.zst changed after its boot test", "runner-kernel test 6.1-x86_64");

  opts.require_boot_test = false;  // --allow-untested
  EXPECT_EQ(discover_branches(opts).size(), 1u);

  opts.require_boot_test = true;
  test::write_file(x / "vmlinux.bin.zst", built_zst);
  test::write_boot_test(x, true);
  EXPECT_EQ(discover_branches(opts).size(), 1u);
}

// The image ships vmlinux.bin.zst; the test booted vmlinux (Image on arm64). A .zst that is a
// valid frame of another kernel is refused even when the record lists its own hash.
TEST(Artifacts, RefusesAZstThatIsNotTheBootedKernel) {
  for (const std::string arch : {"x86_64", "arm64"}) {
    TempDir tmp;
    fs::path dir = test::make_artifacts(tmp.path(), "6.1", arch, "6.1.112");
    DiscoverOptions opts;
    opts.artifacts = tmp.path();
    opts.arches = {arch};
    ASSERT_EQ(discover_branches(opts).size(), 1u);

    const std::string kernel = booted_kernel_name(arch);
    const std::string booted = sha256_file_hex(dir / kernel);
    const std::string other = "another kernel, never booted\n";
    test::write_file(dir / "vmlinux.bin.zst", lazy_libs::zstd_compress(other, 3, true));
    test::write_boot_test(dir, true);  // the record's vmlinux.bin.zst hash matches the swap
    try {
      discover_branches(opts);
      ADD_FAILURE() << arch << ": a swapped vmlinux.bin.zst was accepted";
    } catch (const ImageError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kNotTested);
      EXPECT_THAT(e.what(),
                  HasSubstr((dir / "vmlinux.bin.zst").string() +
                            " decompresses to a kernel with sha256 " + sha256_hex(other)));
      EXPECT_THAT(e.what(), HasSubstr("booted " + kernel + " with sha256 " + booted));
      EXPECT_THAT(e.what(), HasSubstr("runner-kernel test 6.1-" + arch));
    }
  }
}

TEST(Artifacts, RefusesAZstThatDoesNotDecompress) {
  TempDir tmp;
  fs::path dir = test::make_artifacts(tmp.path(), "6.1", "x86_64", "6.1.112");
  test::write_file(dir / "vmlinux.bin.zst", std::string("\x28\xb5\x2f\xfd", 4) + "garbage");
  test::write_boot_test(dir, true);
  DiscoverOptions opts;
  opts.artifacts = tmp.path();
  opts.arches = {"x86_64"};
  try {
    discover_branches(opts);
    ADD_FAILURE() << "a broken vmlinux.bin.zst was accepted";
  } catch (const ImageError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kArtifacts);
    EXPECT_THAT(e.what(), HasSubstr("vmlinux.bin.zst: not a zstd frame"));
  }
}

TEST(Artifacts, RefusesARecordWithoutTheBootedKernel) {
  TempDir tmp;
  fs::path dir = test::make_artifacts(tmp.path(), "6.1", "x86_64", "6.1.112");
  fs::remove(dir / "vmlinux");
  test::write_boot_test(dir, true);  // records the layer files only
  DiscoverOptions opts;
  opts.artifacts = tmp.path();
  opts.arches = {"x86_64"};
  try {
    discover_branches(opts);
    ADD_FAILURE() << "a record without the booted kernel was accepted";
  } catch (const ImageError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotTested);
    EXPECT_THAT(e.what(), HasSubstr("records no sha256 of vmlinux"));
  }
}

TEST(Artifacts, SourceDateEpoch) {
  EXPECT_EQ(parse_source_date_epoch(nullptr), std::nullopt);
  EXPECT_EQ(parse_source_date_epoch(""), std::nullopt);
  EXPECT_EQ(parse_source_date_epoch("1700000000"), 1700000000);
  EXPECT_THROW(parse_source_date_epoch("yesterday"), ImageError);
  EXPECT_THROW(parse_source_date_epoch("-1"), ImageError);
}

}  // namespace
}  // namespace rk::image
