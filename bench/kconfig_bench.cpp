// Kconfig benchmark: the kernel's own scripts/kconfig/conf against runner-kernel, on the real
// trees, per kernel release (5.10, 6.1, 6.12) and architecture (x86_64, arm64). What is timed is
// parse + olddefconfig of the .config `conf --defconfig=<the arch's defconfig>` makes, by
//
//   (a) conf                 the kernel's conf, a process running its $(shell,...) macros
//   (b) rk live              `runner-kernel kconfig --olddefconfig`, a process running them too
//   (c) rk replay in-process parse_kconfig() with a ReplayShell + run_conf_mode(OldDefconfig),
//                            timed inside a forked child (peak memory: the child's ru_maxrss)
//       rk replay CLI        `runner-kernel kconfig --replay-profile FILE --olddefconfig`
//
// with Google Benchmark (manual time; counters for memory), then prints a summary table and
// writes out/bench/kconfig.json. See bench/README.md for the knobs (RK_BENCH_*) and method.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "heap/huge_page_heap.hpp"
#include "kconfig/conf_modes.hpp"
#include "kconfig/config.hpp"
#include "kconfig/diagnostics.hpp"
#include "kconfig/parse.hpp"
#include "kconfig/shell_runner.hpp"
#include "kconfig/toolchain_profile.hpp"
#include "process.hpp"

namespace {

namespace fs = std::filesystem;
namespace kc = rk::kconfig;
using rk::bench::ForkedRun;
using rk::bench::ProcessRun;
using rk::bench::ProcessSpec;
using Json = nlohmann::ordered_json;
using Env = std::map<std::string, std::string>;
using Clock = std::chrono::steady_clock;

// Targets the summary checks against.
constexpr double kReplayTargetMs = 50.0;  // (c) per variant
constexpr double kReplaySpeedup = 30.0;   // conf / (c)
constexpr double kLiveSpeedup = 1.0;      // conf / (b): no slower than conf

// ---------------------------------------------------------------------------------------------
// Settings (environment variables; see bench/README.md)
// ---------------------------------------------------------------------------------------------

struct Settings {
  fs::path repo = RK_SOURCE_DIR;
  fs::path tool = RK_TOOL;
  fs::path setup_dir, out_dir, work_root;
  int reps = 5;
  // The replayed runs take tens of milliseconds, where a busy moment of the host moves a single
  // run by half: more of them steady the median at little cost.
  int replay_reps = 25;
  std::vector<std::string> versions{"5.10", "6.1", "6.12"};
  std::vector<std::string> arches{"x86_64", "arm64"};
  bool keep = false;
  bool own_peak = true;
};

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int positive_int(const char* name, int fallback) {
  std::string v = env_or(name, "");
  if (v.empty()) return fallback;
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (*end || n < 1 || n > 1000) {
    fmt::print(stderr, "kconfig-bench: {}={} is not a number from 1 to 1000\n", name, v);
    std::exit(2);
  }
  return static_cast<int>(n);
}

Settings settings_from_env() {
  Settings s;
  s.tool = env_or("RK_BENCH_TOOL", s.tool.string());
  s.setup_dir = env_or("RK_BENCH_SETUP_DIR", (s.repo / "out" / "conformance-setup").string());
  s.out_dir = env_or("RK_BENCH_OUT", (s.repo / "out" / "bench").string());
  s.reps = positive_int("RK_BENCH_REPS", s.reps);
  s.replay_reps = positive_int("RK_BENCH_REPLAY_REPS", std::max(s.reps, s.replay_reps));
  if (auto v = env_or("RK_BENCH_VERSIONS", ""); !v.empty()) s.versions = split_list(v);
  if (auto a = env_or("RK_BENCH_ARCHES", ""); !a.empty()) s.arches = split_list(a);
  s.keep = env_or("RK_BENCH_KEEP", "0") != "0";
  s.own_peak = env_or("RK_BENCH_OWN_PEAK", "1") != "0";
  for (const auto& a : s.arches) {
    if (a != "x86_64" && a != "arm64") {
      fmt::print(stderr, "kconfig-bench: RK_BENCH_ARCHES: {} is not x86_64 or arm64\n", a);
      std::exit(2);
    }
  }
  s.tool = fs::absolute(s.tool);
  s.setup_dir = fs::absolute(s.setup_dir);
  s.out_dir = fs::absolute(s.out_dir);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Variants and their measurements
// ---------------------------------------------------------------------------------------------

// (c) runs with the parsed-tree cache primed (what every run after the first one of a tree
// gets), and once more, as the CLI, without it (every run parses the tree).
enum Kind { kConf, kLive, kReplayInProc, kReplayCli, kReplayCliCold, kKinds };
constexpr const char* kKindKey[kKinds] = {"conf", "rk_live", "rk_replay_inproc", "rk_replay_cli",
                                          "rk_replay_cli_cold"};
constexpr const char* kKindBenchName[kKinds] = {"conf", "rk-live", "rk-replay-inproc",
                                                "rk-replay-cli", "rk-replay-cli-cold"};

struct Series {
  std::vector<double> seconds;                  // one per run: what the benchmark reports
  std::vector<double> cpu_s;                    // user + system, with reaped descendants
  std::vector<double> own_cpu_s;                // processes: user + system of the process alone
  std::vector<double> load_s, parse_s, eval_s;  // in-process phases
  std::vector<double> maxrss_kb, own_peak_kb;
  std::vector<double> inherited_kb;  // in-process: the child's RSS at fork
  int failures = 0;
  std::string error;  // the last failure
};

struct Variant {
  std::string version, arch, srcarch, defconfig;
  fs::path conf;
  std::string kconfig;  // the top-level Kconfig argument Kbuild passes
  Env env;              // Kbuild's environment for conf, as the conformance setup captured it
  std::string srctree;
  std::string debian_version;
  fs::path dir;  // this variant's scratch directory
  fs::path input_config, profile;
  fs::path tree_cache;  // the parsed-tree cache of the (c) runs
  size_t profile_commands = 0;
  double prep_defconfig_s = 0, prep_record_s = 0;
  std::string prep_error;
  Series series[kKinds];
  // The last run's .config of each kind against conf's: "same", "DIFF" or "n/a". The runs leave
  // their outputs on disk (nothing big stays in this process: forked children would inherit it).
  std::string vs_conf[kKinds];

  std::string id() const { return version + "/" + arch; }
};

void log(const std::string& msg) {
  fmt::print(stderr, "kconfig-bench: {}\n", msg);
  std::fflush(stderr);
}

std::optional<std::string> read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

std::string tail(const std::string& text, size_t n = 400) {
  std::string t = text.size() > n ? "..." + text.substr(text.size() - n) : text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

// A fresh working directory, as Kbuild's objdir looks after an earlier configuration: an empty
// include/config/auto.conf (so neither conf nor the tool write auto.conf, autoconf.h and the
// include/config/ tree: the conformance harness does the same), plus `.config` when given.
fs::path fresh_dir(const fs::path& dir, const fs::path* dot_config) {
  fs::remove_all(dir);
  fs::create_directories(dir / "include" / "config");
  write_text(dir / "include" / "config" / "auto.conf", "");
  if (dot_config) fs::copy_file(*dot_config, dir / ".config");
  return dir;
}

// conf's four-line heading ("#", "# Automatically generated file; DO NOT EDIT.", "# Linux/...",
// "#") names the release; it is left out when outputs are compared, as the conformance harness
// does.
std::string without_heading(const std::string& text) {
  const std::string start = "#\n# Automatically generated file; DO NOT EDIT.\n";
  if (text.rfind(start, 0) != 0) return text;
  size_t pos = start.size();
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) return "";
    bool hash_line = text.compare(pos, eol - pos, "#") == 0;
    pos = eol + 1;
    if (hash_line) return text.substr(pos);
  }
  return "";
}

ProcessRun run_in(const Settings& s, const Variant& v, const fs::path& dir,
                  std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.env = v.env;
  spec.cwd = dir;
  spec.stdout_file = dir / "stdout.txt";
  spec.stderr_file = dir / "stderr.txt";
  spec.own_peak = s.own_peak;
  return rk::bench::run_process(spec);
}

// The parsed-tree cache of the runs: in the scratch directory, never the user's.
fs::path tree_cache_dir(const Settings& s) {
  return s.work_root / "tree-cache";
}

std::vector<std::string> olddefconfig_argv(const Settings& s, const Variant& v, Kind kind) {
  switch (kind) {
    case kConf:
      return {v.conf.string(), "--olddefconfig", v.kconfig};
    case kLive:
      return {s.tool.string(),  "kconfig", "--tree-cache", tree_cache_dir(s).string(),
              "--olddefconfig", v.kconfig};
    case kReplayCliCold:
      return {s.tool.string(),    "kconfig",        "--no-tree-cache", "--replay-profile",
              v.profile.string(), "--olddefconfig", v.kconfig};
    default:
      return {s.tool.string(),    "kconfig",          "--tree-cache",   tree_cache_dir(s).string(),
              "--replay-profile", v.profile.string(), "--olddefconfig", v.kconfig};
  }
}

// ---------------------------------------------------------------------------------------------
// Setup: the conformance harness's per-version objdir (conf) and captured Kbuild environments
// ---------------------------------------------------------------------------------------------

bool setup_present(const Settings& s, const std::string& version) {
  fs::path d = s.setup_dir / version;
  if (!fs::is_regular_file(d / "obj" / "scripts" / "kconfig" / "conf")) return false;
  for (const auto& a : s.arches) {
    if (!fs::is_regular_file(d / ("capture-" + a + ".json"))) return false;
  }
  return true;
}

// Runs a command with this process's environment, its output (both streams) going to `log_file`.
int run_logged(const std::vector<std::string>& args, const fs::path& log_file) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string log_name = log_file.string();
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = open(log_name.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) _exit(126);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The conformance harness sets a version up (fetches the tree, builds conf, captures Kbuild's
// environment per arch) before anything else, also for `--list`, which then runs no case. If a
// harness ever stops doing that for --list, one small case (allnoconfig x86_64) does it.
bool ensure_setup(const Settings& s, const std::string& version) {
  if (setup_present(s, version)) return true;
  char tmpl[] = "/tmp/rk-bench-setup-XXXXXX";
  if (!mkdtemp(tmpl)) return false;
  fs::path tmp = tmpl;
  fs::create_directories(s.out_dir);
  fs::path log_file = s.out_dir / ("setup-" + version + ".log");
  fs::remove(log_file);
  std::vector<std::string> base = {(s.repo / "tests" / "conformance" / "run.sh").string(),
                                   "--tool",
                                   s.tool.string(),
                                   "--fetch-with",
                                   s.tool.string(),
                                   "--versions",
                                   version,
                                   "--setup-dir",
                                   s.setup_dir.string(),
                                   "--out",
                                   (tmp / "out").string()};
  auto with = [&](std::vector<std::string> extra) {
    auto a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  log(
      fmt::format("{}: no conformance setup in {}; running the harness's setup "
                  "(tests/conformance/run.sh --list, log in {})",
                  version, (s.setup_dir / version).string(), log_file.string()));
  auto t0 = Clock::now();
  run_logged(with({"--list"}), log_file);
  if (!setup_present(s, version)) {
    log(fmt::format("{}: still no setup; running one harness case to make it", version));
    run_logged(with({"--filter", version + "/all/x86_64/allnoconfig"}), log_file);
  }
  fs::remove_all(tmp);
  bool ok = setup_present(s, version);
  log(fmt::format("{}: setup {} ({:.0f} s)", version, ok ? "made" : "FAILED",
                  std::chrono::duration<double>(Clock::now() - t0).count()));
  if (!ok) fmt::print(stderr, "{}\n", tail(read_text(log_file).value_or(""), 2000));
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Preparing a variant: the input .config (conf --defconfig) and the toolchain profile
// ---------------------------------------------------------------------------------------------

bool load_capture(const Settings& s, Variant& v) {
  fs::path d = s.setup_dir / v.version;
  v.conf = d / "obj" / "scripts" / "kconfig" / "conf";
  auto text = read_text(d / ("capture-" + v.arch + ".json"));
  if (!text) {
    v.prep_error = "no capture-" + v.arch + ".json";
    return false;
  }
  Json cap = Json::parse(*text, nullptr, false);
  if (cap.is_discarded() || !cap.contains("env") || !cap.contains("argv") ||
      cap["argv"].size() != 3) {
    v.prep_error = "capture-" + v.arch + ".json is not what the conformance setup writes";
    return false;
  }
  for (auto& [k, val] : cap["env"].items()) v.env[k] = val.get<std::string>();
  v.kconfig = cap["argv"][2].get<std::string>();
  v.srctree = v.env.count("srctree") ? v.env["srctree"] : "";
  if (auto stamp = read_text(d / "stamp.json")) {
    Json st = Json::parse(*stamp, nullptr, false);
    if (!st.is_discarded() && st.contains("debian_version")) {
      v.debian_version = st["debian_version"].get<std::string>();
    }
  }
  return true;
}

std::string replay_in_process(const Variant& v, const fs::path& dir, std::vector<double>& values);

bool prepare_variant(const Settings& s, Variant& v) {
  if (!load_capture(s, v)) return false;
  v.input_config = v.dir / "input.config";
  v.profile = v.dir / "toolchain.profile";

  // The input: what `make <defconfig>` gives, made by conf itself.
  fs::path d1 = fresh_dir(v.dir / "prep-defconfig", nullptr);
  std::string rel = "arch/" + v.srcarch + "/configs/" + v.defconfig;
  ProcessRun r = run_in(s, v, d1, {v.conf.string(), "--defconfig=" + rel, v.kconfig});
  v.prep_defconfig_s = r.seconds;
  if (r.exit_code != 0 || !fs::is_regular_file(d1 / ".config")) {
    v.prep_error =
        fmt::format("conf --defconfig={} failed (exit {}): {}", rel, r.exit_code,
                    r.error.empty() ? tail(read_text(d1 / "stderr.txt").value_or("")) : r.error);
    return false;
  }
  fs::copy_file(d1 / ".config", v.input_config, fs::copy_options::overwrite_existing);

  // The toolchain profile: every $(shell,...) result of this tree with this environment.
  fs::path d2 = fresh_dir(v.dir / "prep-record", &v.input_config);
  r = run_in(s, v, d2,
             {s.tool.string(), "kconfig", "--record-profile", v.profile.string(), "--olddefconfig",
              v.kconfig});
  v.prep_record_s = r.seconds;
  if (r.exit_code != 0 || !fs::is_regular_file(v.profile)) {
    v.prep_error =
        fmt::format("runner-kernel kconfig --record-profile failed (exit {}): {}", r.exit_code,
                    r.error.empty() ? tail(read_text(d2 / "stderr.txt").value_or("")) : r.error);
    return false;
  }
  try {
    v.profile_commands = kc::ToolchainProfile::load(v.profile.string()).size();
  } catch (const std::exception& e) {
    v.prep_error = std::string("recorded profile does not load: ") + e.what();
    return false;
  }
  // Prime the parsed-tree cache, once for the tool and once for this program (another build
  // of the engine: its own entries).
  v.tree_cache = tree_cache_dir(s);
  fs::path d3 = fresh_dir(v.dir / "prep-cache", &v.input_config);
  r = run_in(s, v, d3, olddefconfig_argv(s, v, kReplayCli));
  if (r.exit_code != 0) {
    v.prep_error = fmt::format("priming the tree cache failed (exit {})", r.exit_code);
    return false;
  }
  ForkedRun primed = rk::bench::run_forked(
      [&](std::vector<double>& values) { return replay_in_process(v, d3, values); });
  if (!primed.ok) {
    v.prep_error = "priming the in-process tree cache failed: " + primed.error;
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The benchmarks
// ---------------------------------------------------------------------------------------------

void fail(benchmark::State& state, Series& series, const std::string& msg) {
  series.failures++;
  series.error = msg;
  state.SkipWithError(msg.c_str());
}

void bench_process(benchmark::State& state, const Settings* s, Variant* v, Kind kind) {
  Series& series = v->series[kind];
  for (auto _ : state) {
    fs::path dir = fresh_dir(v->dir / kKindKey[kind], &v->input_config);
    ProcessRun r = run_in(*s, *v, dir, olddefconfig_argv(*s, *v, kind));
    if (r.exit_code != 0) {
      fail(state, series,
           fmt::format(
               "exit {}: {}", r.exit_code,
               r.error.empty() ? tail(read_text(dir / "stderr.txt").value_or("")) : r.error));
      break;
    }
    state.SetIterationTime(r.seconds);
    series.seconds.push_back(r.seconds);
    series.cpu_s.push_back(r.cpu_seconds);
    series.maxrss_kb.push_back(static_cast<double>(r.maxrss_kb));
    if (r.own_peak_kb >= 0) series.own_peak_kb.push_back(static_cast<double>(r.own_peak_kb));
    if (r.own_cpu_seconds >= 0) {
      series.own_cpu_s.push_back(r.own_cpu_seconds);
      state.counters["own_cpu_ms"] = r.own_cpu_seconds * 1e3;
    }
    state.counters["cpu_ms"] = r.cpu_seconds * 1e3;
    state.counters["maxrss_kB"] = static_cast<double>(r.maxrss_kb);
    if (r.own_peak_kb >= 0) state.counters["own_peak_kB"] = static_cast<double>(r.own_peak_kb);
  }
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// parse_kconfig + run_conf_mode(OldDefconfig) in this process (a forked child of the benchmark),
// answering $(shell,...) from the recorded profile. Timed: loading the profile, parsing (with
// finalize), and evaluation (reading .config, olddefconfig, rendering the new .config text).
// Reports {load, parse, eval, CPU of all three} in seconds. The child sets up its heap as the
// tool's main() does (counted in the load time), so both (c) measurements allocate alike.
std::string replay_in_process(const Variant& v, const fs::path& dir, std::vector<double>& values) {
  if (chdir(dir.c_str()) != 0) return "chdir " + dir.string() + " failed";
  double cpu0 = process_cpu_seconds();
  auto t0 = Clock::now();
  rk::heap::use_huge_page_heap();
  kc::ReplayShell shell(kc::ToolchainProfile::load(v.profile.string()));
  auto t1 = Clock::now();
  kc::Diagnostics diag;  // warnings are kept, not printed
  kc::ParseOptions opts;
  opts.kconfig = v.kconfig;
  opts.env = v.env;
  opts.srctree = v.srctree;
  opts.shell = &shell;
  opts.diag = &diag;
  kc::DirectorySnapshotStore store(v.tree_cache.string());
  opts.snapshots = &store;
  std::unique_ptr<kc::Tree> tree = kc::parse_kconfig(opts);
  auto t2 = Clock::now();
  kc::Config config(*tree, &diag);
  kc::ConfRequest req;
  req.mode = kc::ConfMode::OldDefconfig;
  req.env = v.env;
  req.files.srctree = v.srctree;
  kc::ConfOutcome out = kc::run_conf_mode(config, req);
  auto t3 = Clock::now();
  double cpu = process_cpu_seconds() - cpu0;
  values = {seconds_between(t0, t1), seconds_between(t1, t2), seconds_between(t2, t3), cpu};
  if (out.exit_code != 0) return fmt::format("olddefconfig: exit {}: {}", out.exit_code, out.error);
  if (!out.config) return "olddefconfig produced no .config";
  // Written after the clock stopped, only to compare it with conf's.
  if (!write_text(dir / out.config_path, *out.config)) return "cannot write " + out.config_path;
  return "";
}

void bench_in_process(benchmark::State& state, Variant* v) {
  Series& series = v->series[kReplayInProc];
  for (auto _ : state) {
    fs::path dir = fresh_dir(v->dir / kKindKey[kReplayInProc], &v->input_config);
    ForkedRun r = rk::bench::run_forked(
        [&](std::vector<double>& values) { return replay_in_process(*v, dir, values); });
    if (!r.ok || r.values.size() != 4) {
      fail(state, series, r.error.empty() ? "no timings from the child" : r.error);
      break;
    }
    const auto& x = r.values;
    double total = x[0] + x[1] + x[2];
    state.SetIterationTime(total);
    series.seconds.push_back(total);
    series.load_s.push_back(x[0]);
    series.parse_s.push_back(x[1]);
    series.eval_s.push_back(x[2]);
    series.cpu_s.push_back(x[3]);
    series.maxrss_kb.push_back(static_cast<double>(r.maxrss_kb));
    series.inherited_kb.push_back(static_cast<double>(r.start_rss_kb));
    state.counters["cpu_ms"] = x[3] * 1e3;
    state.counters["maxrss_kB"] = static_cast<double>(r.maxrss_kb);
    state.counters["inherited_kB"] = static_cast<double>(r.start_rss_kb);
    state.counters["load_ms"] = x[0] * 1e3;
    state.counters["parse_ms"] = x[1] * 1e3;
    state.counters["eval_ms"] = x[2] * 1e3;
  }
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

std::optional<double> median(std::vector<double> xs) {
  if (xs.empty()) return std::nullopt;
  std::sort(xs.begin(), xs.end());
  size_t n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

std::optional<double> ratio(std::optional<double> a, std::optional<double> b) {
  if (!a || !b || *b <= 0) return std::nullopt;
  return *a / *b;
}

// "same" / "DIFF" / "n/a": the .config the last run of a kind left, against conf's, heading
// left out.
std::string output_vs_conf(const Variant& v, Kind kind) {
  if (v.series[kConf].seconds.empty() || v.series[kind].seconds.empty()) return "n/a";
  auto ref = read_text(v.dir / kKindKey[kConf] / ".config");
  auto out = read_text(v.dir / kKindKey[kind] / ".config");
  if (!ref || !out) return "n/a";
  return without_heading(*ref) == without_heading(*out) ? "same" : "DIFF";
}

double fork_baseline_kb() {
  std::vector<double> kb;
  for (int i = 0; i < 3; ++i) {
    ForkedRun r = rk::bench::run_forked([](std::vector<double>&) { return std::string(); });
    if (r.ok) kb.push_back(static_cast<double>(r.maxrss_kb));
  }
  return median(kb).value_or(-1);
}

Json series_json(const Series& s) {
  Json j;
  auto ms = [](const std::vector<double>& xs) {
    Json a = Json::array();
    for (double x : xs) a.push_back(std::round(x * 1e6) / 1e3);
    return a;
  };
  auto opt = [](std::optional<double> x, double scale = 1) {
    return x ? Json(std::round(*x * scale * 1e3) / 1e3) : Json(nullptr);
  };
  j["runs"] = s.seconds.size();
  j["median_ms"] = opt(median(s.seconds), 1e3);
  j["min_ms"] = s.seconds.empty()
                    ? Json(nullptr)
                    : Json(*std::min_element(s.seconds.begin(), s.seconds.end()) * 1e3);
  j["max_ms"] = s.seconds.empty()
                    ? Json(nullptr)
                    : Json(*std::max_element(s.seconds.begin(), s.seconds.end()) * 1e3);
  j["samples_ms"] = ms(s.seconds);
  j["cpu_median_ms"] = opt(median(s.cpu_s), 1e3);
  j["cpu_samples_ms"] = ms(s.cpu_s);
  if (!s.own_cpu_s.empty()) j["own_cpu_median_ms"] = opt(median(s.own_cpu_s), 1e3);
  if (!s.parse_s.empty()) {
    j["load_profile_median_ms"] = opt(median(s.load_s), 1e3);
    j["parse_median_ms"] = opt(median(s.parse_s), 1e3);
    j["eval_median_ms"] = opt(median(s.eval_s), 1e3);
    j["parse_samples_ms"] = ms(s.parse_s);
    j["eval_samples_ms"] = ms(s.eval_s);
  }
  j["maxrss_kb_median"] = opt(median(s.maxrss_kb));
  if (!s.own_peak_kb.empty()) j["own_peak_kb_median"] = opt(median(s.own_peak_kb));
  if (!s.inherited_kb.empty()) j["inherited_at_fork_kb_median"] = opt(median(s.inherited_kb));
  j["failures"] = s.failures;
  if (!s.error.empty()) j["error"] = s.error;
  return j;
}

std::string command_output(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::vector<double> load_average() {
  double l[3] = {0, 0, 0};
  if (getloadavg(l, 3) != 3) return {};
  return {std::round(l[0] * 100) / 100, std::round(l[1] * 100) / 100, std::round(l[2] * 100) / 100};
}

std::string fmt_ms(std::optional<double> s) {
  if (!s) return "-";
  double ms = *s * 1e3;
  return ms >= 100 ? fmt::format("{:.0f} ms", ms) : fmt::format("{:.1f} ms", ms);
}

std::string fmt_mb(std::optional<double> kb) {
  return kb ? fmt::format("{:.1f} MB", *kb / 1024) : "-";
}

std::string fmt_ratio(std::optional<double> r, double target) {
  if (!r) return "-";
  return fmt::format("{:.2f}x {}", *r, *r >= target ? "ok" : "MISS");
}

void print_table(const Settings& s, const std::vector<std::unique_ptr<Variant>>& variants,
                 double baseline_kb, const std::vector<double>& load0,
                 const std::vector<double>& load1) {
  auto med = [](const Variant& v, Kind k) { return median(v.series[k].seconds); };
  auto rss = [](const Variant& v, Kind k) { return median(v.series[k].maxrss_kb); };
  auto own = [](const Variant& v, Kind k) { return median(v.series[k].own_peak_kb); };
  auto loads = [](const std::vector<double>& l) {
    return l.size() == 3 ? fmt::format("{:.2f} {:.2f} {:.2f}", l[0], l[1], l[2]) : "?";
  };

  fmt::print("\n");
  fmt::print(
      "Kconfig: parse + olddefconfig of the arch's defconfig .config. Medians of {} runs ((c): "
      "{}).\n"
      "Host: {} CPUs, load average {} at start, {} at end.\n\n",
      s.reps, s.replay_reps, sysconf(_SC_NPROCESSORS_ONLN), loads(load0), loads(load1));
  if (!load0.empty() && load0[0] > static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN))) {
    fmt::print("The machine was busy (load above its CPU count): absolute times are inflated.\n\n");
  }

  static constexpr char row[] =
      "{:<12}{:>10}{:>10}{:>10}{:>24}{:>12}{:>14}{:>14}{:>16}{:>14}   {}\n";
  fmt::print(row, "", "(a) conf", "(b) live", "(c) CLI", "(c) in-process", "(c) CLI", "conf/(b)",
             "conf/(c) CLI", "conf/(c) in-p.", "conf/(c) CLI", ".config vs conf's");
  fmt::print(row, "variant", "time", "time", "time", "time = parse + eval", "cold", "[>=1]",
             "[>=30]", "[>=30]", "cold", "(b) (c)CLI (c)in-p. cold");
  for (const auto& vp : variants) {
    const Variant& v = *vp;
    if (!v.prep_error.empty()) {
      fmt::print("{:<12} not measured: {}\n", v.id(), v.prep_error);
      continue;
    }
    const Series& in = v.series[kReplayInProc];
    std::string inproc = "-";
    if (auto t = med(v, kReplayInProc)) {
      inproc = fmt::format("{} = {:.0f} + {:.0f}", fmt_ms(t), *median(in.parse_s) * 1e3,
                           *median(in.eval_s) * 1e3);  // parts are medians too: may not add up
    }
    fmt::print(row, v.id(), fmt_ms(med(v, kConf)), fmt_ms(med(v, kLive)),
               fmt_ms(med(v, kReplayCli)), inproc, fmt_ms(med(v, kReplayCliCold)),
               fmt_ratio(ratio(med(v, kConf), med(v, kLive)), kLiveSpeedup),
               fmt_ratio(ratio(med(v, kConf), med(v, kReplayCli)), kReplaySpeedup),
               fmt_ratio(ratio(med(v, kConf), med(v, kReplayInProc)), kReplaySpeedup),
               fmt::format("{:.1f}x", ratio(med(v, kConf), med(v, kReplayCliCold)).value_or(0)),
               fmt::format("{:<4} {:<6} {:<7} {}", v.vs_conf[kLive], v.vs_conf[kReplayCli],
                           v.vs_conf[kReplayInProc], v.vs_conf[kReplayCliCold]));
  }

  fmt::print(
      "\n(a) the kernel's conf and (b) runner-kernel kconfig, both running the $(shell,...) "
      "macros;\n(c) runner-kernel replaying the toolchain profile: CLI = `runner-kernel kconfig "
      "--replay-profile`,\nin-process = profile load + parse_kconfig + "
      "run_conf_mode(OldDefconfig), both with the parsed-tree cache\nprimed (every run after "
      "a tree's first); cold = the CLI with --no-tree-cache (parses every time). "
      "Processes are timed\nfrom fork to reap. Targets in brackets; \"same\": the .config equals "
      "conf's (heading aside).\n");

  auto cpu = [](const Variant& v, Kind k) { return median(v.series[k].cpu_s); };
  auto plain_ratio = [](std::optional<double> r) {
    return r ? fmt::format("{:.2f}x", *r) : std::string("-");
  };
  fmt::print(
      "\nCPU time (user + system; less sensitive to the machine's load than wall time). A "
      "process's\nincludes every command it ran and reaped, i.e. the compilers; own = the process "
      "alone:\n\n");
  static constexpr char crow[] = "{:<12}{:>10}{:>10}{:>10}{:>10}{:>10}{:>12}{:>12}{:>14}{:>16}\n";
  fmt::print(crow, "", "(a) conf", "(a) conf", "(b) live", "(b) live", "(c) CLI", "(c) in-p.",
             "conf/(b)", "conf/(c) CLI", "conf/(c) in-p.");
  std::string sub = fmt::format(crow, "variant", "", "own", "", "own", "", "", "", "", "");
  sub.erase(sub.find_last_not_of(" \n") + 1);
  fmt::print("{}\n", sub);
  auto own_cpu = [](const Variant& v, Kind k) { return median(v.series[k].own_cpu_s); };
  for (const auto& vp : variants) {
    const Variant& v = *vp;
    if (!v.prep_error.empty()) continue;
    fmt::print(crow, v.id(), fmt_ms(cpu(v, kConf)), fmt_ms(own_cpu(v, kConf)),
               fmt_ms(cpu(v, kLive)), fmt_ms(own_cpu(v, kLive)), fmt_ms(cpu(v, kReplayCli)),
               fmt_ms(cpu(v, kReplayInProc)), plain_ratio(ratio(cpu(v, kConf), cpu(v, kLive))),
               plain_ratio(ratio(cpu(v, kConf), cpu(v, kReplayCli))),
               plain_ratio(ratio(cpu(v, kConf), cpu(v, kReplayInProc))));
  }

  fmt::print(
      "\nPeak memory: ru_maxrss from wait4 (for a process: itself and every command it ran "
      "and reaped,\ni.e. the compilers; own = its VmHWM at exit). In-process: the forked "
      "child's ru_maxrss, which\ncounts what it had at fork (\"at fork\"; a child that "
      "does nothing measures {}).\n\n",
      fmt_mb(baseline_kb));
  static constexpr char mrow[] = "{:<12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n";
  fmt::print(mrow, "", "(a) conf", "(a) conf", "(b) live", "(b) live", "(c) CLI", "(c) in-p.",
             "(c) in-p.");
  fmt::print(mrow, "variant", "wait4", "own", "wait4", "own", "wait4", "wait4", "at fork");
  for (const auto& vp : variants) {
    const Variant& v = *vp;
    if (!v.prep_error.empty()) continue;
    fmt::print(mrow, v.id(), fmt_mb(rss(v, kConf)), fmt_mb(own(v, kConf)), fmt_mb(rss(v, kLive)),
               fmt_mb(own(v, kLive)), fmt_mb(rss(v, kReplayCli)), fmt_mb(rss(v, kReplayInProc)),
               fmt_mb(median(v.series[kReplayInProc].inherited_kb)));
  }

  // Targets.
  int n = 0, c_time_cli = 0, c_time_in = 0, c_x_cli = 0, c_x_in = 0, b_ok = 0, cold_time = 0,
      cold_x = 0;
  for (const auto& vp : variants) {
    const Variant& v = *vp;
    if (!v.prep_error.empty()) continue;
    ++n;
    auto within = [](std::optional<double> t) { return t && *t * 1e3 <= kReplayTargetMs; };
    auto atleast = [](std::optional<double> r, double x) { return r && *r >= x; };
    c_time_cli += within(med(v, kReplayCli));
    c_time_in += within(med(v, kReplayInProc));
    c_x_cli += atleast(ratio(med(v, kConf), med(v, kReplayCli)), kReplaySpeedup);
    c_x_in += atleast(ratio(med(v, kConf), med(v, kReplayInProc)), kReplaySpeedup);
    b_ok += atleast(ratio(med(v, kConf), med(v, kLive)), kLiveSpeedup);
    cold_time += within(med(v, kReplayCliCold));
    cold_x += atleast(ratio(med(v, kConf), med(v, kReplayCliCold)), kReplaySpeedup);
  }
  fmt::print("\nTargets met (variants):\n");
  fmt::print("  (c) <= {:.0f} ms:               CLI {}/{}, in-process {}/{} (cold CLI {}/{})\n",
             kReplayTargetMs, c_time_cli, n, c_time_in, n, cold_time, n);
  fmt::print("  (c) >= {:.0f}x faster than conf: CLI {}/{}, in-process {}/{} (cold CLI {}/{})\n",
             kReplaySpeedup, c_x_cli, n, c_x_in, n, cold_x, n);
  fmt::print("  (b) no slower than conf:       {}/{}\n", b_ok, n);
}

Json results_json(const Settings& s, const std::vector<std::unique_ptr<Variant>>& variants,
                  double baseline_kb, const std::vector<double>& load0,
                  const std::vector<double>& load1, const std::string& started) {
  Json j;
  j["benchmark"] = "kconfig: parse + olddefconfig of the arch's defconfig .config";
  j["started"] = started;
  j["git"] = {
      {"commit", command_output("git -C '" + s.repo.string() + "' rev-parse HEAD 2>/dev/null")},
      {"dirty",
       !command_output("git -C '" + s.repo.string() + "' status --porcelain -- src 2>/dev/null")
            .empty()}};
  j["tool"] = s.tool.string();
  j["bench_build_type"] = RK_BUILD_TYPE;
  j["host"] = {{"cpus", sysconf(_SC_NPROCESSORS_ONLN)},
               {"load_average_start", load0},
               {"load_average_end", load1}};
  j["runs"] = {{"conf_and_live", s.reps}, {"replay", s.replay_reps}};
  j["method"] = {
      {"time",
       "wall time, median of the runs; processes: fork to reap; in-process: profile load "
       "+ parse_kconfig + run_conf_mode(OldDefconfig), timed in a forked child"},
      {"maxrss_kb",
       "wait4 ru_maxrss: the process and the descendants it reaped (its $(shell,...) "
       "commands); in-process: the forked child, which includes pages inherited at "
       "fork (see fork_baseline_kb)"},
      {"own_peak_kb", "VmHWM of the process alone, read at its ptrace exit stop"},
      {"inherited_at_fork_kb", "in-process: the forked child's VmRSS before it starts the work"},
      {"cpu",
       "user + system time; processes: wait4's, which includes the descendants they reaped "
       "(the compilers); in-process: CLOCK_PROCESS_CPUTIME_ID around the timed work"},
      {"own_cpu",
       "processes: utime + stime of the process alone from /proc/PID/stat at its ptrace "
       "exit stop (10 ms ticks)"},
      {"workdir",
       "fresh directory per run, with .config and an empty include/config/auto.conf "
       "(as in an objdir Kbuild configured before; the conformance harness does the "
       "same); Kbuild's environment as captured by the conformance setup"},
  };
  j["fork_baseline_kb"] = baseline_kb;
  j["targets"] = {{"replay_max_ms", kReplayTargetMs},
                  {"replay_min_speedup_vs_conf", kReplaySpeedup},
                  {"live_min_speedup_vs_conf", kLiveSpeedup}};
  Json list = Json::array();
  for (const auto& vp : variants) {
    const Variant& v = *vp;
    Json x;
    x["version"] = v.version;
    x["arch"] = v.arch;
    x["defconfig"] = "arch/" + v.srcarch + "/configs/" + v.defconfig;
    x["tree"] = v.srctree;
    x["debian_version"] = v.debian_version;
    x["conf"] = v.conf.string();
    if (!v.prep_error.empty()) {
      x["error"] = v.prep_error;
      list.push_back(x);
      continue;
    }
    x["profile_commands"] = v.profile_commands;
    x["prep_seconds"] = {{"conf_defconfig", v.prep_defconfig_s},
                         {"record_profile", v.prep_record_s}};
    for (int k = 0; k < kKinds; ++k) x[kKindKey[k]] = series_json(v.series[k]);
    auto med = [&](Kind k) { return median(v.series[k].seconds); };
    auto r = [](std::optional<double> q) {
      return q ? Json(std::round(*q * 1000) / 1000) : Json(nullptr);
    };
    x["ratios"] = {{"conf_over_rk_live", r(ratio(med(kConf), med(kLive)))},
                   {"conf_over_rk_replay_inproc", r(ratio(med(kConf), med(kReplayInProc)))},
                   {"conf_over_rk_replay_cli", r(ratio(med(kConf), med(kReplayCli)))},
                   {"conf_over_rk_replay_cli_cold", r(ratio(med(kConf), med(kReplayCliCold)))}};
    auto cmed = [&](Kind k) { return median(v.series[k].cpu_s); };
    x["cpu_ratios"] = {{"conf_over_rk_live", r(ratio(cmed(kConf), cmed(kLive)))},
                       {"conf_over_rk_replay_inproc", r(ratio(cmed(kConf), cmed(kReplayInProc)))},
                       {"conf_over_rk_replay_cli", r(ratio(cmed(kConf), cmed(kReplayCli)))}};
    x["output_vs_conf"] = {{"rk_live", v.vs_conf[kLive]},
                           {"rk_replay_inproc", v.vs_conf[kReplayInProc]},
                           {"rk_replay_cli", v.vs_conf[kReplayCli]},
                           {"rk_replay_cli_cold", v.vs_conf[kReplayCliCold]}};
    auto within = [](std::optional<double> t) { return t && *t * 1e3 <= kReplayTargetMs; };
    auto atleast = [](std::optional<double> q, double t) { return q && *q >= t; };
    x["targets_met"] = {
        {"rk_replay_inproc_time", within(med(kReplayInProc))},
        {"rk_replay_cli_time", within(med(kReplayCli))},
        {"rk_replay_inproc_speedup",
         atleast(ratio(med(kConf), med(kReplayInProc)), kReplaySpeedup)},
        {"rk_replay_cli_speedup", atleast(ratio(med(kConf), med(kReplayCli)), kReplaySpeedup)},
        {"rk_live_not_slower", atleast(ratio(med(kConf), med(kLive)), kLiveSpeedup)}};
    list.push_back(x);
  }
  j["variants"] = list;
  return j;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s = settings_from_env();

  // Repetitions of the benchmarks are interleaved at random unless asked otherwise, so a change
  // in the machine's load spreads over all of them instead of hitting one.
  std::vector<char*> args(argv, argv + argc);
  static char interleave[] = "--benchmark_enable_random_interleaving=true";
  bool given = false;
  for (int i = 1; i < argc; ++i) {
    given |= std::string(argv[i]).rfind("--benchmark_enable_random_interleaving", 0) == 0;
  }
  if (!given) args.insert(args.begin() + 1, interleave);
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;

  if (!fs::is_regular_file(s.tool)) {
    log("no runner-kernel at " + s.tool.string() + " (build it, or set RK_BENCH_TOOL)");
    return 2;
  }
  const std::string started = utc_now();
  std::vector<double> load0 = load_average();

  char tmpl[] = "/tmp/rk-kconfig-bench-XXXXXX";
  if (!mkdtemp(tmpl)) {
    log("cannot create a temporary directory");
    return 1;
  }
  s.work_root = tmpl;

  std::vector<std::unique_ptr<Variant>> variants;
  for (const auto& version : s.versions) {
    bool ready = ensure_setup(s, version);
    for (const auto& arch : s.arches) {
      auto v = std::make_unique<Variant>();
      v->version = version;
      v->arch = arch;
      v->srcarch = arch == "arm64" ? "arm64" : "x86";
      v->defconfig = arch == "arm64" ? "defconfig" : "x86_64_defconfig";
      v->dir = s.work_root / (version + "-" + arch);
      fs::create_directories(v->dir);
      if (!ready) {
        v->prep_error = "no conformance setup for " + version + " in " + s.setup_dir.string();
      } else if (prepare_variant(s, *v)) {
        log(
            fmt::format("{}: input .config from conf --defconfig ({:.1f} s); profile recorded "
                        "({} commands, {:.1f} s)",
                        v->id(), v->prep_defconfig_s, v->profile_commands, v->prep_record_s));
      }
      if (!v->prep_error.empty()) log(v->id() + ": not measured: " + v->prep_error);
      variants.push_back(std::move(v));
    }
  }

  for (auto& vp : variants) {
    Variant* v = vp.get();
    if (!v->prep_error.empty()) continue;
    for (int k = 0; k < kKinds; ++k) {
      Kind kind = static_cast<Kind>(k);
      std::string name = "kconfig/" + v->id() + "/" + kKindBenchName[k];
      benchmark::internal::Benchmark* b =
          kind == kReplayInProc
              ? benchmark::RegisterBenchmark(name.c_str(),
                                             [v](benchmark::State& st) { bench_in_process(st, v); })
              : benchmark::RegisterBenchmark(name.c_str(), [&s, v, kind](benchmark::State& st) {
                  bench_process(st, &s, v, kind);
                });
      int reps = kind == kReplayInProc || kind == kReplayCli || kind == kReplayCliCold
                     ? s.replay_reps
                     : s.reps;
      b->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(reps);
      if (reps > 1) b->DisplayAggregatesOnly(true);
    }
  }

  double baseline_kb = fork_baseline_kb();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::vector<double> load1 = load_average();
  for (auto& v : variants) {
    for (int k = 0; k < kKinds; ++k) v->vs_conf[k] = output_vs_conf(*v, static_cast<Kind>(k));
  }

  print_table(s, variants, baseline_kb, load0, load1);

  fs::create_directories(s.out_dir);
  fs::path json_path = s.out_dir / "kconfig.json";
  Json j = results_json(s, variants, baseline_kb, load0, load1, started);
  if (!write_text(json_path, j.dump(1) + "\n")) {
    log("cannot write " + json_path.string());
    return 1;
  }
  fmt::print("\nwrote {}\n", json_path.string());
  if (s.keep) {
    fmt::print("scratch files kept in {}\n", s.work_root.string());
  } else {
    fs::remove_all(s.work_root);
  }
  int failures = 0;
  for (const auto& v : variants) {
    failures += !v->prep_error.empty();
    for (const auto& se : v->series) failures += se.failures;
  }
  return failures ? 1 : 0;
}
