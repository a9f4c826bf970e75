#include "kconfig/source_stack.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <cstdio>
#include <cstdlib>

#include "kconfig/diagnostics.hpp"

namespace rk::kconfig {

namespace {

enum class ReadResult { Missing, Read, TooLarge };

// Regular files only: conf would happily read a FIFO or a device named by a 'source', which
// no kernel tree does and which would block or never end. `dir_fd` is a directory descriptor
// or AT_FDCWD. Reads straight into `storage` (reused from file to file, never shrunk): one
// read() for a file whose size fstat() told. The text is the first `size` bytes, then a NUL.
// A file larger than `max_size` is left unread.
ReadResult read_regular_file(int dir_fd, const char* path, std::string& storage, size_t& size,
                             size_t max_size) {
  int fd = ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return ReadResult::Missing;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return ReadResult::Missing;
  }
  const size_t expected = static_cast<size_t>(st.st_size);
  if (expected > max_size) {
    ::close(fd);
    return ReadResult::TooLarge;
  }
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
      return ReadResult::Missing;
    }
  }
  ::close(fd);
  storage[got] = '\0';
  size = got;
  return ReadResult::Read;
}

// A path as fopen() in conf's working directory would see it.
std::string in_directory(const std::string& cwd, const std::string& path) {
  if (path.empty() || path[0] == '/' || cwd.empty() || cwd == ".") return path;
  return cwd.back() == '/' ? cwd + path : cwd + "/" + path;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// The names of the 'source "NAME"' lines of a Kconfig text, in order, as far as they can be
// told without parsing: a name with a macro reference or an escape is left out, and a help
// text that reads like a source statement is taken for one (reading a file for nothing is
// harmless).
void sourced_names(std::string_view text, std::vector<std::string>& out) {
  static constexpr std::string_view kSource = "source";
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    size_t i = pos;
    pos = eol + 1;
    while (i < eol && is_blank(text[i])) ++i;
    if (eol - i < kSource.size() + 3 || text.compare(i, kSource.size(), kSource) != 0) continue;
    i += kSource.size();
    if (!is_blank(text[i])) continue;
    while (i < eol && is_blank(text[i])) ++i;
    if (i >= eol || (text[i] != '"' && text[i] != '\'')) continue;
    char quote = text[i++];
    size_t end = text.find(quote, i);
    if (end == std::string_view::npos || end >= eol) continue;
    std::string_view name = text.substr(i, end - i);
    if (name.empty() || name.find_first_of("$\\") != std::string_view::npos) continue;
    out.emplace_back(name);
  }
}

}  // namespace

// zconf_fopen on the file system: the name as given (relative to the working directory), then,
// for a relative name, "$srctree/name". Relative names are opened through descriptors of those
// two directories, so that the kernel walks only the part below them (same file, same result
// as the joined path). The first attempt nearly always fails (the working directory is the
// object tree): a name whose first component the working directory lacks is not tried there,
// which the reader remembers until forget() (a $(shell,...) command may have created it).
// Safe to use from several threads.
class FileSystemReader {
 public:
  FileSystemReader(std::string cwd, std::string srctree)
      : cwd_(std::move(cwd)), srctree_(std::move(srctree)) {
    if (!cwd_.empty() && cwd_ != ".")
      cwd_fd_ = ::open(cwd_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (!srctree_.empty()) {
      srctree_dir_ = in_directory(cwd_, srctree_);
      srctree_fd_ = ::open(srctree_dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
  }
  ~FileSystemReader() {
    if (cwd_fd_ >= 0) ::close(cwd_fd_);
    if (srctree_fd_ >= 0) ::close(srctree_fd_);
  }
  FileSystemReader(const FileSystemReader&) = delete;
  FileSystemReader& operator=(const FileSystemReader&) = delete;

  ReadResult read(const std::string& name, std::string& storage, size_t& size,
                  size_t max_size = SIZE_MAX) const {
    const bool absolute = !name.empty() && name[0] == '/';
    const bool cwd_relative = !name.empty() && !absolute && !cwd_.empty() && cwd_ != ".";
    ReadResult r = ReadResult::Missing;
    if (absolute || !absent_from_cwd(name)) {
      r = cwd_relative ? read_in(cwd_, cwd_fd_, name, storage, size, max_size)
                       : read_regular_file(AT_FDCWD, name.c_str(), storage, size, max_size);
    }
    // "$srctree/" (an empty name) is a directory, not a file.
    if (r != ReadResult::Missing || absolute || name.empty() || srctree_.empty()) return r;
    return read_in(srctree_dir_, srctree_fd_, name, storage, size, max_size);
  }

  void forget() {
    std::lock_guard<std::mutex> lock(mu_);
    absent_.clear();
    ++epoch_;
  }

 private:
  // Whether the first component of the relative `name` is missing from the working directory
  // (so that opening `name` there fails).
  bool absent_from_cwd(const std::string& name) const {
    if (name.empty()) return false;
    std::string first = name.substr(0, name.find('/'));
    uint64_t epoch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (absent_.count(first)) return true;
      epoch = epoch_;
    }
    const bool in_cwd = cwd_.empty() || cwd_ == ".";
    int dir_fd = in_cwd ? AT_FDCWD : cwd_fd_;
    if (dir_fd != AT_FDCWD && dir_fd < 0) return false;
    struct stat st {};
    if (::fstatat(dir_fd, first.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
      return false;
    std::lock_guard<std::mutex> lock(mu_);
    if (epoch == epoch_) absent_.insert(std::move(first));
    return true;
  }

  static ReadResult read_in(const std::string& dir, int dir_fd, const std::string& path,
                            std::string& storage, size_t& size, size_t max_size) {
    if (dir_fd >= 0) return read_regular_file(dir_fd, path.c_str(), storage, size, max_size);
    std::string full = dir.back() == '/' ? dir + path : dir + "/" + path;
    return read_regular_file(AT_FDCWD, full.c_str(), storage, size, max_size);
  }

  std::string cwd_, srctree_, srctree_dir_;
  int cwd_fd_ = -1, srctree_fd_ = -1;
  mutable std::mutex mu_;
  mutable std::unordered_set<std::string> absent_;  // first components missing from cwd
  mutable uint64_t epoch_ = 0;                      // counts forget()s
};

// Reads Kconfig files ahead of the parser on a helper thread, so that the parser finds most of
// them already in memory. Which files come next is guessed from the 'source' lines of the files
// read (depth first, which is the order the parser takes them in). A guess costs nothing when
// wrong: the parser reads whatever it finds missing itself, exactly as it would without the
// helper. What the helper read is only used when no $(shell,...) command ran since it started
// reading it (a command could have changed the file).
class FilePrefetcher {
 public:
  explicit FilePrefetcher(const FileSystemReader& fs) : fs_(fs) {}
  ~FilePrefetcher() {
    if (getenv("RK_PREFETCH_STATS")) fprintf(stderr, "TMPSTATS hits %zu waits %zu misses %zu stale %zu reads %zu\n", st_hit, st_wait, st_miss, st_stale, st_reads);
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  FilePrefetcher(const FilePrefetcher&) = delete;
  FilePrefetcher& operator=(const FilePrefetcher&) = delete;

  // Moves the text of `name` into `buf` when it was read ahead (waiting when it is being read
  // right now). False when the caller has to read the file; the helper then looks for what the
  // file sources, next.
  bool take(const std::string& name, SourceBuffer& buf) {
    std::unique_lock<std::mutex> lock(mu_);
    auto [it, unknown] = entries_.try_emplace(name);
    Entry& e = it->second;
    if (e.state == State::Taken) return false;  // sourced again: its sources are known
    if (unknown || e.state == State::Queued) {
      ++st_miss;
      e.state = State::Taken;
      if (failed_) return false;
      todo_.push_back({name, true});
      if (!thread_.joinable()) {
        try {
          thread_ = std::thread([this] { run(); });
        } catch (const std::system_error&) {
          failed_ = true;  // no thread: the parser reads everything itself
        }
      } else {
        wake_helper(lock);
      }
      return false;
    }
    if (e.state == State::Reading) {
      ++st_wait;
      parser_waiting_ = true;
      done_.wait(lock, [&] { return e.state != State::Reading; });
      parser_waiting_ = false;
    }
    e.state = State::Taken;
    --ready_;
    ready_bytes_ -= e.size;
    // What was not found is looked for again: the answer is the parser's to give.
    bool usable = e.found && e.generation == generation_.load(std::memory_order_relaxed);
    if (usable) ++st_hit; else ++st_stale;
    std::string& unused = usable ? buf.storage : e.storage;
    if (unused.size() && spare_.size() < kMaxSpare) spare_.push_back(std::move(unused));
    if (usable) {
      buf.storage = std::move(e.storage);
      buf.size = e.size;
    }
    e.storage = std::string();
    wake_helper(lock);  // room to read further ahead
    return usable;
  }

  // Storage of a file the parser is done with, for reuse.
  void give_back(std::string storage) {
    std::lock_guard<std::mutex> lock(mu_);
    if (spare_.size() < kMaxSpare) spare_.push_back(std::move(storage));
  }

  void invalidate() { generation_.fetch_add(1, std::memory_order_release); }

 private:
  enum class State { Queued, Reading, Done, Taken };
  struct Entry {
    State state = State::Queued;
    bool found = false;
    uint64_t generation = 0;
    std::string storage;
    size_t size = 0;
  };
  struct Task {
    std::string name;
    bool scan_only;
  };
  // How far ahead the helper reads (files and bytes waiting for the parser; a file larger than
  // kMaxFileBytes is left to the parser), and the buffers kept for reuse. A short lead keeps
  // the buffers few and warm.
  static constexpr size_t kMaxReady = 256;
  static constexpr size_t kMaxReadyBytes = size_t{8} << 20;
  static constexpr size_t kMaxFileBytes = size_t{1} << 20;
  static constexpr size_t kMaxSpare = 64;

  bool has_work() const {
    return !todo_.empty() && ready_ < kMaxReady && ready_bytes_ < kMaxReadyBytes;
  }

  // Called with the lock held, which it releases.
  void wake_helper(std::unique_lock<std::mutex>& lock) {
    bool wake = helper_idle_ && has_work();
    lock.unlock();
    if (wake) work_.notify_one();
  }

  void run() {
    try {
      read_ahead();
    } catch (...) {
      // Out of memory, say: stop reading ahead; the parser reads what is left itself.
      std::lock_guard<std::mutex> lock(mu_);
      failed_ = true;
      if (reading_) {
        reading_->found = false;
        reading_->state = State::Done;
        ++ready_;
      }
    }
    done_.notify_one();
  }

  void read_ahead() {
    std::vector<std::string> names;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (!stop_ && !has_work()) {
        helper_idle_ = true;
        work_.wait(lock, [&] { return stop_ || has_work(); });
        helper_idle_ = false;
      }
      if (stop_) return;
      Task task = std::move(todo_.back());
      todo_.pop_back();
      Entry* entry = nullptr;
      if (!task.scan_only) {
        entry = &entries_[task.name];
        if (entry->state != State::Queued) continue;  // the parser read it meanwhile
        entry->state = State::Reading;
        reading_ = entry;
      }
      std::string storage;
      if (!spare_.empty()) {
        storage = std::move(spare_.back());
        spare_.pop_back();
      }
      lock.unlock();

      uint64_t generation = generation_.load(std::memory_order_acquire);
      size_t size = 0;
      bool found = fs_.read(task.name, storage, size, kMaxFileBytes) == ReadResult::Read;
      ++st_reads;
      names.clear();
      if (found) sourced_names(std::string_view(storage.data(), size), names);

      lock.lock();
      bool parser_waits = false;
      if (entry) {
        entry->storage = std::move(storage);
        entry->found = found;
        entry->size = size;
        entry->generation = generation;
        entry->state = State::Done;
        reading_ = nullptr;
        ++ready_;
        ready_bytes_ += size;
        parser_waits = parser_waiting_;
      } else if (spare_.size() < kMaxSpare) {
        spare_.push_back(std::move(storage));
      }
      // Depth first: the first file named is read next.
      for (size_t i = names.size(); i-- > 0;) {
        auto [it, fresh] = entries_.try_emplace(std::move(names[i]));
        if (fresh) todo_.push_back({it->first, false});
      }
      if (parser_waits) {
        lock.unlock();
        done_.notify_one();
        lock.lock();
      }
    }
  }

  size_t st_hit = 0, st_wait = 0, st_miss = 0, st_stale = 0, st_reads = 0;
  const FileSystemReader& fs_;
  std::mutex mu_;
  std::condition_variable work_;  // the helper waits for work
  std::condition_variable done_;  // the parser waits for a file being read
  std::thread thread_;
  bool stop_ = false;
  bool failed_ = false;
  bool helper_idle_ = false;
  bool parser_waiting_ = false;
  std::vector<Task> todo_;  // a stack: the next file to read is at the back
  std::unordered_map<std::string, Entry> entries_;
  Entry* reading_ = nullptr;
  size_t ready_ = 0;  // entries Done and not taken, and their bytes
  size_t ready_bytes_ = 0;
  std::vector<std::string> spare_;
  std::atomic<uint64_t> generation_{0};
};

SourceStack::SourceStack(Tree& tree, Options options) : tree_(tree), options_(std::move(options)) {
  if (!options_.read_file) {
    fs_ = std::make_unique<FileSystemReader>(options_.cwd, options_.srctree);
    if (options_.prefetch) prefetch_ = std::make_unique<FilePrefetcher>(*fs_);
  }
}

SourceStack::~SourceStack() = default;

void SourceStack::files_may_have_changed() {
  if (fs_) fs_->forget();
  if (prefetch_) prefetch_->invalidate();
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
  if (prefetch_ && prefetch_->take(name, buf)) return true;
  return fs_->read(name, buf.storage, buf.size) == ReadResult::Read;
}

SourceBuffer SourceStack::new_buffer() {
  SourceBuffer buf;
  if (!spare_texts_.empty()) {
    buf.storage = std::move(spare_texts_.back());
    spare_texts_.pop_back();
  }
  return buf;
}

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
  if (prefetch_ && !spare_texts_.empty())
    prefetch_->give_back(std::move(stack_.back().storage));
  else
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
