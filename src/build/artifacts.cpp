#include "build/artifacts.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/file.hpp"
#include "build/error.hpp"
#include "lazy_libs/zstd.hpp"
#include "source/util.hpp"

namespace rk::build {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_io(const std::string& what, int err) {
  throw BuildError(err == ENOSPC || err == EDQUOT ? ErrorKind::kDiskFull : ErrorKind::kOther,
                   fmt::format("{}: {}{}", what, std::strerror(err),
                               err == ENOSPC ? " (free some space and run the build again)" : ""));
}

std::string slurp(const std::string& path) {
  try {
    return base::read_file(path);
  } catch (const base::FileError& e) {
    throw BuildError(ErrorKind::kOther, e.what());
  }
}

// An artifact, durable before its directory is swapped in (base::write_file_atomically fsyncs
// the file and the directory).
void write_synced(const std::string& path, const std::string& data) {
  try {
    base::write_file_atomically(path, data, {.create_directories = false});
  } catch (const base::FileError& e) {
    throw BuildError(e.disk_full() ? ErrorKind::kDiskFull : ErrorKind::kOther,
                     std::string(e.what()) +
                         (e.disk_full() ? " (free some space and run the build again)" : ""));
  }
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string sha256_of(const std::string& path) {
  try {
    return source::sha256_file(path);
  } catch (const source::SourceError& e) {
    throw BuildError(ErrorKind::kOther, e.what());
  }
}

}  // namespace

std::vector<std::string> artifact_files(const std::string& target) {
  return {target, "vmlinux.bin.zst", "config", "System.map", "build-info.json"};
}

std::string zstd_compress(const std::string& data, int level) {
  try {
    return lazy_libs::zstd_compress(data, level, true);
  } catch (const lazy_libs::ZstdError& e) {
    throw BuildError(ErrorKind::kOther, e.what());
  }
}

std::string zstd_decompress(const std::string& data) {
  try {
    return lazy_libs::zstd_decompress(data);
  } catch (const lazy_libs::ZstdError& e) {
    throw BuildError(ErrorKind::kOther, e.what());
  }
}

std::string sha256sums(const std::string& dir, const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += sha256_of(dir + "/" + n) + "  " + n + "\n";
  return out;
}

std::string build_info_json(const BuildInfo& info, const std::string& target_sha256) {
  nlohmann::ordered_json j;
  j["variant"] = info.variant;
  j["branch"] = info.branch;
  j["arch"] = info.arch;
  j["target"] = info.target;
  j["target_sha256"] = target_sha256;
  j["kernel_version"] = info.kernel_version;
  j["source"] = {
      {"route", info.source_route}, {"origin", info.source_origin}, {"sha256", info.source_sha256}};
  auto patches = nlohmann::ordered_json::array();
  for (const auto& p : info.patches) patches.push_back({{"path", p.path}, {"sha256", p.sha256}});
  j["patches"] = patches;
  j["toolchain"] = {{"cc", info.cc_version},
                    {"ld", info.ld_version},
                    {"cross_compile", info.cross_compile},
                    {"host", info.host_machine},
                    {"ccache", info.ccache}};
  j["config_sha256"] = info.config_sha256;
  j["source_date_epoch"] = info.source_date_epoch;
  j["build_timestamp"] = info.source_date_epoch;
  j["kbuild_build_timestamp"] = info.kbuild_timestamp;
  j["builder"] = info.builder;
  return j.dump(2) + "\n";
}

std::string write_artifacts(const ArtifactInput& in) {
  fs::path out_dir = fs::absolute(in.out_dir).lexically_normal();
  if (out_dir.filename().empty()) out_dir = out_dir.parent_path();
  std::string parent = out_dir.parent_path().string();
  std::string base = out_dir.filename().string();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) fail_io("cannot create " + parent, ec.value());
  // Leftovers of an interrupted earlier write.
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("." + base + ".tmp-", 0) == 0 || name.rfind("." + base + ".old-", 0) == 0)
      fs::remove_all(e.path(), ec);
  }
  std::string tmp;
  try {
    tmp = source::make_temp_dir(parent, "." + base + ".tmp-");
  } catch (const source::SourceError& e) {
    throw BuildError(
        e.kind() == source::ErrorKind::kDiskFull ? ErrorKind::kDiskFull : ErrorKind::kOther,
        e.what());
  }
  try {
    ::chmod(tmp.c_str(), 0755);
    const std::string& target = in.info.target;
    std::string kernel = slurp(in.target_path);
    write_synced(tmp + "/" + target, kernel);
    std::string zst = zstd_compress(kernel);
    kernel.clear();
    kernel.shrink_to_fit();
    write_synced(tmp + "/vmlinux.bin.zst", zst);
    write_synced(tmp + "/config", slurp(in.config_path));
    write_synced(tmp + "/System.map", slurp(in.system_map_path));
    std::string target_sha = sha256_of(tmp + "/" + target);
    write_synced(tmp + "/build-info.json", build_info_json(in.info, target_sha));
    write_synced(tmp + "/SHA256SUMS", sha256sums(tmp, artifact_files(target)));
    // Swap the new directory in: one atomic exchange when out_dir exists, else a rename.
    if (fs::exists(out_dir, ec)) {
      if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, out_dir.c_str(), RENAME_EXCHANGE) == 0) {
        fs::remove_all(tmp, ec);  // now the old set
      } else {
        std::string old = source::make_temp_dir(parent, "." + base + ".old-");
        fs::remove(old, ec);
        if (::rename(out_dir.c_str(), old.c_str()) != 0)
          fail_io("cannot move " + out_dir.string(), errno);
        if (::rename(tmp.c_str(), out_dir.c_str()) != 0) fail_io("cannot rename " + tmp, errno);
        fs::remove_all(old, ec);
      }
    } else if (::rename(tmp.c_str(), out_dir.c_str()) != 0) {
      fail_io("cannot rename " + tmp + " to " + out_dir.string(), errno);
    }
    fsync_dir(parent);
    return target_sha;
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace rk::build
