// Reading and writing whole files, the one way every stage does it.
#pragma once

#include <sys/types.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rk::base {

// A file could not be read or written. `error_number` is the errno of the failed call (0 when
// none applies), so a stage can tell a full disk (ENOSPC) or a missing file (ENOENT) from other
// failures and report it in its own error kind; what() names the file.
class FileError : public std::runtime_error {
 public:
  FileError(std::string path, int error_number, const std::string& what)
      : std::runtime_error(what), path_(std::move(path)), error_number_(error_number) {}
  const std::string& path() const { return path_; }
  int error_number() const { return error_number_; }
  bool disk_full() const;  // ENOSPC or EDQUOT

 private:
  std::string path_;
  int error_number_;
};

// The bytes of `path`. Throws FileError naming the file and the reason.
std::string read_file(const std::string& path);

// The bytes of `path`, or nullopt when it cannot be read (missing, unreadable, a directory).
std::optional<std::string> read_file_if_readable(const std::string& path);

struct AtomicWriteOptions {
  // Mode of a new file, set exactly (the umask does not apply); an existing file keeps its own
  // mode.
  mode_t new_file_mode = 0644;
  // Create the directory of `path` (and its parents) when missing.
  bool create_directories = true;
  // fsync the file and its directory, so that after a crash the file is the old one or the new
  // one. Only a cache that is rebuilt when lost (the parse cache's snapshots) turns it off.
  bool durable = true;
  // When set, the file being replaced is first renamed to this path, as conf keeps `.config.old`
  // (a failure to do so is ignored, as conf ignores it).
  std::string keep_previous_as;
};

// Replaces `path` with `content` so that a reader sees the old file or the new one, never a
// part: a temporary file `.<name>.tmp-XXXXXX` in the same directory, written, fsync'ed, renamed
// over `path`, then the directory fsync'ed so the rename survives a crash. On failure the
// temporary file is removed, `path` is unchanged, and FileError is thrown.
void write_file_atomically(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options = {});

// The same, unless `path` already holds exactly `content` (then it is not touched, so its time
// stamp does not make Kbuild rebuild anything). Returns whether it wrote.
bool write_file_if_changed(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options = {});

}  // namespace rk::base
