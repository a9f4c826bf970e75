#include "kconfig/parse_cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <system_error>
#include <thread>
#include <unordered_set>

#include "base/file.hpp"
#include "kconfig/base_dirs.hpp"
#include "kconfig/byte_io.hpp"
#include "kconfig/parse.hpp"
#include "kconfig/snapshot.hpp"

namespace rk::kconfig {

namespace {

constexpr char kMagic[8] = {'R', 'K', 'P', 'C', 'A', 'C', '0', '1'};

int64_t nanoseconds(const struct timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// The GNU build id of the object holding this code: a snapshot records the layout and the
// semantics of the engine that wrote it, so any other build must not read it. Falls back to
// the size and mtime of the executable when there is no build id.
std::string engine_build_id() {
  struct Search {
    const void* code;
    std::string id;
  } search{reinterpret_cast<const void*>(&engine_build_id), {}};
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void* data) -> int {
        auto* s = static_cast<Search*>(data);
        const auto code = reinterpret_cast<ElfW(Addr)>(s->code);
        bool holds_code = false;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          ElfW(Addr) start = info->dlpi_addr + ph.p_vaddr;
          if (ph.p_type == PT_LOAD && code >= start && code < start + ph.p_memsz) holds_code = true;
        }
        if (!holds_code) return 0;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE) continue;
          const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
          const char* end = p + ph.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
            const char* name = p + sizeof(ElfW(Nhdr));
            const char* desc = name + ((note->n_namesz + 3) & ~3u);
            if (desc + note->n_descsz > end) break;
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
                std::memcmp(name, "GNU", 4) == 0) {
              static const char hex[] = "0123456789abcdef";
              for (uint32_t k = 0; k < note->n_descsz; ++k) {
                auto b = static_cast<unsigned char>(desc[k]);
                s->id += hex[b >> 4];
                s->id += hex[b & 15];
              }
              return 1;
            }
            p = desc + ((note->n_descsz + 3) & ~3u);
          }
        }
        return 1;
      },
      &search);
  if (!search.id.empty()) return search.id;
  struct stat st {};
  if (::stat("/proc/self/exe", &st) != 0) return "";
  return "exe-" + std::to_string(st.st_size) + "-" + std::to_string(nanoseconds(st.st_mtim));
}

const std::string& cached_build_id() {
  static const std::string id = engine_build_id();
  return id;
}

// 64-bit FNV-1a: names the store's entry; the entry holds the whole key, which is compared.
std::string key_name(std::string_view key) {
  uint64_t h = 14695981039346656037ull;
  for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void write_inputs(ByteWriter& w, const ParseInputs& in) {
  w.u32(static_cast<uint32_t>(in.files.size()));
  for (const auto& f : in.files) {
    w.u8(static_cast<uint8_t>(f.base));
    w.str(f.path);
    w.u64(f.size);
    w.u64(f.inode);
    w.u64(f.device);
    w.u64(static_cast<uint64_t>(f.mtime_ns));
    w.u64(static_cast<uint64_t>(f.ctime_ns));
  }
  w.u32(static_cast<uint32_t>(in.absent.size()));
  for (const auto& a : in.absent) {
    w.u8(static_cast<uint8_t>(a.base));
    w.u8(a.missing_entirely);
    w.str(a.path);
  }
  w.u32(static_cast<uint32_t>(in.env_read.size()));
  for (const auto& [name, value] : in.env_read) {
    w.str(name);
    w.str(value);
  }
  w.u32(static_cast<uint32_t>(in.env_unset.size()));
  for (const auto& name : in.env_unset) w.str(name);
  w.u32(static_cast<uint32_t>(in.shell.size()));
  for (const auto& call : in.shell) {
    w.str(call.command);
    w.str(call.output);
  }
  w.u32(static_cast<uint32_t>(in.output.size()));
  for (const auto& out : in.output) {
    w.u8(out.info);
    w.str(out.line);
  }
}

ParseInputs::Base checked_base(uint8_t v) {
  if (v > static_cast<uint8_t>(ParseInputs::Base::Absolute))
    throw SnapshotError("snapshot: bad base");
  return static_cast<ParseInputs::Base>(v);
}

ParseInputs read_inputs(ByteReader& r) {
  ParseInputs in;
  uint32_t n = r.count(45);
  in.files.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    ParseInputs::File f;
    f.base = checked_base(r.u8());
    f.path = r.str();
    f.size = r.u64();
    f.inode = r.u64();
    f.device = r.u64();
    f.mtime_ns = static_cast<int64_t>(r.u64());
    f.ctime_ns = static_cast<int64_t>(r.u64());
    in.files.push_back(std::move(f));
  }
  n = r.count(6);
  for (uint32_t i = 0; i < n; ++i) {
    ParseInputs::Absent a;
    a.base = checked_base(r.u8());
    a.missing_entirely = r.u8() != 0;
    a.path = r.str();
    in.absent.push_back(std::move(a));
  }
  n = r.count(8);
  for (uint32_t i = 0; i < n; ++i) {
    std::string name = r.str();
    in.env_read.emplace_back(std::move(name), r.str());
  }
  n = r.count(4);
  for (uint32_t i = 0; i < n; ++i) in.env_unset.push_back(r.str());
  n = r.count(8);
  for (uint32_t i = 0; i < n; ++i) {
    std::string command = r.str();
    in.shell.push_back({std::move(command), r.str()});
  }
  n = r.count(5);
  for (uint32_t i = 0; i < n; ++i) {
    bool info = r.u8() != 0;
    in.output.push_back({info, r.str()});
  }
  return in;
}

// -2: the base directory itself cannot be opened.
int base_fd(const BaseDirectories& dirs, ParseInputs::Base base) {
  switch (base) {
    case ParseInputs::Base::Cwd:
      return dirs.cwd() == BaseDirectories::kUnavailable ? -2 : dirs.cwd();
    case ParseInputs::Base::Srctree:
      return dirs.srctree() == BaseDirectories::kUnavailable ? -2 : dirs.srctree();
    case ParseInputs::Base::Absolute:
      return AT_FDCWD;
  }
  return -2;
}

bool unchanged(const ParseInputs& in, const ParseOptions& o, const std::string& srctree) {
  for (const auto& [name, value] : in.env_read) {
    auto it = o.env.find(name);
    if (it == o.env.end() || it->second != value) return false;
  }
  for (const auto& name : in.env_unset)
    if (o.env.count(name)) return false;
  // Commands first: a live one may create or change files the checks below look at.
  if (!in.shell.empty()) {
    std::vector<std::string> commands;
    commands.reserve(in.shell.size());
    for (const auto& call : in.shell) commands.push_back(call.command);
    // Run side by side: only their answers are compared, and any difference means a parse.
    // (Without a runner, a parse sees every command print nothing.)
    auto outputs = o.shell ? o.shell->run_each(commands, o.env, o.cwd)
                           : std::vector<std::optional<std::string>>(commands.size(), "");
    for (size_t i = 0; i < commands.size(); ++i) {
      // No output: a command that fails (a profile without it, say) is left for the parse to
      // report properly.
      if (!outputs[i]) return false;
      std::string& out = *outputs[i];
      if (size_t nul = out.find('\0'); nul != std::string::npos) out.resize(nul);
      if (out != in.shell[i].output) return false;
    }
  }
  BaseDirectories dirs(o.cwd, srctree);
  for (const auto& f : in.files) {
    int fd = base_fd(dirs, f.base);
    if (fd == -2) return false;
    struct stat st {};
    if (::fstatat(fd, f.path.c_str(), &st, 0) != 0 || !S_ISREG(st.st_mode)) return false;
    if (static_cast<uint64_t>(st.st_size) != f.size || st.st_ino != f.inode ||
        st.st_dev != f.device || nanoseconds(st.st_mtim) != f.mtime_ns ||
        nanoseconds(st.st_ctim) != f.ctime_ns)
      return false;
  }
  for (const auto& a : in.absent) {
    int fd = base_fd(dirs, a.base);
    if (fd == -2) continue;  // no such directory: nothing can be found in it either
    struct stat st {};
    if (a.missing_entirely) {
      if (::fstatat(fd, a.path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
        return false;
    } else if (::fstatat(fd, a.path.c_str(), &st, 0) == 0 && S_ISREG(st.st_mode)) {
      return false;
    }
  }
  return true;
}

}  // namespace

void ParseInputs::add_file(Base base, std::string path, const struct stat& st) {
  files.push_back({base, std::move(path), static_cast<uint64_t>(st.st_size),
                   static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_dev),
                   nanoseconds(st.st_mtim), nanoseconds(st.st_ctim)});
}

std::string default_snapshot_dir(const Environment& env) {
  // RK_CACHE moves every cache the tool writes (sources, root filesystems, parsed trees).
  if (std::string rk = env_value(env, "RK_CACHE"); !rk.empty()) return rk + "/kconfig-trees";
  std::string base = env_value(env, "XDG_CACHE_HOME");
  if (base.empty() || base[0] != '/') {
    std::string home = env_value(env, "HOME");
    if (home.empty()) return "";
    base = home + "/.cache";
  }
  return base + "/runner-kernel/kconfig-trees";
}

namespace {

// The entry mapped, not read: restoring touches each byte once, so copying them first would
// only add page faults and a pass over 10 MB.
class MappedBytes : public StoredBytes {
 public:
  MappedBytes(void* addr, size_t size) : addr_(addr), size_(size) {}
  ~MappedBytes() override { ::munmap(addr_, size_); }
  MappedBytes(const MappedBytes&) = delete;
  MappedBytes& operator=(const MappedBytes&) = delete;
  std::string_view view() const override { return {static_cast<const char*>(addr_), size_}; }

 private:
  void* addr_;
  size_t size_;
};

}  // namespace

std::unique_ptr<StoredBytes> DirectorySnapshotStore::load(const std::string& key) {
  std::string path = dir_ + "/" + key_name(key) + ".tree";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  void* addr = MAP_FAILED;
  size_t size = 0;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    size = static_cast<size_t>(st.st_size);
    addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  }
  ::close(fd);
  if (addr == MAP_FAILED) return nullptr;
  return std::make_unique<MappedBytes>(addr, size);
}

void DirectorySnapshotStore::store(const std::string& key, std::string_view bytes) {
  // mkdir -p, quietly: a cache that cannot be written is only slower.
  for (size_t slash = dir_.find('/', 1);; slash = dir_.find('/', slash + 1)) {
    std::string part = dir_.substr(0, slash);
    if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return;
    if (slash == std::string::npos) break;
  }
  std::string path = dir_ + "/" + key_name(key) + ".tree";
  try {
    // A lost snapshot only costs a parse: no fsync.
    base::write_file_atomically(path, bytes, {.create_directories = false, .durable = false});
  } catch (const base::FileError&) {
    return;
  }
  prune();
}

void DirectorySnapshotStore::prune() {
  DIR* d = ::opendir(dir_.c_str());
  if (!d) return;
  std::vector<std::pair<int64_t, std::string>> entries;  // mtime, name
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".tree") != 0) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, 0) == 0)
      entries.emplace_back(nanoseconds(st.st_mtim), std::move(name));
  }
  ::closedir(d);
  if (entries.size() <= max_entries_) return;
  std::sort(entries.begin(), entries.end());
  for (size_t i = 0; i + max_entries_ < entries.size(); ++i)
    ::unlink((dir_ + "/" + entries[i].second).c_str());
}

std::string parse_cache_key(const ParseOptions& o, const std::string& srctree,
                            const Dialect& dialect, const std::string& arch) {
  const ParseLimits& l = o.limits;
  std::string key = "runner-kernel kconfig tree\nengine " + cached_build_id() + "\nkconfig " +
                    o.kconfig + "\nsrctree " + srctree + "\nrelease " +
                    std::to_string(dialect.version) + "." + std::to_string(dialect.patchlevel) +
                    "\narch " + arch + "\nlimits";
  for (size_t v : {static_cast<size_t>(l.macro_nesting), l.expansion_bytes, l.total_expansion_bytes,
                   l.macro_evaluations, l.source_statements, l.total_source_bytes, l.warnings,
                   l.simplify_work})
    key += " " + std::to_string(v);
  return key;
}

std::unique_ptr<Tree> restore_unchanged_tree(const ParseOptions& o, const std::string& key,
                                             const std::string& srctree) {
  std::shared_ptr<const StoredBytes> bytes = o.snapshots->load(key);
  if (!bytes) return nullptr;
  try {
    ByteReader r(bytes->view());
    char magic[sizeof kMagic];
    r.copy(magic, sizeof magic);
    if (std::memcmp(magic, kMagic, sizeof kMagic) != 0 || r.view() != key) return nullptr;
    ParseInputs in = read_inputs(r);
    // The check (some 1,500 stat() calls, or every command run again) and the restore are
    // independent and take milliseconds each: the check runs beside the restore, whose tree is
    // dropped should the check fail.
    bool same = false;
    std::thread check;
    try {
      check = std::thread([&] { same = unchanged(in, o, srctree); });
    } catch (const std::system_error&) {
      same = unchanged(in, o, srctree);
    }
    std::unique_ptr<Tree> tree;
    std::exception_ptr damaged;
    try {
      tree = restore_tree(r.rest(), bytes);
    } catch (...) {
      damaged = std::current_exception();
    }
    if (check.joinable()) check.join();
    if (!same) return nullptr;
    if (damaged) std::rethrow_exception(damaged);
    for (const auto& out : in.output) {
      if (out.info) {
        if (o.info) o.info(out.line);
      } else {
        o.diag->emit(out.line);
      }
    }
    return tree;
  } catch (const SnapshotError&) {
    return nullptr;  // a damaged entry is parsed again, and overwritten
  }
}

void store_parsed_tree(const ParseOptions& o, const std::string& key, ParseInputs inputs,
                       const Tree& tree) {
  for (const auto& [name, value] : tree.env_used) inputs.env_read.emplace_back(name, value);
  std::unordered_set<std::string> seen;
  std::vector<std::string> unset;
  for (auto& name : inputs.env_unset)
    if (seen.insert(name).second) unset.push_back(std::move(name));
  inputs.env_unset = std::move(unset);
  try {
    std::string snapshot = snapshot_tree(tree);
    ByteWriter w;
    w.raw(kMagic, sizeof kMagic);
    w.str(key);
    write_inputs(w, inputs);
    w.bytes() += snapshot;
    o.snapshots->store(key, w.bytes());
  } catch (const SnapshotError&) {
    // A tree the snapshot cannot represent is simply not kept.
  }
}

}  // namespace rk::kconfig
