// zstd compression through libzstd, which is loaded on first use: only packaging a kernel and
// making the boot-test initramfs compress anything.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "lazy_libs/shared_library.hpp"

namespace rk::lazy_libs {

// Data zstd refused (a corrupt frame, say); the message says why.
class ZstdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One zstd frame of `data` at `level`, with a content checksum when `checksum`. Throws
// LibraryLoadError (naming the package libzstd1) when libzstd cannot be loaded.
std::string zstd_compress(std::string_view data, int level, bool checksum);

// The content of one zstd frame that records its size (as zstd_compress's frames do). Throws
// ZstdError on anything else.
std::string zstd_decompress(std::string_view frame);

// Loads libzstd from `soname` without caching it (tests pass SONAMEs that do not exist);
// throws LibraryLoadError.
void load_libzstd(const char* soname);

}  // namespace rk::lazy_libs
