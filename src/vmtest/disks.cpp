#include "vmtest/disks.hpp"

#include <unistd.h>

#include <chrono>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "process/run.hpp"
#include "vmtest/error.hpp"

namespace fs = std::filesystem;

namespace rk::vmtest {
namespace {

// Bump when the image recipe changes, so stale caches are not reused.
constexpr const char* kRecipe = "v1";

void run_tool(std::vector<std::string> argv, const std::string& package,
              std::vector<std::string> env = {}) {
  if (process::find_executable(argv[0]).empty()) {
    throw VmtestError(ErrorKind::kToolMissing,
                      argv[0] + " not found: install the Debian package " + package);
  }
  std::string output;
  process::Handlers cb;
  cb.on_output = [&](std::string_view s) {
    if (output.size() < 16384) output.append(s);
    return process::Verdict::keep_going;
  };
  process::Limits limits;
  limits.timeout = std::chrono::seconds(120);
  process::Outcome r = process::run({std::move(argv), "", std::move(env)}, cb, limits);
  if (!r.started) throw VmtestError(ErrorKind::kToolMissing, r.start_error);
  if (!r.exited || r.exit_code != 0) {
    throw VmtestError(ErrorKind::kDiskImage,
                      "disk image tool failed (exit " + std::to_string(r.exit_code) +
                          (r.timed_out ? ", timed out" : "") + "): " + output);
  }
}

fs::path make_content_dir(const fs::path& work) {
  fs::path content = work / "content";
  fs::create_directories(content);
  std::ofstream(content / "probe.txt", std::ios::binary) << kProbeDiskText;
  fs::permissions(content / "probe.txt", fs::perms(0644));
  fs::permissions(content, fs::perms(0755));
  return content;
}

}  // namespace

ProbeDisks prepare_probe_disks(const std::string& cache_dir) {
  fs::create_directories(cache_dir);
  ProbeDisks disks;
  disks.ext4 = (fs::path(cache_dir) / (std::string("probe-disk-") + kRecipe + ".ext4")).string();
  disks.squashfs =
      (fs::path(cache_dir) / (std::string("probe-disk-") + kRecipe + ".squashfs")).string();
  if (fs::exists(disks.ext4) && fs::exists(disks.squashfs)) return disks;

  fs::path work = fs::path(cache_dir) / ("tmp-disks-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);
  try {
    fs::path content = make_content_dir(work);
    // Fixed timestamps for every file and the content's mtime: reproducible images.
    fs::last_write_time(content / "probe.txt", fs::file_time_type{});
    if (!fs::exists(disks.ext4)) {
      fs::path tmp = work / "disk.ext4";
      run_tool(
          {"mkfs.ext4", "-q", "-F", "-L", "rkprobe", "-U", "6b7e9f2a-0d4c-4e1a-9b0f-3c5d2e1f4a6b",
           "-E", "hash_seed=0d4c6b7e-9f2a-4e1a-9b0f-3c5d2e1f4a6b,root_owner=0:0", "-N", "64", "-d",
           content.string(), tmp.string(), "8M"},
          "e2fsprogs", {"E2FSPROGS_FAKE_TIME=1"});
      fs::rename(tmp, disks.ext4);
    }
    if (!fs::exists(disks.squashfs)) {
      fs::path tmp = work / "disk.squashfs";
      run_tool({"mksquashfs", content.string(), tmp.string(), "-noappend", "-quiet", "-no-progress",
                "-comp", "gzip", "-all-root", "-no-xattrs", "-mkfs-time", "0", "-all-time", "0",
                "-processors", "1"},
               "squashfs-tools");
      fs::rename(tmp, disks.squashfs);
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(work, ec);
    throw;
  }
  fs::remove_all(work);
  return disks;
}

}  // namespace rk::vmtest
