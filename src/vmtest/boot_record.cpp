#include "vmtest/boot_record.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

namespace rk::vmtest {

namespace fs = std::filesystem;

std::string sha256_file_hex(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("sha256: cannot initialise libcrypto");
  }
  std::string buf(1 << 20, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error("cannot read " + file.string());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  std::string hex;
  char two[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(two, sizeof two, "%02x", md[i]);
    hex += two;
  }
  return hex;
}

std::string write_boot_test_record(const fs::path& artifact_dir, const fs::path& kernel,
                                   const VariantReport& report) {
  std::map<std::string, std::string> hashes;
  hashes[kernel.filename().string()] = sha256_file_hex(kernel);
  for (const char* name : {"vmlinux.bin.zst", "config", "System.map"}) {
    fs::path f = artifact_dir / name;
    std::error_code ec;
    if (fs::is_regular_file(f, ec)) hashes[name] = sha256_file_hex(f);
  }
  fs::path path = artifact_dir / kBootTestRecordName;
  write_file_atomic(path.string(), boot_test_record_json(report, hashes));
  return path.string();
}

}  // namespace rk::vmtest
