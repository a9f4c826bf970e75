#include "image/oci.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>

#include "base/file.hpp"
#include "lazy_libs/libarchive.hpp"
#include "lazy_libs/sha256.hpp"

namespace rk::image {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using lazy_libs::Sha256;

std::string errno_text() {
  return std::strerror(errno);
}

// A directory removed on destruction unless released.
struct TempDir {
  fs::path path;
  bool keep = false;
  ~TempDir() {
    if (path.empty() || keep) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void fsync_path(const fs::path& p, bool directory) {
  int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Receives bytes (from libarchive or directly), hashes and counts them, and optionally writes
// them to a temporary blob file that commit() renames to its digest.
class BlobSink {
 public:
  // Hash-only sink (no file).
  BlobSink() = default;
  explicit BlobSink(const fs::path& blob_dir) : dir_(blob_dir) {
    static int counter = 0;
    tmp_ = dir_ / (".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw ImageError(ErrorKind::kLayout, tmp_.string() + ": cannot create: " + errno_text());
  }
  ~BlobSink() {
    if (fd_ >= 0) ::close(fd_);
    if (!tmp_.empty() && !committed_) {
      std::error_code ec;
      fs::remove(tmp_, ec);
    }
  }
  std::string error;  // the first write failure, when writing through libarchive

  BlobSink(const BlobSink&) = delete;
  BlobSink& operator=(const BlobSink&) = delete;

  void write(const void* data, size_t n) {
    hash_.update(data, n);
    size_ += static_cast<std::int64_t>(n);
    if (fd_ < 0) return;
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw ImageError(ErrorKind::kLayout, tmp_.string() + ": write failed: " + errno_text() +
                                                 " (check free space on that file system)");
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
  }

  // Finishes the blob; for a file sink, renames it to blobs/sha256/<hex>.
  Descriptor commit(const std::string& media_type) {
    Descriptor d;
    d.media_type = media_type;
    d.digest = "sha256:" + hash_.hex();
    d.size = size_;
    if (fd_ >= 0) {
      if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
        fd_ = -1;
        throw ImageError(ErrorKind::kLayout, tmp_.string() + ": cannot flush: " + errno_text());
      }
      fd_ = -1;
      fs::path final_path = dir_ / d.digest.substr(7);
      if (::rename(tmp_.c_str(), final_path.c_str()) != 0) {
        throw ImageError(ErrorKind::kLayout, final_path.string() + ": cannot rename from " +
                                                 tmp_.string() + ": " + errno_text());
      }
      committed_ = true;
    }
    return d;
  }

 private:
  fs::path dir_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
  Sha256 hash_;
  std::int64_t size_ = 0;
};

la_ssize_t archive_to_sink(struct archive*, void* client, const void* buf, size_t n) {
  auto* sink = static_cast<BlobSink*>(client);
  try {
    sink->write(buf, n);
  } catch (const ImageError& e) {
    sink->error = e.what();  // rethrown by write_layer: libarchive only sees a failure
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

using lazy_libs::Libarchive;

// libarchive, loaded on first use; a missing library fails the image like any other error.
const Libarchive& libarchive() {
  try {
    return lazy_libs::libarchive();
  } catch (const lazy_libs::LibraryLoadError& e) {
    throw ImageError(ErrorKind::kLayout, e.what());
  }
}

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

std::string archive_error(const Libarchive& la, struct archive* a) {
  const char* s = la.archive_error_string(a);
  return s ? s : "unknown libarchive error";
}

// Checks that every layer file of a platform exists as a regular file.
void check_artifacts(const BranchInput& b, const PlatformArtifacts& p) {
  for (const std::string& name : layer_files()) {
    fs::path f = p.dir / name;
    std::error_code ec;
    auto st = fs::status(f, ec);
    if (!fs::exists(st)) {
      throw ImageError(ErrorKind::kLayout,
                       f.string() + ": missing; the " + p.os + "/" + p.architecture +
                           " image of Linux " + b.branch +
                           " needs vmlinux.bin.zst, config and System.map from the kernel build: "
                           "rebuild that variant (its build did not finish), or leave " +
                           p.os + "/" + p.architecture + " out (runner-kernel image --arch)");
    }
    if (!fs::is_regular_file(st)) {
      throw ImageError(ErrorKind::kLayout,
                       f.string() + ": not a regular file; replace it with the file the " +
                           "kernel build produced");
    }
  }
}

// Writes the layer tar (entries in byte order of their names, root-owned, mode 0644, mtime
// `mtime`) from the bytes in `p.files` into `a`, which has its format and filters set and is
// open.
void write_layer_entries(const Libarchive& la, struct archive* a, const PlatformArtifacts& p,
                         std::int64_t mtime) {
  std::vector<std::string> names = layer_files();
  std::sort(names.begin(), names.end());
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(la.archive_entry_new(),
                                                                 la.archive_entry_free);
  for (const std::string& name : names) {
    fs::path f = p.dir / name;
    auto it = p.files.find(name);
    if (it == p.files.end())
      throw ImageError(ErrorKind::kLayout, f.string() + ": not read before writing the layer");
    const std::string& bytes = it->second;

    la.archive_entry_clear(entry.get());
    la.archive_entry_set_pathname(entry.get(), name.c_str());
    la.archive_entry_set_filetype(entry.get(), AE_IFREG);
    la.archive_entry_set_perm(entry.get(), 0644);
    la.archive_entry_set_uid(entry.get(), 0);
    la.archive_entry_set_gid(entry.get(), 0);
    la.archive_entry_set_uname(entry.get(), "root");
    la.archive_entry_set_gname(entry.get(), "root");
    la.archive_entry_set_mtime(entry.get(), static_cast<time_t>(mtime), 0);
    la.archive_entry_set_size(entry.get(), static_cast<std::int64_t>(bytes.size()));
    if (la.archive_write_header(a, entry.get()) != ARCHIVE_OK) {
      throw ImageError(ErrorKind::kLayout,
                       f.string() + ": cannot add to the layer: " + archive_error(la, a));
    }
    for (size_t off = 0; off < bytes.size();) {
      size_t n = std::min<size_t>(bytes.size() - off, 1 << 16);
      if (la.archive_write_data(a, bytes.data() + off, n) != static_cast<la_ssize_t>(n)) {
        throw ImageError(ErrorKind::kLayout,
                         f.string() + ": cannot add to the layer: " + archive_error(la, a));
      }
      off += n;
    }
  }
}

// Runs the tar writer into `sink`, gzip-compressed or not. Unblocked output (no padding to
// tar records), so the plain tar is byte for byte what the gzip pass compresses.
void write_layer(BlobSink& sink, const PlatformArtifacts& p, std::int64_t mtime, bool gzip) {
  const Libarchive& la = libarchive();
  ArchivePtr a(la.archive_write_new(), la.archive_write_free);
  if (!a) throw ImageError(ErrorKind::kLayout, "libarchive: out of memory");
  bool ok = la.archive_write_set_format_ustar(a.get()) == ARCHIVE_OK &&
            la.archive_write_set_bytes_per_block(a.get(), 0) == ARCHIVE_OK;
  if (ok && gzip) {
    ok =
        la.archive_write_add_filter_gzip(a.get()) == ARCHIVE_OK &&
        // No timestamp in the gzip header (and libarchive stores no file name).
        la.archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr) == ARCHIVE_OK &&
        la.archive_write_set_filter_option(a.get(), "gzip", "compression-level", "6") == ARCHIVE_OK;
  }
  if (!ok)
    throw ImageError(ErrorKind::kLayout,
                     "libarchive: cannot set up the layer writer: " + archive_error(la, a.get()));
  if (la.archive_write_open(a.get(), &sink, nullptr, archive_to_sink, nullptr) != ARCHIVE_OK) {
    throw ImageError(ErrorKind::kLayout,
                     "libarchive: cannot open the layer writer: " + archive_error(la, a.get()));
  }
  try {
    write_layer_entries(la, a.get(), p, mtime);
  } catch (const ImageError&) {
    if (!sink.error.empty()) throw ImageError(ErrorKind::kLayout, sink.error);
    throw;
  }
  if (la.archive_write_close(a.get()) != ARCHIVE_OK) {
    if (!sink.error.empty()) throw ImageError(ErrorKind::kLayout, sink.error);
    throw ImageError(ErrorKind::kLayout, "libarchive: cannot finish the layer of " +
                                             p.dir.string() + ": " + archive_error(la, a.get()));
  }
}

Descriptor write_json_blob(const fs::path& blob_dir, const json& j, const std::string& media_type) {
  std::string text = j.dump();
  BlobSink sink(blob_dir);
  sink.write(text.data(), text.size());
  return sink.commit(media_type);
}

json descriptor_json(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

void write_text_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    throw ImageError(ErrorKind::kLayout,
                     path.string() + ": cannot write (check free space and permissions)");
  fsync_path(path, false);
}

// Numeric-aware order of branch names: 5.10 < 6.1 < 6.12.
bool branch_less(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& s) {
    std::vector<std::pair<long, std::string>> v;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, '.')) {
      char* end = nullptr;
      long n = std::strtol(item.c_str(), &end, 10);
      v.emplace_back(end && *end == '\0' && !item.empty() ? n : -1, item);
    }
    return v;
  };
  return parts(a) < parts(b);
}

bool valid_tag(const std::string& t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t[0])) return false;
  return std::all_of(t.begin(), t.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

std::map<std::string, std::string> common_annotations(const LayoutRequest& req,
                                                      const BranchInput& b,
                                                      const std::string& tag) {
  std::map<std::string, std::string> a{
      {kAnnotationCreated, rfc3339_utc(b.created)},
      {kAnnotationVersion, tag},
      {kAnnotationTitle, "runner-kernel Linux " + b.kernel_version},
      {kAnnotationDescription, "Linux " + b.kernel_version +
                                   " for Firecracker microVMs: /vmlinux.bin.zst, /config, "
                                   "/System.map"},
      {kAnnotationLicenses, "GPL-2.0-only"},
      {kAnnotationKernelVersion, b.kernel_version},
      {kAnnotationKernelBranch, b.branch},
  };
  if (!req.source.empty()) a[kAnnotationSource] = req.source;
  if (!req.revision.empty()) a[kAnnotationRevision] = req.revision;
  return a;
}

void validate_request(const LayoutRequest& req) {
  if (req.out.empty())
    throw ImageError(ErrorKind::kLayout, "no output directory given for the OCI layout");
  if (req.branches.empty()) {
    throw ImageError(ErrorKind::kLayout,
                     "no kernel branches to package: build at least one variant first");
  }
  if (req.version.empty())
    throw ImageError(ErrorKind::kLayout, "no project version given for the image tags");
  std::set<std::string> seen;
  for (const BranchInput& b : req.branches) {
    if (!seen.insert(b.branch).second) {
      throw ImageError(ErrorKind::kLayout,
                       "branch " + b.branch + " given twice; give each branch once");
    }
    if (b.kernel_version.empty()) {
      throw ImageError(ErrorKind::kLayout, "branch " + b.branch +
                                               ": no kernel version; set \"kernel_version\" in " +
                                               "its build-info.json");
    }
    if (b.platforms.empty()) {
      throw ImageError(ErrorKind::kLayout,
                       "branch " + b.branch + ": no platform artifacts; build it first");
    }
    std::set<std::string> archs;
    for (const PlatformArtifacts& p : b.platforms) {
      if (p.architecture.empty() || p.os.empty()) {
        throw ImageError(ErrorKind::kLayout, p.dir.string() + ": platform without os/architecture");
      }
      if (!archs.insert(p.os + "/" + p.architecture).second) {
        throw ImageError(ErrorKind::kLayout, "branch " + b.branch + ": platform " + p.os + "/" +
                                                 p.architecture + " given twice");
      }
      if (p.files.empty()) check_artifacts(b, p);
      for (const std::string& name : layer_files()) {
        if (!p.files.empty() && !p.files.count(name))
          throw ImageError(ErrorKind::kLayout, (p.dir / name).string() + ": not read");
      }
    }
    image_tag(req.version, b.branch);  // throws on an invalid tag
  }
}

// Puts the finished layout `tmp` at `out`, replacing an existing layout in one step.
void install_layout(const fs::path& tmp, const fs::path& out) {
  std::error_code ec;
  if (!fs::exists(out, ec)) {
    if (::rename(tmp.c_str(), out.c_str()) != 0) {
      throw ImageError(ErrorKind::kLayout, out.string() + ": cannot rename " + tmp.string() +
                                               " to it: " + errno_text());
    }
    return;
  }
  // Swap atomically, then remove the old layout (now at tmp).
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(tmp, ec);
    return;
  }
  // File systems without RENAME_EXCHANGE: move the old one aside first.
  fs::path old = tmp;
  old += ".old";
  if (::rename(out.c_str(), old.c_str()) != 0) {
    throw ImageError(ErrorKind::kLayout,
                     out.string() + ": cannot move the previous layout aside: " + errno_text());
  }
  if (::rename(tmp.c_str(), out.c_str()) != 0) {
    int saved = errno;
    ::rename(old.c_str(), out.c_str());
    throw ImageError(ErrorKind::kLayout, out.string() + ": cannot rename " + tmp.string() +
                                             " to it: " + std::strerror(saved));
  }
  fs::remove_all(old, ec);
}

}  // namespace

LayerFiles load_layer_files(const BranchInput& b, const PlatformArtifacts& p) {
  check_artifacts(b, p);
  LayerFiles files;
  for (const std::string& name : layer_files()) {
    try {
      files[name] = base::read_file((p.dir / name).string());
    } catch (const base::FileError& e) {
      throw ImageError(ErrorKind::kLayout,
                       std::string(e.what()) + "; check its permissions, or rebuild the variant");
    }
  }
  return files;
}

std::string sha256_hex(const std::string& data) {
  return lazy_libs::sha256_hex(data);
}

std::string sha256_file_hex(const fs::path& file) {
  try {
    return lazy_libs::sha256_file_hex(file.string());
  } catch (const std::system_error& e) {
    throw ImageError(ErrorKind::kLayout, e.what());
  }
}

std::string rfc3339_utc(std::int64_t epoch) {
  time_t t = static_cast<time_t>(epoch);
  struct tm tm {};
  if (!gmtime_r(&t, &tm))
    throw ImageError(ErrorKind::kLayout, "timestamp out of range: " + std::to_string(epoch));
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string image_tag(const std::string& prefix, const std::string& branch) {
  std::string compact;
  for (char c : branch)
    if (c != '.') compact += c;
  std::string tag = prefix + "-linux" + compact;
  if (!valid_tag(tag)) {
    throw ImageError(ErrorKind::kLayout,
                     "\"" + tag + "\" is not a valid image tag (letters, digits, '_', '.', '-'; " +
                         "at most 128): fix the version \"" + prefix + "\" or branch \"" + branch +
                         "\"");
  }
  return tag;
}

LayoutResult write_oci_layout(const LayoutRequest& req) {
  validate_request(req);

  fs::path out = fs::absolute(req.out).lexically_normal();
  if (out.filename().empty()) out = out.parent_path();
  std::error_code ec;
  if (fs::exists(out, ec)) {
    bool is_layout = fs::exists(out / "oci-layout", ec);
    bool empty = fs::is_directory(out, ec) && fs::is_empty(out, ec);
    if (!is_layout && !empty) {
      throw ImageError(ErrorKind::kLayout,
                       out.string() + ": exists and is not an OCI layout; remove it or choose " +
                           "another output directory");
    }
  }
  fs::create_directories(out.parent_path(), ec);
  if (ec) {
    throw ImageError(ErrorKind::kLayout,
                     out.parent_path().string() + ": cannot create: " + ec.message());
  }

  // Build everything next to the destination (same file system, so the final rename works).
  std::string pattern = (out.parent_path() / ("." + out.filename().string() + ".tmp-XXXXXX"));
  std::vector<char> tmpl(pattern.begin(), pattern.end());
  tmpl.push_back('\0');
  if (!::mkdtemp(tmpl.data())) {
    throw ImageError(ErrorKind::kLayout, out.parent_path().string() +
                                             ": cannot create a temporary directory: " +
                                             errno_text() + " (check permissions and free space)");
  }
  TempDir tmp{fs::path(tmpl.data())};
  ::chmod(tmp.path.c_str(), 0755);
  fs::path blobs = tmp.path / "blobs" / "sha256";
  fs::create_directories(blobs);

  std::vector<BranchInput> branches = req.branches;
  std::sort(branches.begin(), branches.end(), [](const BranchInput& a, const BranchInput& b) {
    return branch_less(a.branch, b.branch);
  });

  LayoutResult result;
  json top_manifests = json::array();
  for (BranchInput& b : branches) {
    std::sort(b.platforms.begin(), b.platforms.end(), [](const auto& x, const auto& y) {
      return std::tie(x.os, x.architecture) < std::tie(y.os, y.architecture);
    });
    BranchResult br;
    br.branch = b.branch;
    br.tag = image_tag(req.version, b.branch);
    const auto annotations = common_annotations(req, b, br.tag);
    const std::string created = rfc3339_utc(b.created);

    json index_manifests = json::array();
    for (const PlatformArtifacts& p : b.platforms) {
      ImageResult img;
      img.architecture = p.architecture;

      // Both passes use the same bytes: those discover_branches checked, or else read once now.
      PlatformArtifacts read_once;
      const PlatformArtifacts* with_files = &p;
      if (p.files.empty()) {
        read_once = p;
        read_once.files = load_layer_files(b, p);
        with_files = &read_once;
      }
      BlobSink plain;  // the uncompressed tar, hashed only: the layer's diff_id
      write_layer(plain, *with_files, b.created, false);
      std::string diff_id = plain.commit("").digest;
      BlobSink layer(blobs);
      write_layer(layer, *with_files, b.created, true);
      img.layer = layer.commit(kMediaTypeLayerGzip);

      json config = {
          {"created", created},
          {"architecture", p.architecture},
          {"os", p.os},
          {"config", {{"Labels", annotations}}},
          {"rootfs", {{"type", "layers"}, {"diff_ids", json::array({diff_id})}}},
          {"history", json::array({{{"created", created},
                                    {"created_by", "runner-kernel image"},
                                    {"comment", "vmlinux.bin.zst, config, System.map of Linux " +
                                                    b.kernel_version}}})},
      };
      img.config = write_json_blob(blobs, config, kMediaTypeConfig);

      json manifest = {
          {"schemaVersion", 2},
          {"mediaType", kMediaTypeManifest},
          {"config", descriptor_json(img.config)},
          {"layers", json::array({descriptor_json(img.layer)})},
          {"annotations", annotations},
      };
      img.manifest = write_json_blob(blobs, manifest, kMediaTypeManifest);

      json entry = descriptor_json(img.manifest);
      entry["platform"] = {{"architecture", p.architecture}, {"os", p.os}};
      index_manifests.push_back(entry);
      br.images.push_back(img);
    }

    json index = {
        {"schemaVersion", 2},
        {"mediaType", kMediaTypeIndex},
        {"manifests", index_manifests},
        {"annotations", annotations},
    };
    br.index = write_json_blob(blobs, index, kMediaTypeIndex);
    br.index.annotations = {{kAnnotationRefName, br.tag},
                            {kAnnotationKernelBranch, b.branch},
                            {kAnnotationKernelVersion, b.kernel_version}};
    top_manifests.push_back(descriptor_json(br.index));
    result.branches.push_back(br);
  }

  json top = {
      {"schemaVersion", 2},
      {"mediaType", kMediaTypeIndex},
      {"manifests", top_manifests},
  };
  write_text_file(tmp.path / "index.json", top.dump(2) + "\n");
  write_text_file(tmp.path / "oci-layout", json{{"imageLayoutVersion", "1.0.0"}}.dump() + "\n");
  fsync_path(blobs, true);
  fsync_path(tmp.path, true);

  install_layout(tmp.path, out);  // also removes the previous layout
  tmp.keep = true;
  fsync_path(out.parent_path(), true);
  return result;
}

std::vector<LayoutRef> read_layout_refs(const fs::path& dir) {
  auto read_json = [](const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      throw ImageError(ErrorKind::kLayout,
                       f.string() + ": missing; create the layout with `runner-kernel image`");
    }
    try {
      return json::parse(in);
    } catch (const json::exception& e) {
      throw ImageError(ErrorKind::kLayout, f.string() + ": not valid JSON (" + e.what() +
                                               "); recreate the layout with `runner-kernel image`");
    }
  };
  json layout = read_json(dir / "oci-layout");
  if (!layout.is_object() || layout.value("imageLayoutVersion", "") != "1.0.0") {
    throw ImageError(ErrorKind::kLayout,
                     (dir / "oci-layout").string() +
                         ": not an OCI image layout 1.0.0; recreate it with `runner-kernel image`");
  }
  json index = read_json(dir / "index.json");
  std::vector<LayoutRef> refs;
  try {
    for (const json& m : index.at("manifests")) {
      LayoutRef r;
      r.descriptor.media_type = m.at("mediaType").get<std::string>();
      r.descriptor.digest = m.at("digest").get<std::string>();
      r.descriptor.size = m.at("size").get<std::int64_t>();
      if (m.contains("annotations")) {
        r.descriptor.annotations = m.at("annotations").get<std::map<std::string, std::string>>();
      }
      auto tag = r.descriptor.annotations.find(kAnnotationRefName);
      if (tag == r.descriptor.annotations.end()) continue;
      r.tag = tag->second;
      auto branch = r.descriptor.annotations.find(kAnnotationKernelBranch);
      if (branch != r.descriptor.annotations.end()) r.branch = branch->second;
      refs.push_back(std::move(r));
    }
  } catch (const json::exception& e) {
    throw ImageError(ErrorKind::kLayout, (dir / "index.json").string() + ": malformed (" +
                                             e.what() +
                                             "); recreate the layout with `runner-kernel image`");
  }
  return refs;
}

}  // namespace rk::image
