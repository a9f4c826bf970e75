// Parsed trees kept between runs. Parsing a kernel tree (~1,600 files, 5 MB of Kconfig text)
// costs tens of milliseconds; restoring its snapshot costs a few. A snapshot stands in for a
// parse only when everything the parse read is provably the same now:
//   - every file it read: same size, mtime, ctime, inode and device (what git and ccache trust);
//   - every name it looked for and did not find (in the working directory, where conf looks
//     first): still not there;
//   - every environment variable its macros read: same value, or still unset;
//   - every $(shell,...) command it ran: same output now (asked again through the caller's
//     ShellRunner: a toolchain profile answers from memory, a live shell runs the command);
// and the parse options that decide the rest (top-level Kconfig, srctree, release, arch,
// limits, this very build of the engine) are part of the key. Warnings and $(info,...) lines
// the parse printed are printed again, in the same order.
//
// The engine writes nothing itself: snapshots go through a SnapshotStore the caller provides
// (the CLI uses a directory under $XDG_CACHE_HOME).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kconfig/shell.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

// Bytes a store hands out (a mapped file, a string...), valid while the object lives.
class StoredBytes {
 public:
  virtual ~StoredBytes() = default;
  virtual std::string_view view() const = 0;
};

class SnapshotStore {
 public:
  virtual ~SnapshotStore() = default;
  // The bytes stored under `key`, or null.
  virtual std::unique_ptr<StoredBytes> load(const std::string& key) = 0;
  // Best effort: a store that cannot write just loses the entry.
  virtual void store(const std::string& key, std::string_view bytes) = 0;
};

// One file per key in `dir` (created on first store), written under a temporary name and
// renamed, so that a reader never sees half an entry. Keeps the `max_entries` newest entries.
class DirectorySnapshotStore : public SnapshotStore {
 public:
  explicit DirectorySnapshotStore(std::string dir, size_t max_entries = 24)
      : dir_(std::move(dir)), max_entries_(max_entries) {}
  std::unique_ptr<StoredBytes> load(const std::string& key) override;
  void store(const std::string& key, std::string_view bytes) override;
  const std::string& dir() const { return dir_; }

 private:
  void prune();
  std::string dir_;
  size_t max_entries_;
};

// $RK_CACHE/kconfig-trees, else $XDG_CACHE_HOME/runner-kernel/kconfig-trees, else
// $HOME/.cache/runner-kernel/kconfig-trees; empty when none is set.
std::string default_snapshot_dir(const Environment& env);

// What a parse read besides its options: recorded while parsing, checked before a snapshot is
// used instead.
struct ParseInputs {
  enum class Base : uint8_t { Cwd, Srctree, Absolute };
  struct File {
    Base base;
    std::string path;  // relative to the base directory (absolute for Base::Absolute)
    uint64_t size, inode, device;
    int64_t mtime_ns, ctime_ns;
  };
  // A name that must still fail to open: missing entirely (a first path component the working
  // directory lacks), or at least not a regular file.
  struct Absent {
    Base base;
    bool missing_entirely;
    std::string path;
  };
  struct ShellCall {
    std::string command;
    std::string output;
  };
  struct Output {
    bool info;  // $(info,...) line, else a diagnostics line
    std::string line;
  };

  std::vector<File> files;
  std::vector<Absent> absent;
  std::vector<std::pair<std::string, std::string>> env_read;  // name, value
  std::vector<std::string> env_unset;                         // read while unset
  std::vector<ShellCall> shell;
  std::vector<Output> output;

  void add_file(Base base, std::string path, const struct stat& st);
};

// For parse_kconfig(): the key of a parse, the tree its snapshot holds when nothing it read has
// changed (its output printed again), and keeping a parse's tree with what it read.
struct ParseOptions;
std::string parse_cache_key(const ParseOptions& options, const std::string& srctree,
                            const Dialect& dialect, const std::string& arch);
std::unique_ptr<Tree> restore_unchanged_tree(const ParseOptions& options, const std::string& key,
                                             const std::string& srctree);
void store_parsed_tree(const ParseOptions& options, const std::string& key, ParseInputs inputs,
                       const Tree& tree);

}  // namespace rk::kconfig
