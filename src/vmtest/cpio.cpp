#include "vmtest/cpio.hpp"

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <stdexcept>

#include "lazy_libs/zstd.hpp"

namespace rk::vmtest {
namespace {

constexpr std::string_view kMagic = "070701";
constexpr std::string_view kTrailer = "TRAILER!!!";
constexpr size_t kHeaderSize = 110;  // magic + 13 fields of 8 hex digits

void pad4(std::string& out) {
  while (out.size() % 4 != 0) out.push_back('\0');
}

void put_hex(std::string& out, uint32_t value) {
  std::array<char, 9> buf{};
  std::snprintf(buf.data(), buf.size(), "%08X", value);
  out.append(buf.data(), 8);
}

void put_record(std::string& out, uint32_t ino, const CpioEntry& e) {
  out.append(kMagic);
  put_hex(out, ino);
  put_hex(out, e.mode);
  put_hex(out, e.uid);
  put_hex(out, e.gid);
  put_hex(out, e.nlink);
  put_hex(out, e.mtime);
  put_hex(out, static_cast<uint32_t>(e.data.size()));
  put_hex(out, 0);  // devmajor
  put_hex(out, 0);  // devminor
  put_hex(out, e.rdev_major);
  put_hex(out, e.rdev_minor);
  put_hex(out, static_cast<uint32_t>(e.name.size() + 1));
  put_hex(out, 0);  // check: unused by newc
  out.append(e.name);
  out.push_back('\0');
  pad4(out);
  out.append(e.data);
  pad4(out);
}

bool parse_hex(std::string_view field, uint32_t& value) {
  value = 0;
  for (char c : field) {
    uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint32_t>(c - '0');
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<uint32_t>(c - 'A' + 10);
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint32_t>(c - 'a' + 10);
    } else {
      return false;
    }
    value = value * 16 + digit;
  }
  return true;
}

size_t align4(size_t n) {
  return (n + 3) & ~static_cast<size_t>(3);
}

}  // namespace

std::string write_cpio_newc(const std::vector<CpioEntry>& entries) {
  std::string out;
  uint32_t ino = 1;
  for (const auto& e : entries) put_record(out, ino++, e);
  CpioEntry trailer;
  trailer.name = std::string(kTrailer);
  trailer.nlink = 1;
  put_record(out, 0, trailer);
  return out;
}

CpioArchive parse_cpio_newc(std::string_view bytes) {
  CpioArchive archive;
  size_t pos = 0;
  while (true) {
    if (pos % 4 != 0) {
      archive.error = "record at offset " + std::to_string(pos) + " is not 4-byte aligned";
      return archive;
    }
    if (bytes.size() - pos < kHeaderSize) {
      archive.error = "truncated header at offset " + std::to_string(pos);
      return archive;
    }
    std::string_view header = bytes.substr(pos, kHeaderSize);
    if (header.substr(0, 6) != kMagic) {
      archive.error = "bad magic at offset " + std::to_string(pos);
      return archive;
    }
    std::array<uint32_t, 13> f{};
    for (size_t i = 0; i < f.size(); ++i) {
      if (!parse_hex(header.substr(6 + 8 * i, 8), f[i])) {
        archive.error = "bad hex field at offset " + std::to_string(pos + 6 + 8 * i);
        return archive;
      }
    }
    const uint32_t filesize = f[6];
    const uint32_t namesize = f[11];
    const size_t name_pos = pos + kHeaderSize;
    if (namesize == 0 || bytes.size() - name_pos < namesize) {
      archive.error = "truncated name at offset " + std::to_string(name_pos);
      return archive;
    }
    if (bytes[name_pos + namesize - 1] != '\0') {
      archive.error = "name not NUL-terminated at offset " + std::to_string(name_pos);
      return archive;
    }
    CpioEntry e;
    e.name = std::string(bytes.substr(name_pos, namesize - 1));
    e.mode = f[1];
    e.uid = f[2];
    e.gid = f[3];
    e.nlink = f[4];
    e.mtime = f[5];
    e.rdev_major = f[9];
    e.rdev_minor = f[10];
    const size_t data_pos = align4(name_pos + namesize);
    if (data_pos > bytes.size() || bytes.size() - data_pos < filesize) {
      archive.error = "truncated data of " + e.name;
      return archive;
    }
    e.data = std::string(bytes.substr(data_pos, filesize));
    pos = align4(data_pos + filesize);
    if (e.name == kTrailer) {
      archive.has_trailer = true;
      return archive;
    }
    archive.entries.push_back(std::move(e));
  }
}

std::vector<CpioEntry> probe_initramfs_entries(std::string init_binary) {
  auto dir = [](std::string name, uint32_t perm = 0755) {
    CpioEntry e;
    e.name = std::move(name);
    e.mode = S_IFDIR | perm;
    e.nlink = 2;
    return e;
  };
  auto chr = [](std::string name, uint32_t perm, uint32_t major, uint32_t minor) {
    CpioEntry e;
    e.name = std::move(name);
    e.mode = S_IFCHR | perm;
    e.rdev_major = major;
    e.rdev_minor = minor;
    return e;
  };
  std::vector<CpioEntry> entries;
  entries.push_back(dir("dev"));
  entries.push_back(chr("dev/console", 0600, 5, 1));
  entries.push_back(chr("dev/null", 0666, 1, 3));
  entries.push_back(dir("proc", 0555));
  entries.push_back(dir("sys", 0555));
  entries.push_back(dir("mnt"));
  entries.push_back(dir("tmp", 01777));
  entries.push_back(dir("run"));
  CpioEntry init;
  init.name = "init";
  init.mode = S_IFREG | 0755;
  init.data = std::move(init_binary);
  entries.push_back(std::move(init));
  return entries;
}

std::string zstd_compress(std::string_view data) {
  return lazy_libs::zstd_compress(data, 19, false);
}

std::string zstd_decompress(std::string_view frame) {
  return lazy_libs::zstd_decompress(frame);
}

std::string build_probe_initramfs(std::string init_binary) {
  return zstd_compress(write_cpio_newc(probe_initramfs_entries(std::move(init_binary))));
}

}  // namespace rk::vmtest
