// The disks the probes read: /dev/vda (ext4) and /dev/vdb (squashfs), each holding /probe.txt
// = "runner-kernel probe disk\n". Made with mkfs.ext4 -d (Debian: e2fsprogs) and mksquashfs
// (Debian: squashfs-tools), reproducibly (fixed UUID, hash seed and timestamps), and cached:
// an image is built once into a temporary file and renamed into place.
#pragma once

#include <string>

namespace rk::vmtest {

inline constexpr const char* kProbeDiskText = "runner-kernel probe disk\n";

struct ProbeDisks {
  std::string ext4;
  std::string squashfs;
};

// Returns the cached images under cache_dir, making the missing ones. Throws
// std::runtime_error naming the Debian package when a tool is missing, or the tool's output
// when it fails.
ProbeDisks prepare_probe_disks(const std::string& cache_dir);

}  // namespace rk::vmtest
