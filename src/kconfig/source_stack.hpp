// The files being read: the top-level Kconfig and the chain of 'source' statements leading to
// the current file. Mirrors lexer.l's zconf_fopen/zconf_initscan/zconf_nextfile/zconf_endfile:
// where a name is looked for, the messages for missing files and for recursive inclusion (whose
// wording changed between releases), and the order in which files are registered in the tree.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kconfig/dialect.hpp"
#include "kconfig/parse_cache.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

struct SourceBuffer {
  // The file's text is the first `size` bytes of `storage`, followed by a NUL byte (the
  // lexer's scanning loops stop there without bounds checks). The storage may be longer: it is
  // reused from file to file.
  std::string storage;
  size_t size = 0;
  std::string_view text() const { return {storage.data(), size}; }
  size_t pos = 0;
  int line = 1;  // the lexer's line counter (flex's yylineno) while this file is read
  const SourceFile* file = nullptr;
  int child_source_line = 0;  // statement line of the 'source' that opened the file above
};

class FileSystemReader;

class SourceStack {
 public:
  using Reader = std::function<bool(const std::string& path, std::string& contents)>;

  struct Options {
    std::string cwd;
    std::string srctree;
    Reader read_file;             // null: the file system
    size_t max_sources = 100000;  // see ParseLimits
    size_t max_total_bytes = size_t{512} << 20;
    ParseInputs* inputs = nullptr;  // records what was read and looked for (file system only)
  };

  SourceStack(Tree& tree, Options options);
  ~SourceStack();
  SourceStack(const SourceStack&) = delete;
  SourceStack& operator=(const SourceStack&) = delete;

  // zconf_initscan. Throws KconfigError("can't find file NAME").
  void open_top(const std::string& name);
  // zconf_nextfile for `source NAME`; `where_file`/`where_line` are what conf prints as the
  // location of the statement. Throws KconfigError when the file can't be opened or is
  // already being read.
  void push(const std::string& name, std::string_view where_file, int where_line);
  // Leaves the current file; false when it is the top-level one (which stays).
  bool pop();
  // Files may have changed on disk (a $(shell,...) command ran): forgets what the file
  // system looked like.
  void files_may_have_changed();

  SourceBuffer& top() { return stack_.back(); }
  const SourceBuffer& top() const { return stack_.back(); }
  size_t depth() const { return stack_.size(); }

 private:
  // conf before 6.9 kept one record per file name whose 'parent' and 'lineno' were overwritten
  // on every inclusion; its recursion report walks those records.
  struct LegacyRecord {
    std::string parent;  // empty: none
    int lineno = 0;
  };

  bool load(const std::string& name, SourceBuffer& buf);
  SourceBuffer new_buffer();
  void account(const SourceBuffer& buf, std::string_view where_file, int where_line);
  const SourceFile* register_file(const std::string& name);
  [[noreturn]] void recursion_error(const std::string& name) const;
  [[noreturn]] void legacy_recursion_error(const std::string& name);
  bool legacy() const { return legacy_file_tracking(tree_.dialect); }

  Tree& tree_;
  Options options_;
  std::vector<SourceBuffer> stack_;
  std::vector<std::string> spare_texts_;  // buffers of closed files, for reuse
  std::unique_ptr<FileSystemReader> fs_;  // when reading the file system
  std::unordered_map<std::string, const SourceFile*> files_;
  std::unordered_map<std::string, LegacyRecord> legacy_records_;
  size_t sources_ = 0;
  size_t bytes_ = 0;
};

}  // namespace rk::kconfig
