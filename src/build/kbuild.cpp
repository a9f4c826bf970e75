#include "build/kbuild.hpp"

#include <fmt/format.h>
#include <csignal>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/file.hpp"
#include "build/config_check.hpp"
#include "build/error.hpp"
#include "build/process.hpp"
#include "process/run.hpp"

namespace rk::build {

namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  return base::read_file_if_readable(path).value_or("");
}

void write_text(const std::string& path, const std::string& text) {
  try {
    base::write_file_atomically(path, text);
  } catch (const base::FileError& e) {
    throw BuildError(e.disk_full() ? ErrorKind::kDiskFull : ErrorKind::kOther, e.what());
  }
}

// Environment variables that would change what Kbuild does if inherited from the caller.
const std::vector<std::string> kDropped = {"ARCH",
                                           "SRCARCH",
                                           "CROSS_COMPILE",
                                           "CC",
                                           "LD",
                                           "AR",
                                           "NM",
                                           "OBJCOPY",
                                           "OBJDUMP",
                                           "STRIP",
                                           "READELF",
                                           "HOSTCC",
                                           "HOSTCXX",
                                           "LLVM",
                                           "LLVM_IAS",
                                           "KCFLAGS",
                                           "KCPPFLAGS",
                                           "KAFLAGS",
                                           "KBUILD_OUTPUT",
                                           "KCONFIG_CONFIG",
                                           "KBUILD_EXTRA_SYMBOLS",
                                           "KBUILD_BUILD_TIMESTAMP",
                                           "KBUILD_BUILD_USER",
                                           "KBUILD_BUILD_HOST",
                                           "KBUILD_BUILD_VERSION",
                                           "LOCALVERSION",
                                           "KBUILD_ABS_SRCTREE",
                                           "KBUILD_VERBOSE",
                                           "V",
                                           "W",
                                           "C",
                                           "KBUILD_EXTMOD",
                                           "M",
                                           "O",
                                           "MAKEFLAGS",
                                           "MFLAGS",
                                           "MAKELEVEL",
                                           "MAKEOVERRIDES",
                                           "GNUMAKEFLAGS",
                                           "LANG",
                                           "LANGUAGE",
                                           "SOURCE_DATE_EPOCH",
                                           "RUSTC",
                                           "BINDGEN",
                                           "CARGO",
                                           "KCONFIG_ALLCONFIG"};

struct MakeRun {
  int exit_code = 0;
  bool interrupted = false;
  bool disk_full = false;
};

class Builder {
 public:
  explicit Builder(const KbuildJob& job) : job_(job) {
    log_path_ = job.build_dir + "/build.log";
    log_.open(log_path_, std::ios::binary | std::ios::app);
    if (!log_) throw BuildError(ErrorKind::kOther, "cannot write " + log_path_);
    std::vector<std::pair<std::string, std::string>> set = job.env;
    set.emplace_back("LC_ALL", "C");
    env_ = process::environment_with(kDropped, set);
  }

  MakeRun make(const std::vector<std::string>& goals, ProgressDisplay* display,
               ProgressParser* parser) {
    std::vector<std::string> argv = {"make", "-C", job_.tree_dir, "O=" + job_.build_dir};
    for (const auto& [k, v] : job_.make_vars) argv.push_back(k + "=" + v);
    argv.push_back("-j" + std::to_string(std::max(1, job_.jobs)));
    for (const auto& g : goals) argv.push_back(g);
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    log_ << "$ " << cmd << "\n";
    log_.flush();
    MakeRun run;
    auto outcome = run_streaming(
        argv, env_, {},
        [&](std::string_view line) {
          log_.write(line.data(), static_cast<std::streamsize>(line.size()));
          log_.put('\n');
          if (line.find("No space left on device") != std::string_view::npos) run.disk_full = true;
          if (parser && parser->feed(line) && display)
            display->update(parser->phase(), parser->objects());
        },
        [&] {
          if (display) display->tick();
        });
    log_.flush();
    run.exit_code = outcome.exit_code;
    run.interrupted = outcome.interrupted || outcome.signal == SIGINT || outcome.signal == SIGTERM;
    log_ << fmt::format("# exit {}{}\n", outcome.exit_code,
                        outcome.signal ? fmt::format(" (signal {})", outcome.signal) : "");
    log_.flush();
    return run;
  }

  [[noreturn]] void fail(const MakeRun& run, const std::string& what, ProgressDisplay* display) {
    if (display) display->finish(run.interrupted ? "interrupted" : "FAILED");
    if (run.interrupted)
      throw BuildError(ErrorKind::kInterrupted,
                       fmt::format("{}: interrupted during {}; run the build again to resume "
                                   "(make is incremental, out/ was not touched); log: {}",
                                   job_.label, what, log_path_));
    std::string excerpt;
    for (const auto& l : failure_excerpt(read_text(log_path_))) excerpt += "  " + l + "\n";
    if (run.disk_full)
      throw BuildError(ErrorKind::kDiskFull,
                       fmt::format("{}: {} failed: no space left on device in {}; free some "
                                   "space and run the build again (it resumes)\n{}full log: {}",
                                   job_.label, what, job_.build_dir, excerpt, log_path_));
    throw BuildError(ErrorKind::kKbuild,
                     fmt::format("{}: {} failed (make exit {}); last error lines:\n{}full log: {}",
                                 job_.label, what, run.exit_code, excerpt, log_path_));
  }

  const std::string& log_path() const { return log_path_; }

 private:
  const KbuildJob& job_;
  std::string log_path_;
  std::ofstream log_;
  std::vector<std::string> env_;
};

void check_config(const KbuildJob& job, const std::string& when, ProgressDisplay* display) {
  std::string path = job.build_dir + "/.config";
  std::string kbuild = read_text(path);
  ConfigComparison c = compare_configs(job.config_text, kbuild);
  if (c.equal) return;
  if (display) display->finish("FAILED");
  throw BuildError(
      ErrorKind::kConfigMismatch,
      fmt::format("{}: the .config Kbuild {} differs from the one runner-kernel resolved: our "
                  "Kconfig engine and Kbuild disagree (- resolved, + Kbuild's {}):\n{}"
                  "(a toolchain other than the profile's changes CONFIG_CC_VERSION_TEXT and "
                  "the compiler probes: re-record with `runner-kernel config --record-toolchain "
                  "resolve` or build with --live)",
                  job.label, when, path, describe_difference(c)));
}

}  // namespace

std::string target_path(const std::string& build_dir, const std::string& srcarch,
                        const std::string& target) {
  if (target == "vmlinux") return build_dir + "/vmlinux";
  return build_dir + "/arch/" + srcarch + "/boot/" + target;
}

std::vector<std::string> failure_excerpt(const std::string& log_text, size_t n) {
  std::vector<std::string> all, errors;
  std::istringstream in(log_text);
  std::string line;
  while (std::getline(in, line)) {
    std::string lower = line;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.find("error") != std::string::npos) errors.push_back(line);
    all.push_back(std::move(line));
  }
  std::vector<std::string>& pick = errors.empty() ? all : errors;
  if (pick.size() > n) pick.erase(pick.begin(), pick.end() - static_cast<long>(n));
  return pick;
}

std::string kbuild_timestamp(std::int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return fmt::format("{} {} {:>2} {:02}:{:02}:{:02} UTC {}", days[tm.tm_wday], months[tm.tm_mon],
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

std::uint64_t expected_objects(const std::string& build_dir) {
  std::string text = read_text(build_dir + "/.rk-objects");
  try {
    return text.empty() ? 0 : std::stoull(text);
  } catch (const std::exception&) {
    return 0;
  }
}

KbuildResult run_kbuild(const KbuildJob& job) {
  auto t0 = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::create_directories(job.build_dir, ec);
  if (ec)
    throw BuildError(ErrorKind::kOther, "cannot create " + job.build_dir + ": " + ec.message());
  if (fs::exists(job.tree_dir + "/.config", ec) || fs::exists(job.tree_dir + "/include/config", ec))
    throw BuildError(ErrorKind::kOther,
                     fmt::format("{}: the source tree {} has been configured in place (.config or "
                                 "include/config/ exist); Kbuild refuses out-of-tree builds from "
                                 "it: fetch it again or run `make mrproper` in it",
                                 job.label, job.tree_dir));
  // A fresh log per run (the previous one is kept as build.log.old).
  fs::rename(job.build_dir + "/build.log", job.build_dir + "/build.log.old", ec);

  std::string config_path = job.build_dir + "/.config";
  if (read_text(config_path) != job.config_text) write_text(config_path, job.config_text);

  std::uint64_t expected = expected_objects(job.build_dir);
  ProgressDisplay display(job.progress, job.tty, job.label, expected,
                          std::chrono::seconds(job.progress_interval));
  ProgressParser parser;
  Builder b(job);

  MakeRun r = b.make({"olddefconfig"}, &display, nullptr);
  if (r.exit_code != 0 || r.interrupted) b.fail(r, "make olddefconfig", &display);
  check_config(job, "wrote for olddefconfig", &display);

  r = b.make({job.target}, &display, &parser);
  if (r.exit_code != 0 || r.interrupted) b.fail(r, "make " + job.target, &display);
  check_config(job, "built with", &display);

  KbuildResult res;
  res.target_path = target_path(job.build_dir, job.srcarch, job.target);
  res.config_path = config_path;
  res.system_map_path = job.build_dir + "/System.map";
  res.log_path = b.log_path();
  for (const auto& f : {res.target_path, res.system_map_path})
    if (!fs::is_regular_file(f, ec))
      throw BuildError(ErrorKind::kKbuild,
                       fmt::format("{}: make {} succeeded but {} is missing; log: {}", job.label,
                                   job.target, f, res.log_path));
  std::string release = read_text(job.build_dir + "/include/config/kernel.release");
  while (!release.empty() && std::isspace(static_cast<unsigned char>(release.back())))
    release.pop_back();
  res.kernel_release = release;
  res.objects = parser.objects();
  // The largest build seen teaches the next runs how many objects a full build compiles;
  // incremental builds compile fewer and must not lower it.
  if (res.objects > expected)
    write_text(job.build_dir + "/.rk-objects", std::to_string(res.objects) + "\n");
  display.update(Phase::kDone, parser.objects());
  display.finish("");
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace rk::build
