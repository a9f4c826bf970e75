// Opening a shared library with dlopen on first use instead of linking it, so that the
// executable does not load it (and everything it depends on) at every start.
#pragma once

#include <stdexcept>
#include <string>

namespace rk::lazy_libs {

// A library could not be loaded, or lacks a function the tool calls. The message names the
// library and the Debian package that provides it.
class LibraryLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What to dlopen, and how to tell the user to install it.
struct LibraryRef {
  const char* name;     // "libcurl"
  const char* soname;   // "libcurl.so.4": the build system reads it from the library it found
  const char* package;  // "libcurl4": the Debian package that provides `soname`
};

// A library opened with dlopen(RTLD_NOW | RTLD_LOCAL). It is never closed: the function
// pointers taken from it must stay valid for the rest of the process.
class SharedLibrary {
 public:
  // Throws LibraryLoadError when `library.soname` cannot be loaded.
  explicit SharedLibrary(const LibraryRef& library);

  // Points `fn` at the library's function `symbol`; throws LibraryLoadError when it has none.
  template <typename Function>
  void bind(Function*& fn, const char* symbol) const {
    fn = reinterpret_cast<Function*>(address(symbol));
  }

 private:
  void* address(const char* symbol) const;

  LibraryRef library_;
  void* handle_ = nullptr;
};

}  // namespace rk::lazy_libs
