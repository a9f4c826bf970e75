#include "source/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "lazy_libs/libarchive.hpp"
#include "source/progress.hpp"
#include "source/util.hpp"

namespace rk::source {

namespace fs = std::filesystem;

namespace {

using lazy_libs::Libarchive;

// libarchive, loaded on first use; a missing library is reported like a missing tool.
const Libarchive& libarchive() {
  try {
    return lazy_libs::libarchive();
  } catch (const lazy_libs::LibraryLoadError& e) {
    throw SourceError(ErrorKind::kToolMissing, e.what());
  }
}

// Holds a reader (freed with archive_read_free) or a writer (archive_write_free).
using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

// Feeds libarchive from a file or from the current entry of another archive, counting the
// bytes handed over (the compressed position, for progress).
struct Feed {
  const Libarchive* la = nullptr;
  std::FILE* file = nullptr;
  archive* parent = nullptr;
  std::vector<char> buf = std::vector<char>(1 << 16);
  std::uint64_t consumed = 0;
};

la_ssize_t feed_read(archive* a, void* user, const void** out) {
  auto* f = static_cast<Feed*>(user);
  la_ssize_t n = 0;
  if (f->file) {
    n = static_cast<la_ssize_t>(std::fread(f->buf.data(), 1, f->buf.size(), f->file));
    if (n == 0 && std::ferror(f->file)) {
      f->la->archive_set_error(a, errno, "read error");
      return -1;
    }
  } else {
    n = f->la->archive_read_data(f->parent, f->buf.data(), f->buf.size());
    if (n < 0) {
      f->la->archive_set_error(a, f->la->archive_errno(f->parent), "%s",
                               f->la->archive_error_string(f->parent));
      return -1;
    }
  }
  f->consumed += static_cast<std::uint64_t>(n);
  *out = f->buf.data();
  return n;
}

// A reader of `feed` (which must outlive it), for an ar archive or a (compressed) tar.
ArchivePtr open_reader(const Libarchive& la, Feed& feed, bool ar, const std::string& what) {
  ArchivePtr a(la.archive_read_new(), la.archive_read_free);
  la.archive_read_support_filter_all(a.get());
  if (ar)
    la.archive_read_support_format_ar(a.get());
  else
    la.archive_read_support_format_tar(a.get());
  feed.la = &la;
  if (la.archive_read_open(a.get(), &feed, nullptr, feed_read, nullptr) != ARCHIVE_OK)
    throw SourceError(ErrorKind::kOther,
                      fmt::format("{}: {}", what, la.archive_error_string(a.get())));
  return a;
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};

std::unique_ptr<std::FILE, FileCloser> open_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f)
    throw SourceError(ErrorKind::kOther,
                      fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  return f;
}

std::string strip_dot_slash(std::string p) {
  while (p.rfind("./", 0) == 0) p.erase(0, 2);
  return p;
}

bool safe_relative(const std::string& p) {
  if (p.empty() || p[0] == '/') return false;
  for (const auto& part : fs::path(p))
    if (part == "..") return false;
  return true;
}

// A symlink at `rel` whose target `target` resolves, lexically, inside the entry's own
// top-level directory (the tree): kernel trees hold such links (include-prefixes, dts), never
// absolute ones or ones that climb out.
bool symlink_stays_inside(const std::string& rel, const std::string& target) {
  if (target.empty() || target[0] == '/') return false;
  fs::path resolved = (fs::path(rel).parent_path() / target).lexically_normal();
  if (resolved.empty() || *resolved.begin() == "..") return false;
  return *resolved.begin() == *fs::path(rel).begin();
}

const char* file_type_name(mode_t type) {
  switch (type) {
    case AE_IFCHR:
      return "character device";
    case AE_IFBLK:
      return "block device";
    case AE_IFIFO:
      return "FIFO";
    case AE_IFSOCK:
      return "socket";
    default:
      return "special file";
  }
}

// The most a tree's file may allow: no setuid, setgid or sticky bit, nothing writable by group
// or others. ARCHIVE_EXTRACT_PERM applies modes without the umask, and trees are often
// extracted as root.
constexpr mode_t kMaxTreeMode = 0755;

void check_space(const std::string& dest, std::uint64_t compressed, const ExtractOptions& o) {
  auto needed = static_cast<std::uint64_t>(static_cast<double>(compressed) * o.space_factor);
  std::uint64_t avail = o.free_space ? o.free_space(dest) : free_bytes(dest);
  if (avail < needed)
    throw SourceError(ErrorKind::kDiskFull,
                      fmt::format("disk full: extracting needs about {} in {}, {} free (nothing "
                                  "was extracted)",
                                  human_bytes(needed), dest, human_bytes(avail)));
}

// Writes every entry of `src` under `dest`.
ExtractResult extract_all(const Libarchive& la, archive* src, Feed& feed, std::uint64_t input_size,
                          const std::string& dest_dir, const std::string& what,
                          const ExtractOptions& o) {
  // Canonical, so that libarchive's symlink check does not trip over a symlinked cache path.
  const std::string dest = fs::canonical(dest_dir).string();
  ArchivePtr disk(la.archive_write_disk_new(), la.archive_write_free);
  la.archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                    ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                    ARCHIVE_EXTRACT_SECURE_SYMLINKS);
  la.archive_write_disk_set_standard_lookup(disk.get());
  ExtractResult r;
  Progress progress(o.log, o.tty, "extracting " + what, Progress::Unit::kFiles);
  auto fail_write = [&](archive* a, const std::string& path) {
    int e = la.archive_errno(a);
    if (e == ENOSPC)
      throw SourceError(
          ErrorKind::kDiskFull,
          fmt::format("disk full while extracting {} (at {}); nothing was kept", what, path));
    throw SourceError(ErrorKind::kOther, fmt::format("cannot extract {} ({}): {}", what, path,
                                                     la.archive_error_string(a)));
  };
  for (;;) {
    archive_entry* entry = nullptr;
    int rc = la.archive_read_next_header(src, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN)
      throw SourceError(ErrorKind::kOther,
                        fmt::format("{} is damaged: {}", what, la.archive_error_string(src)));
    if (o.cancel && o.cancel->load())
      throw SourceError(ErrorKind::kInterrupted,
                        fmt::format("extraction of {} interrupted; nothing was kept", what));
    std::string rel = strip_dot_slash(la.archive_entry_pathname(entry));
    if (rel.empty()) continue;
    if (!safe_relative(rel))
      throw SourceError(ErrorKind::kOther,
                        fmt::format("{} holds an unsafe path '{}'; refusing it", what, rel));
    // A kernel tree is regular files, directories and symlinks that stay inside it.
    const mode_t type = la.archive_entry_filetype(entry);
    const char* hardlink = la.archive_entry_hardlink(entry);
    if (type == AE_IFLNK) {
      const char* t = la.archive_entry_symlink(entry);
      std::string target = t ? t : "";
      if (!symlink_stays_inside(rel, target))
        throw SourceError(ErrorKind::kOther,
                          fmt::format("{} holds a symlink '{}' -> '{}' that leaves the tree; "
                                      "refusing it (nothing was kept)",
                                      what, rel, target));
    } else if (type != AE_IFREG && type != AE_IFDIR && !hardlink) {
      throw SourceError(ErrorKind::kOther,
                        fmt::format("{} holds '{}', a {}, which no kernel tree holds; refusing it "
                                    "(nothing was kept)",
                                    what, rel, file_type_name(type)));
    }
    la.archive_entry_set_perm(entry, la.archive_entry_perm(entry) & kMaxTreeMode);
    r.top_level.insert(fs::path(rel).begin()->string());
    la.archive_entry_set_pathname(entry, (fs::path(dest) / rel).c_str());
    if (hardlink) {
      std::string target = strip_dot_slash(hardlink);
      if (!safe_relative(target))
        throw SourceError(ErrorKind::kOther,
                          fmt::format("{} holds an unsafe link '{}'; refusing it", what, target));
      la.archive_entry_set_hardlink(entry, (fs::path(dest) / target).c_str());
    }
    if (la.archive_write_header(disk.get(), entry) < ARCHIVE_WARN) fail_write(disk.get(), rel);
    if (la.archive_entry_size(entry) > 0) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      for (;;) {
        int d = la.archive_read_data_block(src, &block, &size, &offset);
        if (d == ARCHIVE_EOF) break;
        if (d < ARCHIVE_WARN)
          throw SourceError(ErrorKind::kOther,
                            fmt::format("{} is damaged: {}", what, la.archive_error_string(src)));
        if (la.archive_write_data_block(disk.get(), block, size, offset) < ARCHIVE_WARN)
          fail_write(disk.get(), rel);
      }
    }
    if (la.archive_write_finish_entry(disk.get()) < ARCHIVE_WARN) fail_write(disk.get(), rel);
    ++r.files;
    progress.update(r.files, 0, feed.consumed, input_size);
  }
  if (la.archive_write_close(disk.get()) < ARCHIVE_WARN) fail_write(disk.get(), "(closing)");
  progress.finish();
  return r;
}

// Positions `deb`'s ar reader on its member whose name starts with `prefix` ("data.tar").
bool find_member(const Libarchive& la, archive* ar, const std::string& prefix) {
  archive_entry* e = nullptr;
  while (la.archive_read_next_header(ar, &e) == ARCHIVE_OK)
    if (std::string(la.archive_entry_pathname(e)).rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

ExtractResult extract_archive(const std::string& archive_path, const std::string& dest,
                              const ExtractOptions& o) {
  auto file = open_file(archive_path);
  std::error_code ec;
  std::uint64_t size = fs::file_size(archive_path, ec);
  check_space(dest, size, o);
  const Libarchive& la = libarchive();
  Feed feed;
  feed.file = file.get();
  std::string what = fs::path(archive_path).filename().string();
  ArchivePtr a = open_reader(la, feed, false, what);
  return extract_all(la, a.get(), feed, size, dest, what, o);
}

DebInfo read_deb_info(const std::string& deb_path) {
  auto file = open_file(deb_path);
  const Libarchive& la = libarchive();
  Feed outer;
  outer.file = file.get();
  std::string what = fs::path(deb_path).filename().string();
  ArchivePtr ar = open_reader(la, outer, true, what);
  if (!find_member(la, ar.get(), "control.tar"))
    throw SourceError(ErrorKind::kOther, fmt::format("{} is not a .deb (no control.tar)", what));
  Feed inner;
  inner.parent = ar.get();
  ArchivePtr ctl = open_reader(la, inner, false, what + ": control.tar");
  archive_entry* e = nullptr;
  std::string control;
  while (la.archive_read_next_header(ctl.get(), &e) == ARCHIVE_OK) {
    if (strip_dot_slash(la.archive_entry_pathname(e)) != "control") continue;
    char buf[4096];
    la_ssize_t n;
    while ((n = la.archive_read_data(ctl.get(), buf, sizeof buf)) > 0)
      control.append(buf, static_cast<size_t>(n));
    break;
  }
  DebInfo info;
  size_t pos = 0;
  while (pos < control.size()) {
    size_t end = control.find('\n', pos);
    if (end == std::string::npos) end = control.size();
    std::string line = control.substr(pos, end - pos);
    pos = end + 1;
    auto field = [&](const char* key, std::string& out) {
      std::string k = std::string(key) + ":";
      if (line.rfind(k, 0) == 0) {
        out = line.substr(k.size());
        out.erase(0, out.find_first_not_of(" \t"));
        while (!out.empty() && (out.back() == ' ' || out.back() == '\r')) out.pop_back();
      }
    };
    field("Package", info.package);
    field("Version", info.version);
    field("Architecture", info.architecture);
  }
  if (info.package.empty() || info.version.empty())
    throw SourceError(ErrorKind::kOther,
                      fmt::format("{}: no Package/Version in its control file", what));
  return info;
}

ExtractResult extract_deb_tarball(const std::string& deb_path, const std::string& inner,
                                  const std::string& dest, const ExtractOptions& o) {
  auto file = open_file(deb_path);
  const Libarchive& la = libarchive();
  std::string what = fs::path(deb_path).filename().string();
  Feed outer;
  outer.file = file.get();
  ArchivePtr ar = open_reader(la, outer, true, what);
  if (!find_member(la, ar.get(), "data.tar"))
    throw SourceError(ErrorKind::kOther, fmt::format("{} is not a .deb (no data.tar)", what));
  Feed data_feed;
  data_feed.parent = ar.get();
  ArchivePtr data = open_reader(la, data_feed, false, what + ": data.tar");
  archive_entry* e = nullptr;
  std::string wanted = strip_dot_slash(inner);
  std::vector<std::string> seen;
  while (la.archive_read_next_header(data.get(), &e) == ARCHIVE_OK) {
    std::string name = strip_dot_slash(la.archive_entry_pathname(e));
    if (name != wanted) {
      if (name.rfind("usr/src/", 0) == 0 && seen.size() < 10) seen.push_back(name);
      continue;
    }
    auto size = static_cast<std::uint64_t>(la.archive_entry_size(e));
    check_space(dest, size, o);
    Feed tar_feed;
    tar_feed.parent = data.get();
    std::string inner_what = fs::path(wanted).filename().string();
    ArchivePtr tar = open_reader(la, tar_feed, false, what + ": " + inner_what);
    return extract_all(la, tar.get(), tar_feed, size, dest, inner_what, o);
  }
  std::string listing;
  for (const auto& s : seen) listing += (listing.empty() ? "" : ", ") + s;
  throw SourceError(ErrorKind::kOther, fmt::format("{} holds no /{} (under usr/src/: {})", what,
                                                   wanted, listing.empty() ? "nothing" : listing));
}

}  // namespace rk::source
