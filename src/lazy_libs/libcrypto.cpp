#include "lazy_libs/libcrypto.hpp"

namespace rk::lazy_libs {

Libcrypto load_libcrypto(const char* soname) {
  SharedLibrary lib({"libcrypto", soname, "libssl3"});
  Libcrypto crypto;
  lib.bind(crypto.EVP_MD_CTX_new, "EVP_MD_CTX_new");
  lib.bind(crypto.EVP_MD_CTX_free, "EVP_MD_CTX_free");
  lib.bind(crypto.EVP_sha256, "EVP_sha256");
  lib.bind(crypto.EVP_DigestInit_ex, "EVP_DigestInit_ex");
  lib.bind(crypto.EVP_DigestUpdate, "EVP_DigestUpdate");
  lib.bind(crypto.EVP_DigestFinal_ex, "EVP_DigestFinal_ex");
  return crypto;
}

const Libcrypto& libcrypto() {
  // Initialised once even when threads race to it; an exception leaves it uninitialised, so
  // that the next call tries again.
  static const Libcrypto crypto = load_libcrypto(RK_LIBCRYPTO_SONAME);
  return crypto;
}

}  // namespace rk::lazy_libs
