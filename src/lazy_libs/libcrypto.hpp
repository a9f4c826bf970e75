// libcrypto, loaded on first use (see sha256.hpp, its only user).
#pragma once

#include <openssl/evp.h>

#include "lazy_libs/shared_library.hpp"

namespace rk::lazy_libs {

// The libcrypto functions runner-kernel calls, by their C names.
struct Libcrypto {
  decltype(&::EVP_MD_CTX_new) EVP_MD_CTX_new;
  decltype(&::EVP_MD_CTX_free) EVP_MD_CTX_free;
  decltype(&::EVP_sha256) EVP_sha256;
  decltype(&::EVP_DigestInit_ex) EVP_DigestInit_ex;
  decltype(&::EVP_DigestUpdate) EVP_DigestUpdate;
  decltype(&::EVP_DigestFinal_ex) EVP_DigestFinal_ex;
};

// libcrypto (the SONAME of the library the build found), loaded by the first call;
// thread-safe. Throws LibraryLoadError (naming the package libssl3) when it cannot be loaded;
// a later call tries again.
const Libcrypto& libcrypto();

// Loads libcrypto from `soname` and binds its functions, without caching (tests pass SONAMEs
// that do not exist).
Libcrypto load_libcrypto(const char* soname);

}  // namespace rk::lazy_libs
