// Reading and writing whole files, the one way every stage does it.
#pragma once

#include <sys/types.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// One file of a multi-file write: `path` gets exactly `content`.
struct FileReplacement {
  std::string path;
  std::string content;
};

// Replaces several files so that afterwards all hold their new content or all are as before
// (byte for byte; files that did not exist do not exist): every new content is first staged as
// a temporary `.<name>.tmp-XXXXXX` beside its target (written and fsync'ed) and every existing
// target gets a hard-linked backup `.<name>.bak-XXXXXX`; only then are the temporaries renamed
// over their targets, in order. When a step fails, the targets already renamed get their
// backups back (a rename, which needs no space), new files are removed, and FileError is
// thrown. With a `journal` path, the staged names are recorded there (fsync'ed) before the
// first rename and the journal is removed after the last, so a process killed between renames
// is undone by the next roll_back_interrupted_write(journal), which every writer calls under
// the lock that serialises them. A new file's directory is created when missing and left.
// Existing files keep their mode; new ones get `options.new_file_mode`.
//
// Test-only fault injection (compiled in, used by tests/base and tests/variants): with
// RK_TEST_FAIL_FILE_STEP=N in the environment, the Nth step (staging a file, linking a backup,
// writing the journal, renaming) fails with ENOSPC; with RK_TEST_KILL_FILE_STEP=N the process
// sends itself SIGKILL before the Nth step.
void write_files_atomically(const std::vector<FileReplacement>& files,
                            const std::string& journal = "",
                            const AtomicWriteOptions& options = {});

// Undoes a write_files_atomically that was interrupted between its renames (the `journal`
// exists): every target goes back to its backup, new files are removed, temporaries and backups
// deleted, then the journal. Returns whether there was anything to undo. Throws FileError when
// the journal cannot be read or a step of the undo fails (the journal is then kept).
bool roll_back_interrupted_write(const std::string& journal);

}  // namespace rk::base
