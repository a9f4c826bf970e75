#include "rootfs/build.hpp"

#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "process/run.hpp"
#include "source/tree_cache.hpp"
#include "source/util.hpp"

namespace fs = std::filesystem;

namespace rk::rootfs {
namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RootfsError("rootfs: cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string minutes_seconds(std::chrono::milliseconds elapsed) {
  long s = static_cast<long>(elapsed.count() / 1000);
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

// mmdebstrap splits special hooks' arguments at whitespace and hands hook text to a shell, so
// paths we put in them must be plain.
void require_plain_path(const fs::path& path) {
  std::string s = path.string();
  bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '.' || c == '-' || c == '_' || c == '+';
  });
  if (!plain) {
    throw RootfsError("rootfs: the cache directory '" + s +
                      "' has characters mmdebstrap's hooks cannot take; set RK_CACHE to a "
                      "path of letters, digits and / . - _ +");
  }
}

// Runs one step, showing its progress lines (mmdebstrap's `I:` lines) with the elapsed time,
// and throws with the end of its output when it fails.
void run_step(const std::string& what, std::vector<std::string> argv, const std::string& package,
              std::chrono::minutes limit, FILE* log, bool show_lines) {
  if (process::find_executable(argv[0]).empty()) {
    throw RootfsError("rootfs: " + argv[0] + " not found: install the Debian package " + package);
  }
  std::string tail;
  auto started = std::chrono::steady_clock::now();
  process::LineSplitter lines([&](std::string_view line) {
    tail.append(line);
    tail += '\n';
    if (tail.size() > 8192) tail.erase(0, tail.size() - 8192);
    if (log && show_lines && line.starts_with("I: ")) {
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      std::fprintf(log, "  [%s %s] %.*s\n", what.c_str(), minutes_seconds(elapsed).c_str(),
                   static_cast<int>(line.size() - 3), line.data() + 3);
      std::fflush(log);
    }
  });
  process::Handlers handlers;
  handlers.on_output = [&](std::string_view chunk) {
    lines.feed(chunk);
    return process::Verdict::keep_going;
  };
  process::Limits limits;
  limits.timeout = limit;
  limits.forward_interrupts = true;
  process::Command command{std::move(argv), "", {"LC_ALL=C"}};
  process::Outcome outcome = process::run(command, handlers, limits);
  lines.finish();
  if (!outcome.started) throw RootfsError("rootfs: " + what + ": " + outcome.start_error);
  if (outcome.interrupted) throw RootfsError("rootfs: " + what + " interrupted");
  if (outcome.timed_out) {
    throw RootfsError("rootfs: " + what + " did not finish in " + std::to_string(limit.count()) +
                      " min; its last output:\n" + tail);
  }
  if (!outcome.exited || outcome.exit_code != 0) {
    throw RootfsError("rootfs: " + what + " failed (" +
                      (outcome.exited ? "exit " + std::to_string(outcome.exit_code)
                                      : "signal " + std::to_string(outcome.signal)) +
                      "); its last output:\n" + tail);
  }
  if (log) {
    std::fprintf(log, "  [%s] done in %s\n", what.c_str(),
                 minutes_seconds(outcome.elapsed).c_str());
    std::fflush(log);
  }
}

std::string host_debian_arch() {
  struct utsname u;
  if (::uname(&u) != 0) return "";
  std::string machine = u.machine;
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  return machine;
}

// The packages mmdebstrap installed, from the copies of dpkg's status and apt's lists the
// customize hooks made.
Lock read_installed(const fs::path& meta) {
  std::vector<std::string> indexes;
  if (fs::is_directory(meta / "lists")) {
    for (const auto& entry : fs::directory_iterator(meta / "lists")) {
      if (entry.is_regular_file() && entry.path().filename().string().ends_with("_Packages")) {
        indexes.push_back(read_text(entry.path()));
      }
    }
  }
  if (indexes.empty()) {
    throw RootfsError("rootfs: mmdebstrap left no uncompressed Packages index in " +
                      (meta / "lists").string());
  }
  return installed_packages(read_text(meta / "status"), indexes);
}

// Image size: the content plus room for what the workload writes at run time (images, build
// caches, containers). The file is sparse, so unused room costs no disk.
std::string image_size_mib(const fs::path& tarball) {
  std::uintmax_t content_mib = fs::file_size(tarball) / (1024 * 1024);
  return std::to_string(content_mib + content_mib / 4 + 3072) + "M";
}

// The recipe's guest files as a tarball for mmdebstrap's tar-in hook: only the files and
// symlinks are members (no directory entries, which would replace the modes of /etc or /usr),
// owned by root.
fs::path guest_files_tarball(const Recipe& recipe, const fs::path& work, FILE* log) {
  fs::path staging = work / "guest-files";
  std::vector<std::string> argv = {"tar",
                                   "--owner=0",
                                   "--group=0",
                                   "--numeric-owner",
                                   "--no-recursion",
                                   "-cf",
                                   (work / "guest-files.tar").string(),
                                   "-C",
                                   staging.string()};
  for (const GuestFile& f : recipe.files) {
    fs::path relative = fs::path(f.path).relative_path();
    fs::path target = staging / relative;
    fs::create_directories(target.parent_path());
    if (!f.symlink.empty()) {
      fs::create_symlink(f.symlink, target);
    } else {
      std::ofstream out(target, std::ios::binary);
      out << f.content;
      out.close();
      if (!out) throw RootfsError("rootfs: cannot write " + target.string());
      fs::permissions(target, static_cast<fs::perms>(f.mode));
    }
    argv.push_back(relative.string());
  }
  run_step("guest files " + recipe.arch, argv, "tar", std::chrono::minutes(2), log, false);
  return work / "guest-files.tar";
}

// Scratch directories of builds that were killed (tmp-<arch>-<pid> whose process is gone) hold
// a few GB each; a live build's directory is left alone.
void remove_stale_scratch(const fs::path& cache_dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cache_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("tmp-") || !entry.is_directory()) continue;
    size_t dash = name.rfind('-');
    std::string digits = name.substr(dash + 1);
    if (digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

bool host_runs_arch(const std::string& debian_arch, std::string* why_not) {
  if (debian_arch == host_debian_arch()) return true;
  std::string cpu = debian_arch == "arm64" ? "aarch64" : debian_arch == "amd64" ? "x86_64" : "";
  std::string handler = "/proc/sys/fs/binfmt_misc/qemu-" + cpu;
  std::ifstream in(handler);
  std::string first_line;
  if (!cpu.empty() && in && std::getline(in, first_line) && first_line == "enabled") return true;
  if (why_not) {
    *why_not = "this " + host_debian_arch() + " host cannot run " + debian_arch +
               " programs (no enabled " + handler +
               "): install the Debian packages qemu-user-static and binfmt-support (Debian 12; "
               "qemu-user-binfmt from Debian 13) and make sure binfmt_misc is mounted";
  }
  return false;
}

std::string image_path(const Recipe& recipe, const std::string& lock_text,
                       const std::string& cache_dir) {
  return (fs::path(cache_dir) /
          (recipe.arch + "-" + cache_key(recipe, lock_text).substr(0, 16) + ".ext4"))
      .string();
}

BuildResult build_rootfs(const Recipe& recipe, const BuildOptions& options) {
  validate_recipe(recipe);
  const std::string cache_dir =
      options.cache_dir.empty() ? source::cache_root() + "/rootfs" : options.cache_dir;
  const std::string& lock_path = options.lock_path;
  if (lock_path.empty()) throw RootfsError("rootfs: no lock file path");
  std::string lock_text;
  Lock locked;
  bool have_lock = fs::exists(lock_path);
  if (have_lock) {
    lock_text = read_text(lock_path);
    locked = parse_lock(lock_text, lock_path);
  } else if (!options.update) {
    throw RootfsError("rootfs " + recipe.arch + ": no lock file " + lock_path +
                      "; create it with `" +
                      update_command_for(recipe.arch, options.update_command) + "` and commit it");
  }

  BuildResult result;
  if (!options.update) {
    result.image = image_path(recipe, lock_text, cache_dir);
    if (fs::exists(result.image)) {
      result.cached = true;
      return result;
    }
  }
  std::string why_not;
  if (!host_runs_arch(recipe.debian_arch, &why_not)) throw RootfsError("rootfs: " + why_not);

  fs::create_directories(cache_dir);
  remove_stale_scratch(cache_dir);
  fs::path work =
      fs::absolute(cache_dir) / ("tmp-" + recipe.arch + "-" + std::to_string(::getpid()));
  require_plain_path(work);
  fs::remove_all(work);
  fs::create_directories(work / "meta");
  try {
    if (options.log) {
      std::fprintf(options.log, "rootfs %s: Debian %s from %s with mmdebstrap\n",
                   recipe.arch.c_str(), recipe.suite.c_str(), recipe.mirror.c_str());
    }
    fs::path tarball = work / "root.tar";
    fs::path meta = work / "meta";
    std::vector<std::string> argv = {options.mmdebstrap, "--variant=" + recipe.variant,
                                     "--arch=" + recipe.debian_arch, "--format=tar"};
    std::string include;
    for (const std::string& p : recipe.packages) include += (include.empty() ? "" : ",") + p;
    argv.push_back("--include=" + include);
    for (const std::string& o : recipe.apt_options) argv.push_back("--aptopt=" + o);
    // Before mmdebstrap's cleanup removes them: what dpkg installed and the indexes that hold
    // each package's sha256.
    argv.push_back("--customize-hook=download /var/lib/dpkg/status " + (meta / "status").string());
    argv.push_back("--customize-hook=sync-out /var/lib/apt/lists " + (meta / "lists").string());
    if (!recipe.disabled_units.empty()) {
      // The guest's own systemctl (under emulation for a foreign arch), offline in the chroot.
      std::string units;
      for (const std::string& u : recipe.disabled_units) units += " " + u;
      argv.push_back("--customize-hook=chroot \"$1\" systemctl disable --quiet" + units);
    }
    for (const ForeignBinary& f : recipe.foreign_binaries) {
      argv.push_back("--customize-hook=" + foreign_binary_hook(f));
    }
    if (!recipe.files.empty()) {
      argv.push_back("--customize-hook=tar-in " +
                     guest_files_tarball(recipe, work, options.log).string() + " /");
    }
    argv.push_back(recipe.suite);
    argv.push_back(tarball.string());
    argv.push_back(recipe.mirror);
    fs::create_directories(meta / "lists");
    run_step("mmdebstrap " + recipe.arch, argv, "mmdebstrap", std::chrono::minutes(90), options.log,
             true);

    Lock offered = read_installed(meta);
    result.packages = offered.size();
    std::vector<LockChange> changes = compare_lock(locked, offered);
    if (!options.update && !changes.empty()) {
      throw RootfsError(refusal_message(changes, recipe.arch, lock_path, options.update_command));
    }
    if (options.update && (!have_lock || !changes.empty())) {
      lock_text = format_lock(offered, recipe.arch);
      source::write_file_atomically(lock_path, lock_text);
      result.lock_written = true;
      if (options.log) {
        std::fprintf(options.log, "rootfs %s: wrote %s (%zu packages, %zu changed)\n",
                     recipe.arch.c_str(), lock_path.c_str(), offered.size(), changes.size());
      }
    }
    result.image = image_path(recipe, lock_text, cache_dir);

    // fakeroot keeps the tarball's owners, modes and device nodes in its state file while the
    // files on disk belong to us; mkfs.ext4 then reads them back through the same state.
    fs::path tree = work / "tree";
    fs::path state = work / "fakeroot.state";
    fs::path image_tmp = work / "image.ext4";
    fs::create_directories(tree);
    const std::string size = image_size_mib(tarball);
    run_step("unpack " + recipe.arch,
             {"fakeroot", "-s", state.string(), "--", "tar", "-xpf", tarball.string(),
              "--numeric-owner", "-C", tree.string()},
             "fakeroot", std::chrono::minutes(20), options.log, false);
    fs::remove(tarball);
    run_step("mkfs.ext4 " + recipe.arch,
             {"fakeroot", "-i", state.string(), "--", "mkfs.ext4", "-q", "-F", "-L", "rk-rootfs",
              "-E", "root_owner=0:0", "-d", tree.string(), image_tmp.string(), size},
             "e2fsprogs", std::chrono::minutes(20), options.log, false);
    fs::rename(image_tmp, result.image);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(work, ec);
    throw;
  }
  fs::remove_all(work);
  return result;
}

}  // namespace rk::rootfs
