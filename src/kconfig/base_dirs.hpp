// Where a parse finds its files: conf looks in its working directory (Kbuild's object tree,
// whose files shadow the source tree's) first, then under $srctree.
#pragma once

#include <string>

#include "kconfig/shell.hpp"

namespace rk::kconfig {

// A path as fopen() in conf's working directory `cwd` would see it.
std::string in_directory(const std::string& cwd, const std::string& path);

// The value of `name` in `env`, or "".
std::string env_value(const Environment& env, const char* name);

// The working directory and srctree, opened once (O_PATH) for the *at() calls of a whole parse
// or of a whole check of one.
class BaseDirectories {
 public:
  static constexpr int kUnavailable = -1;  // (AT_FDCWD is another negative number)

  BaseDirectories(const std::string& cwd, const std::string& srctree);
  ~BaseDirectories();
  BaseDirectories(const BaseDirectories&) = delete;
  BaseDirectories& operator=(const BaseDirectories&) = delete;

  // AT_FDCWD when the working directory is the process's own; kUnavailable when it cannot be
  // opened.
  int cwd() const { return cwd_; }
  // kUnavailable without a srctree or when it cannot be opened.
  int srctree() const { return srctree_; }
  // srctree as seen from this process (relative to the working directory when relative).
  const std::string& srctree_dir() const { return srctree_dir_; }

 private:
  int cwd_ = kUnavailable;
  int srctree_ = kUnavailable;
  std::string srctree_dir_;
};

}  // namespace rk::kconfig
