#include "kconfig/base_dirs.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace rk::kconfig {

std::string in_directory(const std::string& cwd, const std::string& path) {
  if (path.empty() || path[0] == '/' || cwd.empty() || cwd == ".") return path;
  return cwd.back() == '/' ? cwd + path : cwd + "/" + path;
}

std::string env_value(const Environment& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

BaseDirectories::BaseDirectories(const std::string& cwd, const std::string& srctree) {
  cwd_ =
      cwd.empty() || cwd == "." ? AT_FDCWD : ::open(cwd.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cwd_ < 0 && cwd_ != AT_FDCWD) cwd_ = kUnavailable;
  if (!srctree.empty()) {
    srctree_dir_ = in_directory(cwd, srctree);
    srctree_ = ::open(srctree_dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (srctree_ < 0) srctree_ = kUnavailable;
  }
}

BaseDirectories::~BaseDirectories() {
  if (cwd_ >= 0) ::close(cwd_);
  if (srctree_ >= 0) ::close(srctree_);
}

}  // namespace rk::kconfig
