#include "lazy_libs/libcurl.hpp"

namespace rk::lazy_libs {

Libcurl load_libcurl(const char* soname) {
  SharedLibrary lib({"libcurl", soname, "libcurl4"});
  Libcurl curl;
  lib.bind(curl.curl_global_init, "curl_global_init");
  lib.bind(curl.curl_easy_init, "curl_easy_init");
  lib.bind(curl.curl_easy_setopt, "curl_easy_setopt");
  lib.bind(curl.curl_easy_perform, "curl_easy_perform");
  lib.bind(curl.curl_easy_getinfo, "curl_easy_getinfo");
  lib.bind(curl.curl_easy_strerror, "curl_easy_strerror");
  lib.bind(curl.curl_easy_cleanup, "curl_easy_cleanup");
  return curl;
}

const Libcurl& libcurl() {
  // A function-local static is initialised once even when threads race to it, and an
  // exception leaves it uninitialised, so that the next call tries again.
  static const Libcurl curl = [] {
    Libcurl loaded = load_libcurl(RK_LIBCURL_SONAME);
    CURLcode rc = loaded.curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
      throw LibraryLoadError(std::string("libcurl (" RK_LIBCURL_SONAME ") cannot initialise: ") +
                             loaded.curl_easy_strerror(rc));
    return loaded;
  }();
  return curl;
}

}  // namespace rk::lazy_libs
