#include "lazy_libs/sha256.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "lazy_libs/libcrypto.hpp"

namespace rk::lazy_libs {

struct Sha256::Context {
  const Libcrypto& crypto;
  EVP_MD_CTX* ctx;
};

Sha256::Sha256() {
  const Libcrypto& crypto = libcrypto();
  EVP_MD_CTX* ctx = crypto.EVP_MD_CTX_new();
  if (!ctx || crypto.EVP_DigestInit_ex(ctx, crypto.EVP_sha256(), nullptr) != 1) {
    if (ctx) crypto.EVP_MD_CTX_free(ctx);
    throw LibraryLoadError("libcrypto: cannot start a SHA-256 digest");
  }
  context_ = std::make_unique<Context>(Context{crypto, ctx});
}

Sha256::~Sha256() {
  if (context_) context_->crypto.EVP_MD_CTX_free(context_->ctx);
}

void Sha256::update(const void* data, size_t size) {
  context_->crypto.EVP_DigestUpdate(context_->ctx, data, size);
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  context_->crypto.EVP_DigestFinal_ex(context_->ctx, md, &len);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kDigits[md[i] >> 4];
    out += kDigits[md[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

std::string sha256_file_hex(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot read " + path);
  Sha256 h;
  std::vector<char> buf(size_t{1} << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw std::system_error(e, std::generic_category(), "cannot read " + path);
    }
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return h.hex();
}

}  // namespace rk::lazy_libs
