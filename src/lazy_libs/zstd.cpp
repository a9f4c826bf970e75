#include "lazy_libs/zstd.hpp"

#include <zstd.h>

namespace rk::lazy_libs {

namespace {

// The libzstd functions runner-kernel calls, by their C names.
struct Libzstd {
  decltype(&::ZSTD_createCCtx) ZSTD_createCCtx;
  decltype(&::ZSTD_freeCCtx) ZSTD_freeCCtx;
  decltype(&::ZSTD_CCtx_setParameter) ZSTD_CCtx_setParameter;
  decltype(&::ZSTD_compressBound) ZSTD_compressBound;
  decltype(&::ZSTD_compress2) ZSTD_compress2;
  decltype(&::ZSTD_getFrameContentSize) ZSTD_getFrameContentSize;
  decltype(&::ZSTD_decompress) ZSTD_decompress;
  decltype(&::ZSTD_isError) ZSTD_isError;
  decltype(&::ZSTD_getErrorName) ZSTD_getErrorName;
};

Libzstd bind_libzstd(const char* soname) {
  SharedLibrary lib({"libzstd", soname, "libzstd1"});
  Libzstd z;
  lib.bind(z.ZSTD_createCCtx, "ZSTD_createCCtx");
  lib.bind(z.ZSTD_freeCCtx, "ZSTD_freeCCtx");
  lib.bind(z.ZSTD_CCtx_setParameter, "ZSTD_CCtx_setParameter");
  lib.bind(z.ZSTD_compressBound, "ZSTD_compressBound");
  lib.bind(z.ZSTD_compress2, "ZSTD_compress2");
  lib.bind(z.ZSTD_getFrameContentSize, "ZSTD_getFrameContentSize");
  lib.bind(z.ZSTD_decompress, "ZSTD_decompress");
  lib.bind(z.ZSTD_isError, "ZSTD_isError");
  lib.bind(z.ZSTD_getErrorName, "ZSTD_getErrorName");
  return z;
}

const Libzstd& libzstd() {
  // Initialised once even when threads race to it; an exception leaves it uninitialised, so
  // that the next call tries again.
  static const Libzstd z = bind_libzstd(RK_LIBZSTD_SONAME);
  return z;
}

}  // namespace

void load_libzstd(const char* soname) {
  bind_libzstd(soname);
}

std::string zstd_compress(std::string_view data, int level, bool checksum) {
  const Libzstd& z = libzstd();
  ZSTD_CCtx* cctx = z.ZSTD_createCCtx();
  if (!cctx) throw ZstdError("zstd: out of memory");
  z.ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  z.ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum ? 1 : 0);
  std::string out(z.ZSTD_compressBound(data.size()), '\0');
  size_t n = z.ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  z.ZSTD_freeCCtx(cctx);
  if (z.ZSTD_isError(n)) throw ZstdError(std::string("zstd: ") + z.ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

std::string zstd_decompress(std::string_view frame) {
  const Libzstd& z = libzstd();
  unsigned long long size = z.ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
    throw ZstdError("zstd: not a frame with a known content size");
  std::string out(size, '\0');
  size_t n = z.ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (z.ZSTD_isError(n)) throw ZstdError(std::string("zstd: ") + z.ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace rk::lazy_libs
