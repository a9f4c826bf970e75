#include "kconfig/diagnostics.hpp"

#include "kconfig/tree.hpp"

namespace rk::kconfig {

void Diagnostics::warn_at(const SourceFile* file, int line, const std::string& msg) {
  emit((file ? file->name : std::string("<unknown>")) + ":" + std::to_string(line) +
       ":warning: " + msg);
}

void Diagnostics::error_at(const SourceFile* file, int line, const std::string& msg) {
  ++errors_;
  emit((file ? file->name : std::string("<unknown>")) + ":" + std::to_string(line) + ": " + msg);
}

}  // namespace rk::kconfig
