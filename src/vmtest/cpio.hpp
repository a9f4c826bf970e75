// The test initramfs: a cpio "newc" archive written by our own code (the kernel's
// Documentation/driver-api/early-userspace/buffer-format.rst), compressed with zstd. The same
// inputs always give the same bytes: inode numbers are assigned in order, every timestamp,
// owner and device number is fixed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rk::vmtest {

struct CpioEntry {
  std::string name;   // path inside the archive, without a leading '/' (e.g. "dev/console")
  uint32_t mode = 0;  // file type bits and permissions (S_IFREG | 0755, ...)
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 1;
  uint32_t mtime = 0;
  uint32_t rdev_major = 0;  // character/block device nodes
  uint32_t rdev_minor = 0;
  std::string data;  // regular file contents or symlink target; empty otherwise
};

// Serialises the entries (in the given order) followed by the TRAILER!!! record. Header and
// name are padded to a multiple of 4 bytes, and so is the data.
std::string write_cpio_newc(const std::vector<CpioEntry>& entries);

struct CpioArchive {
  std::vector<CpioEntry> entries;  // without the trailer
  bool has_trailer = false;
  std::string error;  // empty when the archive parsed completely
};

// Reads an archive back (for tests and diagnostics). Stops at the trailer; reports misaligned,
// truncated or malformed records in `error`.
CpioArchive parse_cpio_newc(std::string_view bytes);

// The entries of the probe initramfs: /init (the probe binary, 0755), the directories it mounts
// onto (dev, proc, sys, mnt, tmp, run) and the device nodes the kernel needs before devtmpfs
// is mounted (/dev/console 5:1, /dev/null 1:3).
std::vector<CpioEntry> probe_initramfs_entries(std::string init_binary);

// zstd frame (level 19, single-threaded, deterministic). The kernel needs CONFIG_RD_ZSTD=y.
std::string zstd_compress(std::string_view data);
// Throws std::runtime_error on a corrupt frame.
std::string zstd_decompress(std::string_view frame);

// The compressed initramfs for a probe binary.
std::string build_probe_initramfs(std::string init_binary);

}  // namespace rk::vmtest
