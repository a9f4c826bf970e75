#include <archive.h>
#include <archive_entry.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "../rk_skip.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "image/artifacts.hpp"
#include "image/oci.hpp"
#include "image/process.hpp"
#include "image_test_util.hpp"

namespace rk::image {
namespace {

using nlohmann::json;
using test::read_file;
using test::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string gunzip(const std::string& data) {
  struct archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_raw(a);
  EXPECT_EQ(archive_read_open_memory(a, data.data(), data.size()), ARCHIVE_OK);
  struct archive_entry* e = nullptr;
  std::string out;
  if (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  archive_read_free(a);
  return out;
}

struct TarEntry {
  std::string name, data;
  int64_t mtime = 0, uid = -1, gid = -1;
  int perm = 0, type = 0;
};

std::vector<TarEntry> read_tar(const std::string& tar) {
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tar.data(), tar.size()), ARCHIVE_OK);
  std::vector<TarEntry> entries;
  struct archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    TarEntry t;
    t.name = archive_entry_pathname(e);
    t.mtime = archive_entry_mtime(e);
    t.uid = archive_entry_uid(e);
    t.gid = archive_entry_gid(e);
    t.perm = static_cast<int>(archive_entry_perm(e));
    t.type = static_cast<int>(archive_entry_filetype(e));
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
      t.data.append(buf, static_cast<size_t>(n));
    entries.push_back(t);
  }
  archive_read_free(a);
  return entries;
}

// Reads a blob named by a descriptor, checking that it exists with that digest and size.
std::string checked_blob(const fs::path& layout, const json& desc, std::set<std::string>& seen) {
  std::string digest = desc.at("digest");
  EXPECT_EQ(digest.rfind("sha256:", 0), 0u) << digest;
  fs::path p = layout / "blobs" / "sha256" / digest.substr(7);
  EXPECT_TRUE(fs::is_regular_file(p)) << p;
  std::string data = read_file(p);
  EXPECT_EQ("sha256:" + sha256_hex(data), digest) << p;
  EXPECT_EQ(static_cast<int64_t>(data.size()), desc.at("size").get<int64_t>()) << p;
  seen.insert(digest.substr(7));
  return data;
}

TEST(OciLayout, TagNames) {
  EXPECT_EQ(image_tag("0.7.0", "6.1"), "0.7.0-linux61");
  EXPECT_EQ(image_tag("main", "6.12"), "main-linux612");
  EXPECT_EQ(image_tag("0.1.0", "5.10"), "0.1.0-linux510");
  EXPECT_THROW(image_tag("bad/version", "6.1"), ImageError);
  EXPECT_THROW(image_tag("", "6.1"), ImageError);
  EXPECT_THROW(image_tag(".x", "6.1"), ImageError);
}

TEST(OciLayout, Rfc3339) {
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339_utc(1700000000), "2023-11-14T22:13:20Z");
}

TEST(OciLayout, LayoutIsValid) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  LayoutResult res = write_oci_layout(req);
  const fs::path layout = req.out;

  EXPECT_EQ(json::parse(read_file(layout / "oci-layout")), json({{"imageLayoutVersion", "1.0.0"}}));
  json top = json::parse(read_file(layout / "index.json"));
  EXPECT_EQ(top.at("schemaVersion"), 2);
  EXPECT_EQ(top.at("mediaType"), kMediaTypeIndex);
  ASSERT_EQ(top.at("manifests").size(), 2u);
  ASSERT_EQ(res.branches.size(), 2u);

  std::set<std::string> seen;
  const std::vector<std::pair<std::string, std::string>> expected{{"6.1", "6.1.112"},
                                                                  {"6.12", "6.12.9"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [branch, kver] = expected[i];
    const std::string tag = image_tag("0.7.0", branch);
    const json& ref = top.at("manifests").at(i);
    SCOPED_TRACE(tag);
    EXPECT_EQ(ref.at("mediaType"), kMediaTypeIndex);
    EXPECT_EQ(ref.at("annotations").at(kAnnotationRefName), tag);
    EXPECT_EQ(ref.at("annotations").at(kAnnotationKernelVersion), kver);
    EXPECT_EQ(ref.at("annotations").at(kAnnotationKernelBranch), branch);
    EXPECT_EQ(res.branches[i].tag, tag);
    EXPECT_EQ(res.branches[i].index.digest, ref.at("digest"));

    json index = json::parse(checked_blob(layout, ref, seen));
    EXPECT_EQ(index.at("schemaVersion"), 2);
    EXPECT_EQ(index.at("mediaType"), kMediaTypeIndex);
    const json& ann = index.at("annotations");
    EXPECT_EQ(ann.at(kAnnotationVersion), tag);
    EXPECT_EQ(ann.at(kAnnotationKernelVersion), kver);
    EXPECT_EQ(ann.at(kAnnotationSource), req.source);
    EXPECT_EQ(ann.at(kAnnotationRevision), req.revision);
    EXPECT_EQ(ann.at(kAnnotationCreated), rfc3339_utc(branch == "6.1" ? 1700000000 : 1700000100));
    EXPECT_TRUE(ann.contains(kAnnotationTitle));
    EXPECT_TRUE(ann.contains(kAnnotationDescription));
    EXPECT_TRUE(ann.contains(kAnnotationLicenses));

    ASSERT_EQ(index.at("manifests").size(), 2u);
    const std::vector<std::pair<std::string, std::string>> platforms{{"amd64", "x86_64"},
                                                                     {"arm64", "arm64"}};
    for (size_t k = 0; k < platforms.size(); ++k) {
      const auto& [arch, arch_dir] = platforms[k];
      SCOPED_TRACE(arch);
      const json& md = index.at("manifests").at(k);
      EXPECT_EQ(md.at("mediaType"), kMediaTypeManifest);
      EXPECT_EQ(md.at("platform"), json({{"architecture", arch}, {"os", "linux"}}));
      json manifest = json::parse(checked_blob(layout, md, seen));
      EXPECT_EQ(manifest.at("schemaVersion"), 2);
      EXPECT_EQ(manifest.at("mediaType"), kMediaTypeManifest);
      EXPECT_EQ(manifest.at("annotations").at(kAnnotationKernelVersion), kver);
      EXPECT_EQ(manifest.at("config").at("mediaType"), kMediaTypeConfig);
      json config = json::parse(checked_blob(layout, manifest.at("config"), seen));
      EXPECT_EQ(config.at("architecture"), arch);
      EXPECT_EQ(config.at("os"), "linux");
      EXPECT_EQ(config.at("created"), ann.at(kAnnotationCreated));
      EXPECT_EQ(config.at("rootfs").at("type"), "layers");
      EXPECT_EQ(config.at("config").at("Labels").at(kAnnotationKernelVersion), kver);

      ASSERT_EQ(manifest.at("layers").size(), 1u);
      const json& ld = manifest.at("layers").at(0);
      EXPECT_EQ(ld.at("mediaType"), kMediaTypeLayerGzip);
      std::string gz = checked_blob(layout, ld, seen);
      // Deterministic gzip header: magic, deflate, no flags (no name), zero mtime.
      ASSERT_GE(gz.size(), 10u);
      EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
      EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
      EXPECT_EQ(gz[3], 0) << "gzip header flags";
      EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0')) << "gzip header mtime";

      std::string tar = gunzip(gz);
      ASSERT_EQ(config.at("rootfs").at("diff_ids"), json::array({"sha256:" + sha256_hex(tar)}));
      std::vector<TarEntry> entries = read_tar(tar);
      ASSERT_EQ(entries.size(), 3u);
      const std::vector<std::string> names{"System.map", "config", "vmlinux.bin.zst"};
      for (size_t n = 0; n < names.size(); ++n) {
        EXPECT_EQ(entries[n].name, names[n]);
        EXPECT_EQ(entries[n].data, read_file(tmp.path() / branch / arch_dir / names[n]));
        EXPECT_EQ(entries[n].mtime, branch == "6.1" ? 1700000000 : 1700000100);
        EXPECT_EQ(entries[n].uid, 0);
        EXPECT_EQ(entries[n].gid, 0);
        EXPECT_EQ(entries[n].perm, 0644);
        EXPECT_EQ(entries[n].type, AE_IFREG);
      }
    }
  }
  // Every blob is referenced; nothing else (no temporary files) is in the layout.
  std::set<std::string> blobs;
  for (const auto& e : fs::directory_iterator(layout / "blobs" / "sha256")) {
    blobs.insert(e.path().filename().string());
  }
  EXPECT_EQ(blobs, seen);
  std::set<std::string> top_level;
  for (const auto& e : fs::directory_iterator(layout)) top_level.insert(e.path().filename());
  EXPECT_EQ(top_level, (std::set<std::string>{"blobs", "index.json", "oci-layout"}));
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    EXPECT_EQ(e.path().filename().string().find(".oci.tmp"), std::string::npos) << e.path();
  }

  std::vector<LayoutRef> refs = read_layout_refs(layout);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].tag, "0.7.0-linux61");
  EXPECT_EQ(refs[0].branch, "6.1");
  EXPECT_EQ(refs[1].tag, "0.7.0-linux612");
  EXPECT_EQ(refs[1].descriptor.digest, res.branches[1].index.digest);
}

// The layer is made of the bytes discover_branches read and checked, not of the files read again:
// a file replaced in between does not reach the image.
TEST(OciLayout, LayerHoldsTheBytesThatWereChecked) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  DiscoverOptions opts;
  opts.artifacts = tmp.path();
  opts.branches = {"6.1"};
  req.branches = discover_branches(opts);
  fs::path zst = tmp.path() / "6.1" / "x86_64" / "vmlinux.bin.zst";
  const std::string checked = read_file(zst);
  test::write_file(zst, "replaced after the check\n");
  write_oci_layout(req);

  std::vector<std::string> shipped;
  for (const auto& e : fs::directory_iterator(req.out / "blobs" / "sha256")) {
    std::string blob = read_file(e.path());
    if (blob.size() < 2 || static_cast<unsigned char>(blob[0]) != 0x1f) continue;
    for (const TarEntry& t : read_tar(gunzip(blob)))
      if (t.name == "vmlinux.bin.zst") shipped.push_back(t.data);
  }
  ASSERT_EQ(shipped.size(), 2u);  // amd64 and arm64
  EXPECT_TRUE(std::find(shipped.begin(), shipped.end(), checked) != shipped.end());
  for (const std::string& data : shipped) EXPECT_EQ(data.find("replaced"), std::string::npos);
}

TEST(OciLayout, OmitsEmptySourceAndRevision) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  req.source.clear();
  req.revision.clear();
  LayoutResult res = write_oci_layout(req);
  json index =
      json::parse(read_file(req.out / "blobs" / "sha256" / res.branches[0].index.digest.substr(7)));
  EXPECT_FALSE(index.at("annotations").contains(kAnnotationSource));
  EXPECT_FALSE(index.at("annotations").contains(kAnnotationRevision));
}

TEST(OciLayout, Deterministic) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  LayoutResult first = write_oci_layout(req);
  auto first_files = test::tree_contents(req.out);

  // Another run, elsewhere, with inputs in another order and the artifacts touched.
  LayoutRequest again = req;
  again.out = tmp.path() / "second" / "oci";
  std::reverse(again.branches.begin(), again.branches.end());
  for (auto& b : again.branches) std::reverse(b.platforms.begin(), b.platforms.end());
  fs::last_write_time(tmp.path() / "6.1" / "x86_64" / "config", fs::file_time_type::clock::now());
  LayoutResult second = write_oci_layout(again);
  EXPECT_EQ(test::tree_contents(again.out), first_files);
  ASSERT_EQ(second.branches.size(), first.branches.size());
  for (size_t i = 0; i < first.branches.size(); ++i) {
    EXPECT_EQ(second.branches[i].index.digest, first.branches[i].index.digest);
  }

  // In place over the previous layout: same result.
  write_oci_layout(req);
  EXPECT_EQ(test::tree_contents(req.out), first_files);

  // A different input changes the digests.
  LayoutRequest changed = req;
  changed.branches[0].created += 1;
  LayoutResult third = write_oci_layout(changed);
  EXPECT_NE(third.branches[1].index.digest, first.branches[1].index.digest);
  EXPECT_EQ(third.branches[0].index.digest, first.branches[0].index.digest);
}

TEST(OciLayout, ReplacesPreviousLayoutWholly) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  write_oci_layout(req);
  req.version = "0.8.0";
  req.branches.pop_back();  // only 6.12 now
  write_oci_layout(req);
  std::vector<LayoutRef> refs = read_layout_refs(req.out);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].tag, "0.8.0-linux612");
  // No blob of the old layout remains.
  EXPECT_EQ(
      std::distance(fs::directory_iterator(req.out / "blobs" / "sha256"), fs::directory_iterator()),
      7);  // the index, 2 manifests, 2 configs, 2 layers
}

TEST(OciLayout, MissingArtifactFailsWithoutOutput) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  fs::remove(tmp.path() / "6.12" / "arm64" / "System.map");
  try {
    write_oci_layout(req);
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr((tmp.path() / "6.12" / "arm64" / "System.map").string()));
    EXPECT_THAT(e.what(), HasSubstr("missing"));
    EXPECT_THAT(e.what(), HasSubstr("build"));
  }
  EXPECT_FALSE(fs::exists(req.out));
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    EXPECT_EQ(e.path().filename().string().rfind(".oci", 0), std::string::npos) << e.path();
  }
}

TEST(OciLayout, FailureKeepsPreviousLayout) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  write_oci_layout(req);
  auto before = test::tree_contents(req.out);
  req.version = "0.8.0";
  fs::remove(tmp.path() / "6.1" / "x86_64" / "vmlinux.bin.zst");
  EXPECT_THROW(write_oci_layout(req), ImageError);
  EXPECT_EQ(test::tree_contents(req.out), before);
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    EXPECT_EQ(e.path().filename().string().rfind(".oci", 0), std::string::npos) << e.path();
  }
}

TEST(OciLayout, NonRegularArtifact) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  fs::remove(tmp.path() / "6.12" / "arm64" / "config");
  fs::create_directory(tmp.path() / "6.12" / "arm64" / "config");
  try {
    write_oci_layout(req);
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a regular file"));
  }
  EXPECT_FALSE(fs::exists(req.out));
}

TEST(OciLayout, RejectsBadRequests) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  LayoutRequest r = req;
  r.branches.clear();
  EXPECT_THROW(write_oci_layout(r), ImageError);
  r = req;
  r.branches.push_back(r.branches[0]);
  EXPECT_THROW(write_oci_layout(r), ImageError);
  r = req;
  r.branches[0].kernel_version.clear();
  EXPECT_THROW(write_oci_layout(r), ImageError);
  r = req;
  r.version = "no spaces allowed";
  EXPECT_THROW(write_oci_layout(r), ImageError);
  r = req;
  r.branches[0].platforms.push_back(r.branches[0].platforms[0]);
  EXPECT_THROW(write_oci_layout(r), ImageError);
  EXPECT_FALSE(fs::exists(req.out));
}

TEST(OciLayout, RefusesToReplaceOtherDirectories) {
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  test::write_file(req.out / "precious.txt", "keep me");
  try {
    write_oci_layout(req);
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not an OCI layout"));
  }
  EXPECT_EQ(read_file(req.out / "precious.txt"), "keep me");
}

TEST(OciLayout, ReadRefsErrors) {
  TempDir tmp;
  try {
    read_layout_refs(tmp.path());
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_THAT(e.what(), HasSubstr((tmp.path() / "oci-layout").string()));
    EXPECT_THAT(e.what(), HasSubstr("runner-kernel image"));
  }
  test::write_file(tmp.path() / "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
  test::write_file(tmp.path() / "index.json", "{not json");
  EXPECT_THROW(read_layout_refs(tmp.path()), ImageError);
}

// skopeo (containers/image) reads the layout: the index, each platform, the config.
TEST(OciLayout, SkopeoInspect) {
  if (!program_available("skopeo")) RK_SKIP() << "skopeo is not installed (apt-get install skopeo)";
  TempDir tmp;
  LayoutRequest req = test::sample_request(tmp.path());
  LayoutResult res = write_oci_layout(req);
  for (const BranchResult& b : res.branches) {
    std::string ref = "oci:" + req.out.string() + ":" + b.tag;
    ProcessResult raw = run_process({"skopeo", "inspect", "--raw", ref});
    ASSERT_EQ(raw.exit_code, 0) << raw.output;
    EXPECT_EQ("sha256:" + sha256_hex(raw.output), b.index.digest);
    for (const ImageResult& img : b.images) {
      ProcessResult r = run_process({"skopeo", "--override-arch", img.architecture, "--override-os",
                                     "linux", "inspect", ref});
      ASSERT_EQ(r.exit_code, 0) << r.output;
      json j = json::parse(r.output);
      EXPECT_EQ(j.at("Digest"), b.index.digest);  // skopeo reports the index it was given
      EXPECT_EQ(j.at("Architecture"), img.architecture);
      EXPECT_EQ(j.at("Layers"), json::array({img.layer.digest}));
      EXPECT_TRUE(j.at("Labels").contains(kAnnotationKernelVersion));
    }
  }
}

}  // namespace
}  // namespace rk::image
