#include "kconfig/source_stack.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "kconfig/diagnostics.hpp"

namespace rk::kconfig {

namespace {

// Regular files only: conf would happily read a FIFO or a device named by a 'source', which
// no kernel tree does and which would block or never end. `dir_fd` is a directory descriptor
// or AT_FDCWD. Reads straight into `contents` (whose storage may be reused): one read() for a
// file whose size fstat() told.
bool read_regular_file(int dir_fd, const char* path, std::string& contents) {
  int fd = ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return false;
  }
  const size_t expected = static_cast<size_t>(st.st_size);
  // One byte more than expected, so that a file that grew is noticed.
  contents.resize(expected + 1);
  size_t got = 0;
  for (;;) {
    if (got == contents.size()) contents.resize(contents.size() * 2);
    size_t room = contents.size() - got;
    ssize_t n = ::read(fd, contents.data() + got, room);
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
  contents.resize(got);
  return true;
}

bool read_regular_file(const std::string& path, std::string& contents) {
  return read_regular_file(AT_FDCWD, path.c_str(), contents);
}

// A path as fopen() in conf's working directory would see it.
std::string in_directory(const std::string& cwd, const std::string& path) {
  if (path.empty() || path[0] == '/' || cwd.empty() || cwd == ".") return path;
  return cwd.back() == '/' ? cwd + path : cwd + "/" + path;
}

}  // namespace

SourceStack::SourceStack(Tree& tree, Options options) : tree_(tree), options_(std::move(options)) {}

SourceStack::~SourceStack() {
  if (cwd_fd_ >= 0) ::close(cwd_fd_);
  if (srctree_fd_ >= 0) ::close(srctree_fd_);
}

// `dir`/`path` with a relative `path`, opened through a descriptor of `dir` so that the
// kernel walks only the path below it (same file, same result as the joined path).
bool SourceStack::read_in(const std::string& dir, int& dir_fd, const std::string& path,
                          std::string& contents) {
  if (dir_fd == -2) dir_fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) return read_regular_file(dir_fd, path.c_str(), contents);
  path_ = dir.back() == '/' ? dir + path : dir + "/" + path;
  return read_regular_file(path_, contents);
}

// zconf_fopen: the name as given (relative to the working directory), then, for a relative
// name, "$srctree/name".
bool SourceStack::load(const std::string& name, std::string& contents) {
  const std::string& cwd = options_.cwd;
  const std::string& srctree = options_.srctree;
  const bool absolute = !name.empty() && name[0] == '/';
  if (options_.read_file) {
    if (options_.read_file(in_directory(cwd, name), contents)) return true;
    return !absolute && !srctree.empty() &&
           options_.read_file(in_directory(cwd, srctree + "/" + name), contents);
  }
  const bool cwd_relative = !name.empty() && !absolute && !cwd.empty() && cwd != ".";
  if (cwd_relative ? read_in(cwd, cwd_fd_, name, contents) : read_regular_file(name, contents))
    return true;
  // "$srctree/" (an empty name) is a directory, not a file.
  if (absolute || name.empty() || srctree.empty()) return false;
  return read_in(in_directory(cwd, srctree), srctree_fd_, name, contents);
}

SourceBuffer SourceStack::new_buffer() {
  SourceBuffer buf;
  if (!spare_texts_.empty()) {
    buf.text = std::move(spare_texts_.back());
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
void SourceStack::account(const std::string& text, std::string_view where_file, int where_line) {
  bytes_ += text.size();
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
  if (!load(name, buf.text)) throw KconfigError("can't find file " + name);
  account(buf.text, name, 0);
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
    if (!load(name, buf.text))
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
    if (!load(name, buf.text))
      throw KconfigError(std::string(where_file) + ":" + std::to_string(where_line) +
                         ": can't open file \"" + name + "\"");
    for (const SourceBuffer& open : stack_)
      if (open.file->name == name) recursion_error(name);
    buf.file = register_file(name);
  }
  account(buf.text, where_file, where_line);
  stack_.push_back(std::move(buf));
}

bool SourceStack::pop() {
  if (stack_.size() <= 1) return false;
  spare_texts_.push_back(std::move(stack_.back().text));
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
