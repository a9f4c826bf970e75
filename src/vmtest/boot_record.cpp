#include "vmtest/boot_record.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

#include "base/file.hpp"
#include "lazy_libs/sha256.hpp"
#include "vmtest/error.hpp"

namespace rk::vmtest {

namespace fs = std::filesystem;

std::string write_boot_test_record(const fs::path& artifact_dir, const fs::path& kernel,
                                   const VariantReport& report, const char* record_name) {
  std::map<std::string, std::string> hashes;
  hashes[kernel.filename().string()] = lazy_libs::sha256_file_hex(kernel.string());
  for (const char* name : {"vmlinux.bin.zst", "config", "System.map"}) {
    fs::path f = artifact_dir / name;
    std::error_code ec;
    if (fs::is_regular_file(f, ec)) hashes[name] = lazy_libs::sha256_file_hex(f.string());
  }
  fs::path path = artifact_dir / record_name;
  stage_file_io(
      [&] { base::write_file_atomically(path.string(), boot_test_record_json(report, hashes)); });
  return path.string();
}

}  // namespace rk::vmtest
