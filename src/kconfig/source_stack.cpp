#include "kconfig/source_stack.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_set>

#include "kconfig/base_dirs.hpp"
#include "kconfig/diagnostics.hpp"

namespace rk::kconfig {

namespace {

// Regular files only: conf would happily read a FIFO or a device named by a 'source', which
// no kernel tree does and which would block or never end. `dir_fd` is a directory descriptor
// or AT_FDCWD. Reads straight into `storage` (reused from file to file, never shrunk): one
// read() for a file whose size fstat() told. The text is the first `size` bytes, then a NUL.
bool read_regular_file(int dir_fd, const char* path, std::string& storage, size_t& size,
                       struct stat& st) {
  int fd = ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return false;
  }
  const size_t expected = static_cast<size_t>(st.st_size);
  // Room for one byte more than expected (so that a file that grew is noticed) and the NUL.
  if (storage.size() < expected + 2) storage.resize(expected + 2);
  size_t got = 0;
  for (;;) {
    if (got + 1 == storage.size()) storage.resize(storage.size() * 2);
    size_t room = storage.size() - 1 - got;
    ssize_t n = ::read(fd, storage.data() + got, room);
    if (n > 0) {
      got += static_cast<size_t>(n);
      // A short read that reaches the size fstat() reported is the end of the file.
      if (got == expected && static_cast<size_t>(n) < room) break;
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      ::close(fd);
      return false;
    }
  }
  ::close(fd);
  storage[got] = '\0';
  size = got;
  return true;
}

}  // namespace

// zconf_fopen on the file system: the name as given (relative to the working directory), then,
// for a relative name, "$srctree/name". Relative names are opened through descriptors of those
// two directories, so that the kernel walks only the part below them (same file, same result
// as the joined path). The first attempt nearly always fails (the working directory is the
// object tree): a name whose first component the working directory lacks is not tried there,
// which the reader remembers until forget() (a $(shell,...) command may have created it).
class FileSystemReader {
 public:
  FileSystemReader(std::string cwd, std::string srctree, ParseInputs* inputs)
      : cwd_(std::move(cwd)),
        srctree_(std::move(srctree)),
        dirs_(cwd_, srctree_),
        inputs_(inputs) {}

  bool read(const std::string& name, std::string& storage, size_t& size) {
    using Base = ParseInputs::Base;
    const bool absolute = !name.empty() && name[0] == '/';
    const bool cwd_relative = !name.empty() && !absolute && !cwd_.empty() && cwd_ != ".";
    struct stat st {};
    if (absolute || !absent_from_cwd(name)) {
      if (cwd_relative ? read_in(cwd_, dirs_.cwd(), name, storage, size, st)
                       : read_regular_file(AT_FDCWD, name.c_str(), storage, size, st)) {
        if (inputs_) inputs_->add_file(absolute ? Base::Absolute : Base::Cwd, name, st);
        return true;
      }
      if (inputs_ && !absolute) inputs_->absent.push_back({Base::Cwd, false, name});
    }
    // "$srctree/" (an empty name) is a directory, not a file.
    if (absolute || name.empty() || srctree_.empty()) return false;
    if (!read_in(dirs_.srctree_dir(), dirs_.srctree(), name, storage, size, st)) return false;
    if (inputs_) inputs_->add_file(Base::Srctree, name, st);
    return true;
  }

  void forget() { absent_.clear(); }

 private:
  // Whether the first component of the relative `name` is missing from the working directory
  // (so that opening `name` there fails).
  bool absent_from_cwd(const std::string& name) {
    if (name.empty()) return false;
    std::string first = name.substr(0, name.find('/'));
    if (absent_.count(first)) return true;
    const int dir_fd = dirs_.cwd();
    if (dir_fd == BaseDirectories::kUnavailable) return false;
    struct stat st {};
    if (::fstatat(dir_fd, first.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
      return false;
    if (inputs_) inputs_->absent.push_back({ParseInputs::Base::Cwd, true, first});
    absent_.insert(std::move(first));
    return true;
  }

  static bool read_in(const std::string& dir, int dir_fd, const std::string& path,
                      std::string& storage, size_t& size, struct stat& st) {
    if (dir_fd >= 0) return read_regular_file(dir_fd, path.c_str(), storage, size, st);
    std::string full = dir.back() == '/' ? dir + path : dir + "/" + path;
    return read_regular_file(AT_FDCWD, full.c_str(), storage, size, st);
  }

  std::string cwd_, srctree_;
  BaseDirectories dirs_;
  ParseInputs* inputs_;
  std::unordered_set<std::string> absent_;  // first components missing from cwd
};

SourceStack::SourceStack(Tree& tree, Options options) : tree_(tree), options_(std::move(options)) {
  if (!options_.read_file)
    fs_ = std::make_unique<FileSystemReader>(options_.cwd, options_.srctree, options_.inputs);
}

SourceStack::~SourceStack() = default;

void SourceStack::files_may_have_changed() {
  if (fs_) fs_->forget();
}

bool SourceStack::load(const std::string& name, SourceBuffer& buf) {
  if (!fs_) {
    const std::string& cwd = options_.cwd;
    const std::string& srctree = options_.srctree;
    auto read = [&](const std::string& path) {
      if (!options_.read_file(path, buf.storage)) return false;
      buf.size = buf.storage.size();  // a std::string ends with a NUL already
      return true;
    };
    if (read(in_directory(cwd, name))) return true;
    return (name.empty() || name[0] != '/') && !srctree.empty() &&
           read(in_directory(cwd, srctree + "/" + name));
  }
  return fs_->read(name, buf.storage, buf.size);
}

SourceBuffer SourceStack::new_buffer() {
  SourceBuffer buf;
  if (!spare_texts_.empty()) {
    buf.storage = std::move(spare_texts_.back());
    spare_texts_.pop_back();
  }
  return buf;
}

// conf's file_lookup(): every distinct name once, in the order first seen.
const SourceFile* SourceStack::register_file(const std::string& name) {
  if (auto it = files_.find(name); it != files_.end()) return it->second;
  const SourceFile* parent = stack_.empty() ? nullptr : stack_.back().file;
  int parent_line = stack_.empty() ? 0 : stack_.back().child_source_line;
  const SourceFile* f = tree_.add_file(name, parent, parent_line);
  files_.emplace(name, f);
  return f;
}

// Beyond conf: a tree that sources the same files over and over (exponentially, say) stops
// here instead of running forever.
void SourceStack::account(const SourceBuffer& buf, std::string_view where_file, int where_line) {
  bytes_ += buf.size;
  auto where = [&] { return std::string(where_file) + ":" + std::to_string(where_line) + ": "; };
  if (++sources_ > options_.max_sources)
    throw KconfigError(where() + "more than " + std::to_string(options_.max_sources) +
                       " files sourced; giving up");
  if (bytes_ > options_.max_total_bytes)
    throw KconfigError(where() + "more than " + std::to_string(options_.max_total_bytes) +
                       " bytes of Kconfig text read; giving up");
}

void SourceStack::open_top(const std::string& name) {
  SourceBuffer buf = new_buffer();
  if (!load(name, buf)) throw KconfigError("can't find file " + name);
  account(buf, name, 0);
  buf.file = register_file(name);
  legacy_records_[name];
  stack_.push_back(std::move(buf));
}

void SourceStack::push(const std::string& name, std::string_view where_file, int where_line) {
  top().child_source_line = where_line;
  SourceBuffer buf = new_buffer();
  if (legacy()) {
    // Before 6.9 the name was registered before the file was even opened.
    buf.file = register_file(name);
    if (!load(name, buf))
      throw KconfigError(std::string(where_file) + ":" + std::to_string(where_line) +
                         ": can't open file \"" + name + "\"");
    const std::string& includer = top().file->name;
    legacy_records_[includer].lineno = top().line;
    legacy_records_[name].parent = includer;
    // (Records are never erased, so pointers to their names stay valid.)
    const std::string* iter = &includer;
    for (size_t hops = 0; !iter->empty() && hops <= legacy_records_.size(); ++hops) {
      if (*iter == name) legacy_recursion_error(name);
      iter = &legacy_records_[*iter].parent;
    }
  } else {
    if (!load(name, buf))
      throw KconfigError(std::string(where_file) + ":" + std::to_string(where_line) +
                         ": can't open file \"" + name + "\"");
    for (const SourceBuffer& open : stack_)
      if (open.file->name == name) recursion_error(name);
    buf.file = register_file(name);
  }
  account(buf, where_file, where_line);
  stack_.push_back(std::move(buf));
}

bool SourceStack::pop() {
  if (stack_.size() <= 1) return false;
  spare_texts_.push_back(std::move(stack_.back().storage));
  stack_.pop_back();
  return true;
}

void SourceStack::recursion_error(const std::string& name) const {
  std::string msg = "Recursive inclusion detected.\nInclusion path:\n  current file : " + name;
  for (size_t i = stack_.size(); i-- > 0;)
    msg += "\n  included from: " + stack_[i].file->name + ":" +
           std::to_string(stack_[i].child_source_line);
  throw KconfigError(msg);
}

// Walks the per-name records from the file being included back to its earlier inclusion,
// printing each includer's line counter minus one (the counter had already passed the
// 'source' line's newline).
void SourceStack::legacy_recursion_error(const std::string& name) {
  std::string msg = "Recursive inclusion detected.\nInclusion path:\n  current file : " + name;
  std::string iter = name;
  for (size_t hops = 0; hops <= legacy_records_.size(); ++hops) {
    iter = legacy_records_[iter].parent;
    if (iter.empty()) break;
    msg += "\n  included from: " + iter + ":" + std::to_string(legacy_records_[iter].lineno - 1);
    if (iter == name) break;
  }
  throw KconfigError(msg);
}

}  // namespace rk::kconfig
