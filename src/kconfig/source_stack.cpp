#include "kconfig/source_stack.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kconfig/diagnostics.hpp"

namespace rk::kconfig {

namespace {

// Regular files only: conf would happily read a FIFO or a device named by a 'source', which
// no kernel tree does and which would block or never end.
bool read_regular_file(const std::string& path, std::string& contents) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return false;
  }
  contents.clear();
  contents.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      contents.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      ::close(fd);
      return false;
    }
  }
  ::close(fd);
  return true;
}

// A path as fopen() in conf's working directory would see it.
std::string in_directory(const std::string& cwd, const std::string& path) {
  if (path.empty() || path[0] == '/' || cwd.empty() || cwd == ".") return path;
  return cwd.back() == '/' ? cwd + path : cwd + "/" + path;
}

}  // namespace

SourceStack::SourceStack(Tree& tree, Options options) : tree_(tree), options_(std::move(options)) {}

// zconf_fopen: the name as given (relative to the working directory), then, for a relative
// name, "$srctree/name".
bool SourceStack::load(const std::string& name, std::string& contents) const {
  auto read = [&](const std::string& path) {
    std::string full = in_directory(options_.cwd, path);
    return options_.read_file ? options_.read_file(full, contents)
                              : read_regular_file(full, contents);
  };
  if (read(name)) return true;
  if (name.empty() || name[0] != '/') {
    if (!options_.srctree.empty() && read(options_.srctree + "/" + name)) return true;
  }
  return false;
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

void SourceStack::open_top(const std::string& name) {
  SourceBuffer buf;
  if (!load(name, buf.text)) throw KconfigError("can't find file " + name);
  buf.file = register_file(name);
  legacy_records_[name];
  stack_.push_back(std::move(buf));
}

void SourceStack::push(const std::string& name, std::string_view where_file, int where_line) {
  top().child_source_line = where_line;
  SourceBuffer buf;
  if (legacy()) {
    // Before 6.9 the name was registered before the file was even opened.
    buf.file = register_file(name);
    if (!load(name, buf.text))
      throw KconfigError(std::string(where_file) + ":" + std::to_string(where_line) +
                         ": can't open file \"" + name + "\"");
    const std::string& includer = top().file->name;
    legacy_records_[includer].lineno = top().line;
    legacy_records_[name].parent = includer;
    std::string iter = includer;
    for (size_t hops = 0; !iter.empty() && hops <= legacy_records_.size(); ++hops) {
      if (iter == name) legacy_recursion_error(name);
      iter = legacy_records_[iter].parent;
    }
  } else {
    if (!load(name, buf.text))
      throw KconfigError(std::string(where_file) + ":" + std::to_string(where_line) +
                         ": can't open file \"" + name + "\"");
    for (const SourceBuffer& open : stack_)
      if (open.file->name == name) recursion_error(name);
    buf.file = register_file(name);
  }
  stack_.push_back(std::move(buf));
}

bool SourceStack::pop() {
  if (stack_.size() <= 1) return false;
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
