// Native-endian bytes in and out, for the engine's own cache files (snapshot.cpp,
// parse_cache.cpp). The reader checks every length against what is left and throws
// SnapshotError instead of reading past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "kconfig/snapshot.hpp"

namespace rk::kconfig {

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { raw(&v, sizeof v); }
  void u64(uint64_t v) { raw(&v, sizeof v); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(*p_++);
  }
  uint32_t u32() {
    uint32_t v;
    copy(&v, sizeof v);
    return v;
  }
  uint64_t u64() {
    uint64_t v;
    copy(&v, sizeof v);
    return v;
  }
  std::string str() { return std::string(view()); }
  std::string_view view() {
    uint32_t n = u32();
    need(n);
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  // A count of items that each take at least `min_bytes`: bounded by what is left to read.
  uint32_t count(size_t min_bytes) {
    uint32_t n = u32();
    if (static_cast<size_t>(end_ - p_) / min_bytes < n) throw SnapshotError("snapshot truncated");
    return n;
  }
  // The next `n` bytes, checked once: for fixed-size records read field by field.
  const char* take(size_t n) {
    need(n);
    const char* at = p_;
    p_ += n;
    return at;
  }
  void copy(void* dst, size_t n) {
    need(n);
    std::memcpy(dst, p_, n);
    p_ += n;
  }
  std::string_view rest() const { return {p_, static_cast<size_t>(end_ - p_)}; }
  bool at_end() const { return p_ == end_; }

 private:
  void need(size_t n) const {
    if (static_cast<size_t>(end_ - p_) < n) throw SnapshotError("snapshot truncated");
  }
  const char* p_;
  const char* end_;
};

}  // namespace rk::kconfig
