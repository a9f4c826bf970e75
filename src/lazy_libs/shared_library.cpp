#include "lazy_libs/shared_library.hpp"

#include <dlfcn.h>

namespace rk::lazy_libs {

namespace {

std::string install_hint(const LibraryRef& library) {
  return std::string("install the Debian package ") + library.package + " (apt-get install " +
         library.package + ")";
}

std::string last_dl_error() {
  const char* e = ::dlerror();
  return e ? e : "unknown dlopen error";
}

}  // namespace

SharedLibrary::SharedLibrary(const LibraryRef& library) : library_(library) {
  // RTLD_NOW: a library that cannot resolve its own dependencies fails here, with a message,
  // instead of in the middle of a download.
  handle_ = ::dlopen(library.soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle_)
    throw LibraryLoadError(std::string("cannot load ") + library.name + " (" + last_dl_error() +
                           "); " + install_hint(library));
}

void* SharedLibrary::address(const char* symbol) const {
  ::dlerror();  // clears an earlier error, so that the message is this lookup's
  void* p = ::dlsym(handle_, symbol);
  if (!p)
    throw LibraryLoadError(std::string(library_.name) + " (" + library_.soname + ") has no " +
                           symbol + " (" + last_dl_error() + "); " + install_hint(library_) +
                           " in the version runner-kernel was built against");
  return p;
}

}  // namespace rk::lazy_libs
