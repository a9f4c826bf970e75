// libcurl, loaded on first use. Linking it would make every run of runner-kernel load it and
// the ~30 libraries it depends on (gnutls, krb5, ldap, nghttp2, ...), which costs several
// milliseconds per start; only downloads need it.
#pragma once

#include <curl/curl.h>

#include "lazy_libs/shared_library.hpp"

namespace rk::lazy_libs {

// The libcurl functions runner-kernel calls, by their C names.
struct Libcurl {
  decltype(&::curl_global_init) curl_global_init;
  decltype(&::curl_easy_init) curl_easy_init;
  // Variadic, so nothing checks the value's type: pass exactly what the option takes (long,
  // curl_off_t, a pointer or a function pointer), as curl's documentation of it says.
  decltype(&::curl_easy_setopt) curl_easy_setopt;
  decltype(&::curl_easy_perform) curl_easy_perform;
  decltype(&::curl_easy_getinfo) curl_easy_getinfo;  // variadic too: a pointer of the info's type
  decltype(&::curl_easy_strerror) curl_easy_strerror;
  decltype(&::curl_easy_cleanup) curl_easy_cleanup;
};

// libcurl (the SONAME of the library the build found), loaded by the first call, which also runs
// curl_global_init(); thread-safe. Throws LibraryLoadError (naming the package libcurl4) when
// it cannot be loaded; a later call tries again.
const Libcurl& libcurl();

// Loads libcurl from `soname` and binds its functions, without caching or initialising it
// (libcurl() does both; tests pass SONAMEs that do not exist).
Libcurl load_libcurl(const char* soname);

}  // namespace rk::lazy_libs
