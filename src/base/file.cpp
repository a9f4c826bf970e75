#include "base/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <vector>

namespace rk::base {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& path, int error_number, const std::string& doing) {
  std::string what = doing + ": " + std::strerror(error_number);
  if (error_number == ENOSPC || error_number == EDQUOT)
    what += " (disk full; " + path + " was left unchanged)";
  throw FileError(path, error_number, what);
}

// Reads all of `fd`; false with errno set on a read error.
bool read_all(int fd, std::string& out) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buffer, static_cast<size_t>(n));
  }
}

bool write_all(int fd, std::string_view content) {
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Opens `path` for reading and sizes `out` for it; -1 with errno set on failure.
int open_for_reading(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    errno = EISDIR;
    return -1;
  }
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<size_t>(st.st_size));
  return fd;
}

// A fresh unused name `.<name>.<tag>-XXXXXX` beside `path`: the file mkostemp creates, open.
int make_temp(const std::string& path, const char* tag, std::string& name) {
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string pattern = (dir / ("." + target.filename().string() + "." + tag + "-XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = ::mkostemp(buf.data(), O_CLOEXEC);
  if (fd >= 0) name = buf.data();
  return fd;
}

void fsync_directory(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

bool FileError::disk_full() const {
  return error_number_ == ENOSPC || error_number_ == EDQUOT;
}

std::string read_file(const std::string& path) {
  std::string out;
  int fd = open_for_reading(path, out);
  if (fd < 0) fail(path, errno, "cannot read " + path);
  bool ok = read_all(fd, out);
  int e = errno;
  ::close(fd);
  if (!ok) fail(path, e, "cannot read " + path);
  return out;
}

std::optional<std::string> read_file_if_readable(const std::string& path) {
  std::string out;
  int fd = open_for_reading(path, out);
  if (fd < 0) return std::nullopt;
  bool ok = read_all(fd, out);
  ::close(fd);
  if (!ok) return std::nullopt;
  return out;
}

void write_file_atomically(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options) {
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (options.create_directories) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail(path, ec.value(), "cannot create the directory " + dir.string());
  }
  std::string temp;
  int fd = make_temp(path, "tmp", temp);
  if (fd < 0) fail(path, errno, "cannot create a temporary file in " + dir.string());
  auto give_up = [&](int error_number, const std::string& doing) {
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    fail(path, error_number, doing);
  };
  struct stat st {};
  mode_t mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : options.new_file_mode;
  if (::fchmod(fd, mode) != 0) give_up(errno, "cannot set the mode of " + temp);
  if (!write_all(fd, content)) give_up(errno, "cannot write " + path);
  if (options.durable && ::fsync(fd) != 0) give_up(errno, "cannot write " + path);
  int closed = ::close(fd);
  fd = -1;
  if (closed != 0) give_up(errno, "cannot write " + path);
  if (!options.keep_previous_as.empty())
    (void)::rename(path.c_str(), options.keep_previous_as.c_str());
  if (::rename(temp.c_str(), path.c_str()) != 0)
    give_up(errno, "cannot rename " + temp + " to " + path);
  // The rename is durable only once the directory is on disk; a failure here leaves the new
  // file in place, so it is not an error of the write.
  if (options.durable) fsync_directory(path);
}

bool write_file_if_changed(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options) {
  if (read_file_if_readable(path) == content) return false;
  write_file_atomically(path, content, options);
  return true;
}

namespace {

constexpr std::string_view kJournalHeader = "runner-kernel multi-file write v1\n";

// Test-only fault injection for write_files_atomically (see file.hpp).
class StepCounter {
 public:
  StepCounter()
      : fail_at_(env_number("RK_TEST_FAIL_FILE_STEP")),
        kill_at_(env_number("RK_TEST_KILL_FILE_STEP")) {}
  // Counts a step; true when it is the one that must fail (errno is then ENOSPC).
  bool next_fails() {
    ++step_;
    if (kill_at_ != 0 && step_ == kill_at_) ::raise(SIGKILL);
    if (fail_at_ != 0 && step_ == fail_at_) {
      errno = ENOSPC;
      return true;
    }
    return false;
  }

 private:
  static long env_number(const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtol(v, nullptr, 10) : 0;
  }
  long fail_at_, kill_at_, step_ = 0;
};

struct Staged {
  std::string target, temp, backup;  // backup empty: the target did not exist
  bool renamed = false;
};

std::string journal_text(const std::vector<Staged>& staged) {
  std::string out(kJournalHeader);
  for (const Staged& s : staged) {
    out += s.target;
    out += '\0';
    out += s.backup;
    out += '\0';
    out += s.temp;
    out += '\0';
  }
  return out;
}

// Puts every target back as it was; returns the errno of the first step that failed (0: none).
int undo(std::vector<Staged>& staged) {
  int first_error = 0;
  for (auto it = staged.rbegin(); it != staged.rend(); ++it) {
    if (!it->backup.empty()) {
      // The backup is a link to the old file. While the target still is that file (its
      // temporary was not renamed), rename() would do nothing: the backup is just dropped.
      struct stat b {
      }, t{};
      bool same = ::stat(it->backup.c_str(), &b) == 0 && ::stat(it->target.c_str(), &t) == 0 &&
                  b.st_dev == t.st_dev && b.st_ino == t.st_ino;
      int r =
          same ? ::unlink(it->backup.c_str()) : ::rename(it->backup.c_str(), it->target.c_str());
      if (r != 0 && errno != ENOENT && first_error == 0) first_error = errno;
    } else if (it->renamed) {
      if (::unlink(it->target.c_str()) != 0 && errno != ENOENT && first_error == 0)
        first_error = errno;
    }
    if (!it->temp.empty()) ::unlink(it->temp.c_str());
    fsync_directory(it->target);
  }
  return first_error;
}

}  // namespace

void write_files_atomically(const std::vector<FileReplacement>& files, const std::string& journal,
                            const AtomicWriteOptions& options) {
  StepCounter steps;
  std::vector<Staged> staged;
  bool journal_written = false;
  auto give_up = [&](const std::string& path, int error_number, const std::string& doing) {
    // Undo first, then drop the journal: killed while undoing, the next run finishes it.
    int undo_error = undo(staged);
    if (journal_written && undo_error == 0) {
      ::unlink(journal.c_str());
      fsync_directory(journal);
    }
    std::string what = doing + ": " + std::strerror(error_number);
    const bool full = error_number == ENOSPC || error_number == EDQUOT;
    if (undo_error == 0)
      what += full ? " (disk full; nothing was changed)" : " (nothing was changed)";
    else
      what += std::string(full ? " (disk full" : " (") +
              "; putting the previous files back failed too: " + std::strerror(undo_error) +
              (journal_written ? "; the next run rolls back from " + journal : "") + ")";
    throw FileError(path, error_number, what);
  };
  // Stage every file and back up every existing target before the first rename.
  for (const FileReplacement& f : files) {
    fs::path dir = fs::path(f.path).parent_path();
    if (options.create_directories && !dir.empty()) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) give_up(f.path, ec.value(), "cannot create the directory " + dir.string());
    }
    Staged s;
    s.target = f.path;
    int fd = make_temp(f.path, "tmp", s.temp);
    if (fd < 0) give_up(f.path, errno, "cannot create a temporary file beside " + f.path);
    staged.push_back(s);
    struct stat st {};
    bool exists = ::stat(f.path.c_str(), &st) == 0;
    mode_t mode = exists ? (st.st_mode & 07777) : options.new_file_mode;
    bool ok = !steps.next_fails() && ::fchmod(fd, mode) == 0 && write_all(fd, f.content) &&
              (!options.durable || ::fsync(fd) == 0);
    int e = errno;
    if (::close(fd) != 0 && ok) {
      ok = false;
      e = errno;
    }
    if (!ok) give_up(f.path, e, "cannot write " + f.path);
    if (exists) {
      // A hard link: the old bytes stay reachable without copying them (no space needed).
      std::string backup;
      int bfd = make_temp(f.path, "bak", backup);
      if (bfd < 0) give_up(f.path, errno, "cannot create a backup beside " + f.path);
      ::close(bfd);
      ::unlink(backup.c_str());
      if (steps.next_fails() || ::link(f.path.c_str(), backup.c_str()) != 0)
        give_up(f.path, errno, "cannot keep a backup of " + f.path);
      staged.back().backup = backup;
    }
  }
  if (!journal.empty()) {
    if (steps.next_fails()) give_up(journal, errno, "cannot write " + journal);
    try {
      write_file_atomically(journal, journal_text(staged), options);
      journal_written = true;
    } catch (const FileError& e) {
      give_up(journal, e.error_number(), "cannot write " + journal);
    }
  }
  for (Staged& s : staged) {
    if (steps.next_fails() || ::rename(s.temp.c_str(), s.target.c_str()) != 0) {
      int e = errno;
      give_up(s.target, e, "cannot rename " + s.temp + " to " + s.target);
    }
    s.renamed = true;
    s.temp.clear();
  }
  if (options.durable) {
    std::set<std::string> synced;  // each directory once
    for (const Staged& s : staged)
      if (synced.insert(fs::path(s.target).parent_path().string()).second)
        fsync_directory(s.target);
  }
  // Every file is in place: the journal, then the backups, go.
  if (!journal.empty()) {
    ::unlink(journal.c_str());
    if (options.durable) fsync_directory(journal);
  }
  for (const Staged& s : staged)
    if (!s.backup.empty()) ::unlink(s.backup.c_str());
}

bool roll_back_interrupted_write(const std::string& journal) {
  std::optional<std::string> text = read_file_if_readable(journal);
  if (!text) return false;
  if (text->rfind(kJournalHeader, 0) != 0)
    throw FileError(journal, 0, journal + ": not a runner-kernel journal; remove it by hand");
  std::vector<std::string> fields;
  size_t pos = kJournalHeader.size();
  while (pos < text->size()) {
    size_t end = text->find('\0', pos);
    if (end == std::string::npos)
      throw FileError(journal, 0, journal + ": truncated journal; remove it by hand");
    fields.push_back(text->substr(pos, end - pos));
    pos = end + 1;
  }
  if (fields.size() % 3 != 0)
    throw FileError(journal, 0, journal + ": truncated journal; remove it by hand");
  std::vector<Staged> staged;
  for (size_t i = 0; i < fields.size(); i += 3) {
    Staged s;
    s.target = fields[i];
    s.backup = fields[i + 1];
    s.temp = fields[i + 2];
    // A new file whose temporary is gone was renamed into place.
    s.renamed = s.backup.empty() && ::access(s.temp.c_str(), F_OK) != 0;
    staged.push_back(s);
  }
  if (int e = undo(staged); e != 0)
    fail(journal, e, "cannot undo the interrupted write recorded in " + journal);
  ::unlink(journal.c_str());
  fsync_directory(journal);
  return true;
}

}  // namespace rk::base
