// SHA-256 through libcrypto, which is loaded on first use: only fetching, verifying, imaging
// and boot records hash anything, and linking libcrypto costs every start of the tool about a
// millisecond of dynamic loading (its ~20,000 relocations).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace rk::lazy_libs {

class Sha256 {
 public:
  // Throws LibraryLoadError (naming the package libssl3) when libcrypto cannot be loaded.
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // The digest in lowercase hex; ends this hash.
  std::string hex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

std::string sha256_hex(std::string_view bytes);

// The hash of a file's bytes; throws std::system_error naming the file when it cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace rk::lazy_libs
