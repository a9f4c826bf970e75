// `config check` of the whole matrix against what it replaces: scripts/kconfig/merge_config.sh
// (merge the fragments, `make alldefconfig`, report values "not in final .config") once per
// variant. One run prints both side by side with the ratio and the target (300 ms, toolchain
// profiles warm). A benchmark, not a test: it fails only when something cannot be measured.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "process.hpp"
#include "source/tree_cache.hpp"
#include "variants/fragment.hpp"
#include "variants/kbuild_env.hpp"
#include "variants/matrix.hpp"

namespace fs = std::filesystem;
using rk::bench::ProcessRun;
using rk::bench::ProcessSpec;

namespace {

constexpr double kTargetMs = 300.0;

struct Setup {
  rk::variants::Matrix matrix;
  fs::path work;                           // out/bench/config
  std::map<std::string, fs::path> tree;    // variant -> kernel tree
  std::map<std::string, fs::path> objdir;  // variant -> O= of merge_config's make
  std::map<std::string, std::vector<std::string>> fragments;  // variant -> stripped copies
  std::map<std::string, std::vector<double>> samples;         // benchmark -> seconds
  std::string error;
};

Setup* g_setup = nullptr;

std::map<std::string, std::string> base_env() {
  std::map<std::string, std::string> env;
  for (const char* k : {"PATH", "HOME", "LANG"})
    if (const char* v = std::getenv(k)) env[k] = v;
  return env;
}

bool prepare(Setup& s) {
  s.matrix = rk::variants::Matrix::load(std::string(RK_SOURCE_DIR) + "/variants.toml");
  s.work = fs::path(RK_SOURCE_DIR) / "out/bench/config";
  fs::create_directories(s.work);
  std::string host = rk::variants::host_machine();
  for (const auto& v : s.matrix.variants) {
    auto loc = rk::source::find_tree(s.matrix, s.matrix.branch_of(v));
    if (!loc) {
      s.error = fmt::format("kernel tree of {} not fetched (runner-kernel fetch)", v.name);
      return false;
    }
    s.tree[v.name] = loc->dir;
    s.objdir[v.name] = s.work / v.name / "obj";
    fs::create_directories(s.objdir[v.name]);
    // merge_config.sh reads kernel fragment syntax: our trailing reasons are stripped.
    for (size_t i : v.fragments) {
      const auto& spec = s.matrix.fragments[i];
      auto f = rk::variants::load_fragment(s.matrix.absolute(spec.path), spec.path);
      fs::path out = s.work / v.name / "fragments" / spec.path;
      fs::create_directories(out.parent_path());
      std::ofstream(out) << rk::variants::fragment_config_text(f);
      s.fragments[v.name].push_back(out.string());
    }
  }
  return true;
}

ProcessSpec merge_config_spec(const Setup& s, const rk::variants::Variant& v) {
  const auto& arch = s.matrix.arch_of(v);
  ProcessSpec p;
  p.argv = {"/bin/sh", (s.tree.at(v.name) / "scripts/kconfig/merge_config.sh").string(), "-O",
            s.objdir.at(v.name).string()};
  for (const auto& f : s.fragments.at(v.name)) p.argv.push_back(f);
  p.env = base_env();
  p.env["ARCH"] = arch.kbuild_arch;
  p.env["CROSS_COMPILE"] = rk::variants::cross_compile_for(arch, rk::variants::host_machine());
  p.cwd = s.tree.at(v.name);
  p.stdout_file = s.work / v.name / "merge_config.out";
  p.stderr_file = s.work / v.name / "merge_config.err";
  p.own_peak = false;
  return p;
}

ProcessSpec check_spec(const Setup& s) {
  ProcessSpec p;
  p.argv = {RK_TOOL, "config", "--matrix", s.matrix.path, "--replay", "check", "--no-new"};
  p.env = base_env();
  p.cwd = s.work;
  p.stdout_file = s.work / "check.out";
  p.stderr_file = s.work / "check.err";
  p.own_peak = false;
  return p;
}

void record(benchmark::State& state, const std::string& name, const ProcessRun& r) {
  if (r.exit_code != 0) {
    state.SkipWithError(fmt::format("{} failed (exit {}) {}", name, r.exit_code, r.error).c_str());
    return;
  }
  state.SetIterationTime(r.seconds);
  g_setup->samples[name].push_back(r.seconds);
  state.counters["maxrss_kB"] = static_cast<double>(r.maxrss_kb);
}

void bench_merge_config(benchmark::State& state, const rk::variants::Variant* v) {
  std::string name = "merge_config/" + v->name;
  // The first run configures the objdir (builds conf): a warm objdir is the fair comparison.
  if (!g_setup->samples.count(name + "#warm")) {
    run_process(merge_config_spec(*g_setup, *v));
    g_setup->samples[name + "#warm"] = {};
  }
  for (auto _ : state) record(state, name, run_process(merge_config_spec(*g_setup, *v)));
}

void bench_check(benchmark::State& state) {
  for (auto _ : state) record(state, "check/matrix", run_process(check_spec(*g_setup)));
}

std::optional<double> median(std::vector<double> xs) {
  if (xs.empty()) return std::nullopt;
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Setup setup;
  g_setup = &setup;
  if (!prepare(setup)) {
    fmt::print(stderr, "config-bench: {}\n", setup.error);
    return 1;
  }
  int reps = 3;
  if (const char* r = std::getenv("RK_BENCH_REPS")) reps = std::max(1, std::atoi(r));
  for (const auto& v : setup.matrix.variants)
    benchmark::RegisterBenchmark(("merge_config+conf/" + v.name).c_str(), bench_merge_config, &v)
        ->UseManualTime()
        ->Iterations(1)
        ->Repetitions(reps)
        ->ReportAggregatesOnly(true)
        ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("runner-kernel config check (6 variants)", bench_check)
      ->UseManualTime()
      ->Iterations(1)
      ->Repetitions(reps)
      ->ReportAggregatesOnly(true)
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  double ref_total = 0;
  bool complete = true;
  fmt::print("\n{:<28} {:>12}\n", "merge_config.sh + conf", "median ms");
  for (const auto& v : setup.matrix.variants) {
    auto m = median(setup.samples["merge_config/" + v.name]);
    if (!m) complete = false;
    ref_total += m.value_or(0);
    fmt::print("  {:<26} {:>12.0f}\n", v.name, m.value_or(0) * 1000);
  }
  auto ours = median(setup.samples["check/matrix"]);
  if (!ours || !complete) {
    fmt::print(stderr, "config-bench: a measurement failed (see above)\n");
    return 1;
  }
  fmt::print("\n{:<34} {:>10} {:>10} {:>8} {:>10}\n", "whole matrix", "reference", "ours", "ratio",
             "target");
  fmt::print("{:<34} {:>8.0f}ms {:>8.0f}ms {:>7.1f}x {:>6.0f} ms {}\n",
             "check: merge_config.sh vs ours", ref_total * 1000, *ours * 1000, ref_total / *ours,
             kTargetMs, *ours * 1000 <= kTargetMs ? "met" : "NOT met");
  return 0;
}
