#include "image/artifacts.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lazy_libs/shared_library.hpp"
#include "lazy_libs/zstd.hpp"

namespace rk::image {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::optional<std::int64_t> parse_seconds(const std::string& s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  try {
    return std::stoll(s);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::int64_t> json_seconds(const json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  const json& v = j.at(key);
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) return parse_seconds(v.get<std::string>());
  return std::nullopt;
}

struct BuildInfo {
  std::string kernel_version;
  std::optional<std::int64_t> timestamp;
};

BuildInfo read_build_info(const fs::path& dir) {
  fs::path f = dir / "build-info.json";
  std::ifstream in(f, std::ios::binary);
  if (!in) {
    throw ImageError(ErrorKind::kArtifacts,
                     f.string() +
                         ": missing; the kernel build writes it next to vmlinux.bin.zst: rebuild "
                         "this variant, or remove " +
                         dir.string() + " to leave it out");
  }
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw ImageError(ErrorKind::kArtifacts,
                     f.string() + ": not valid JSON (" + e.what() + "); rebuild this variant");
  }
  BuildInfo info;
  if (!j.is_object() || !j.contains("kernel_version") || !j.at("kernel_version").is_string() ||
      j.at("kernel_version").get<std::string>().empty()) {
    throw ImageError(ErrorKind::kArtifacts,
                     f.string() +
                         ": no \"kernel_version\" string; rebuild this variant or add it (e.g. "
                         "\"kernel_version\": \"6.1.112\")");
  }
  info.kernel_version = j.at("kernel_version").get<std::string>();
  info.timestamp = json_seconds(j, "source_date_epoch");
  if (!info.timestamp) info.timestamp = json_seconds(j, "build_timestamp");
  return info;
}

std::int64_t newest_mtime(const fs::path& dir) {
  std::int64_t newest = 0;
  for (const std::string& name : layer_files()) {
    struct stat st {};
    if (::stat((dir / name).c_str(), &st) != 0) continue;  // reported when the layout is written
    newest = std::max<std::int64_t>(newest, st.st_mtime);
  }
  return newest;
}

}  // namespace

std::string booted_kernel_name(const std::string& arch_dir) {
  if (arch_dir == "x86_64" || arch_dir == "amd64") return "vmlinux";
  if (arch_dir == "arm64" || arch_dir == "aarch64") return "Image";
  return "";
}

namespace {

// One of the records `runner-kernel test` writes beside the artifacts: the probe boot's
// (boot-test.json, required) or the workload boot's (workload-test.json).
struct TestRecord {
  const char* file;
  const char* kind;     // "boot-test"
  const char* test;     // "boot test"
  const char* verdict;  // what failing it means
  const char* retest;   // the command's options
};

constexpr TestRecord kBootRecord{"boot-test.json", "boot-test", "boot test",
                                 "a kernel whose probes fail is not packaged", ""};
constexpr TestRecord kWorkloadRecord{"workload-test.json", "workload-test", "workload test",
                                     "a kernel that fails the CI workload it declares is not "
                                     "packaged",
                                     " --workload"};

// `inside`: the sha256 of what vmlinux.bin.zst decompresses to, computed by the first record's
// check and reused by the next.
void check_test_record(const TestRecord& record, const fs::path& dir, const std::string& variant,
                       const std::string& arch_dir, const LayerFiles& files,
                       std::optional<std::string>& inside) {
  const fs::path f = dir / record.file;
  const std::string retest = std::string("run `runner-kernel test") + record.retest + " " +
                             variant + "` (make " +
                             (*record.retest ? "workload-test" : "boot-test") + ")";
  std::ifstream in(f, std::ios::binary);
  if (!in) {
    throw ImageError(ErrorKind::kNotTested,
                     f.string() + ": missing: this kernel was never boot-tested; " + retest +
                         ", or package it untested with --allow-untested");
  }
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw ImageError(ErrorKind::kNotTested,
                     f.string() + ": not valid JSON (" + e.what() + "); " + retest);
  }
  if (!j.is_object() || !j.contains("passed") || !j.at("passed").is_boolean() ||
      !j.contains("artifacts") || !j.at("artifacts").is_object()) {
    throw ImageError(ErrorKind::kNotTested, f.string() + ": not a " + record.kind +
                                                " record (no \"passed\" or \"artifacts\"); " +
                                                retest);
  }
  if (!j.at("passed").get<bool>()) {
    std::string why;
    if (j.contains("failures") && j.at("failures").is_array()) {
      for (const auto& reason : j.at("failures")) {
        if (!reason.is_string()) continue;
        why += (why.empty() ? "" : "; ") + reason.get<std::string>();
      }
    }
    throw ImageError(ErrorKind::kNotTested,
                     f.string() + ": " + variant + " failed its " + record.test +
                         (why.empty() ? "" : " (" + why + ")") + "; " + record.verdict +
                         ": fix the variant, rebuild and test it again");
  }
  const json& tested = j.at("artifacts");
  auto recorded = [&](const std::string& name, const std::string& what) {
    if (!tested.contains(name) || !tested.at(name).is_string()) {
      throw ImageError(ErrorKind::kNotTested, f.string() + ": records no sha256 of " + name +
                                                  ", so " + what +
                                                  " is not known to be the one tested; " + retest);
    }
    return tested.at(name).get<std::string>();
  };
  for (const std::string& name : layer_files()) {
    auto it = files.find(name);
    if (it == files.end()) continue;  // reported when the layout is written
    const std::string then = recorded(name, "the shipped " + name);
    const std::string now = sha256_hex(it->second);
    if (now != then) {
      throw ImageError(ErrorKind::kNotTested, (dir / name).string() + " changed after its " +
                                                  record.test + " (tested sha256 " + then +
                                                  ", now " + now + "); " + retest);
    }
  }
  // The image ships vmlinux.bin.zst, the test booted the uncompressed kernel: the one must be
  // the other, byte for byte.
  auto zst = files.find("vmlinux.bin.zst");
  if (zst == files.end()) return;  // reported when the layout is written
  const std::string kernel = booted_kernel_name(arch_dir);
  if (kernel.empty()) {
    throw ImageError(ErrorKind::kRequest,
                     "unknown architecture \"" + arch_dir + "\"; use x86_64 or arm64");
  }
  const std::string booted = recorded(kernel, "the kernel inside vmlinux.bin.zst");
  try {
    if (!inside) inside = sha256_hex(lazy_libs::zstd_decompress(zst->second));
  } catch (const lazy_libs::ZstdError& e) {
    throw ImageError(ErrorKind::kArtifacts, (dir / "vmlinux.bin.zst").string() +
                                                ": not a zstd frame the kernel build writes (" +
                                                e.what() + "); rebuild this variant, then " +
                                                retest);
  } catch (const lazy_libs::LibraryLoadError& e) {
    throw ImageError(ErrorKind::kArtifacts, e.what());
  }
  if (*inside != booted) {
    throw ImageError(ErrorKind::kNotTested,
                     (dir / "vmlinux.bin.zst").string() + " decompresses to a kernel with sha256 " +
                         *inside + ", but the " + record.test + " booted " + kernel +
                         " with sha256 " + booted + " (" + f.string() +
                         "): the image would ship a kernel that was "
                         "never booted; rebuild this variant (the build writes both from one "
                         "kernel), then " +
                         retest);
  }
}

}  // namespace

void check_boot_test(const fs::path& dir, const std::string& variant, const std::string& arch_dir,
                     const LayerFiles& files) {
  std::optional<std::string> inside;
  check_test_record(kBootRecord, dir, variant, arch_dir, files, inside);
  // The workload boot is optional (`make` runs it, `runner-kernel test` only with --workload),
  // but a record of it is never ignored: a failed workload stops the kernel as a failed probe
  // boot does.
  std::error_code ec;
  if (fs::exists(dir / kWorkloadRecord.file, ec)) {
    check_test_record(kWorkloadRecord, dir, variant, arch_dir, files, inside);
  }
}

std::string oci_architecture(const std::string& arch_dir) {
  if (arch_dir == "x86_64" || arch_dir == "amd64") return "amd64";
  if (arch_dir == "arm64" || arch_dir == "aarch64") return "arm64";
  return "";
}

std::optional<std::int64_t> parse_source_date_epoch(const char* value) {
  if (!value || !*value) return std::nullopt;
  auto v = parse_seconds(value);
  if (!v) {
    throw ImageError(ErrorKind::kRequest,
                     std::string("SOURCE_DATE_EPOCH=") + value +
                         ": not a number of seconds; set it to e.g. $(git log -1 --format=%ct) or "
                         "unset it");
  }
  return v;
}

std::vector<BranchInput> discover_branches(const DiscoverOptions& opts) {
  std::error_code ec;
  if (!fs::is_directory(opts.artifacts, ec)) {
    throw ImageError(ErrorKind::kArtifacts,
                     opts.artifacts.string() +
                         ": no such directory; build the kernels first, or point --artifacts at "
                         "the directory holding <branch>/<arch>/");
  }
  for (const std::string& a : opts.arches) {
    if (oci_architecture(a).empty()) {
      throw ImageError(ErrorKind::kRequest,
                       "unknown architecture \"" + a + "\"; use x86_64 or arm64");
    }
  }
  std::vector<fs::path> dirs;
  for (const fs::directory_entry& e : fs::directory_iterator(opts.artifacts, ec)) {
    if (!e.is_directory()) continue;
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    bool has_arch = false;
    for (const auto& sub : fs::directory_iterator(e.path(), ec)) {
      if (sub.is_directory() && !oci_architecture(sub.path().filename().string()).empty()) {
        has_arch = true;
      }
    }
    if (!has_arch) continue;
    if (!opts.branches.empty() &&
        std::find(opts.branches.begin(), opts.branches.end(), name) == opts.branches.end()) {
      continue;
    }
    dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const std::string& want : opts.branches) {
    if (std::none_of(dirs.begin(), dirs.end(),
                     [&](const fs::path& d) { return d.filename() == want; })) {
      throw ImageError(
          ErrorKind::kArtifacts,
          (opts.artifacts / want).string() +
              ": no artifacts for this branch; build it first or drop it from --branch");
    }
  }
  if (dirs.empty()) {
    throw ImageError(
        ErrorKind::kArtifacts,
        opts.artifacts.string() +
            ": no kernel artifacts (expected <branch>/<arch>/vmlinux.bin.zst); build the "
            "kernels first");
  }

  std::vector<BranchInput> branches;
  for (const fs::path& d : dirs) {
    BranchInput b;
    b.branch = d.filename().string();
    std::optional<std::int64_t> created;
    std::string version_from;
    for (const std::string& arch : opts.arches) {
      fs::path adir = d / arch;
      if (!fs::is_directory(adir, ec)) {
        throw ImageError(ErrorKind::kArtifacts,
                         adir.string() + ": missing; every branch needs " +
                             std::to_string(opts.arches.size()) +
                             " architectures: build this one, or restrict the image with --arch");
      }
      BuildInfo info = read_build_info(adir);
      PlatformArtifacts p;
      p.architecture = oci_architecture(arch);
      p.dir = adir;
      p.files = load_layer_files(b, p);
      if (opts.require_boot_test) check_boot_test(adir, b.branch + "-" + arch, arch, p.files);
      if (b.kernel_version.empty()) {
        b.kernel_version = info.kernel_version;
        version_from = (adir / "build-info.json").string();
      } else if (b.kernel_version != info.kernel_version) {
        throw ImageError(ErrorKind::kArtifacts,
                         (adir / "build-info.json").string() + ": kernel_version \"" +
                             info.kernel_version + "\" differs from \"" + b.kernel_version +
                             "\" in " + version_from + "; rebuild both from the same source");
      }
      std::int64_t t = info.timestamp ? *info.timestamp : newest_mtime(adir);
      created = created ? std::max(*created, t) : t;
      b.platforms.push_back(std::move(p));
    }
    b.created = opts.source_date_epoch ? *opts.source_date_epoch : created.value_or(0);
    branches.push_back(std::move(b));
  }
  return branches;
}

}  // namespace rk::image
