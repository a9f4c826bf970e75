// `runner-kernel build [VARIANT...]`: resolve each variant with our engine, build it with
// Kbuild out of tree (build/<variant>/), check Kbuild kept the resolved .config, and write
// its artifacts to out/<branch>/<arch>/ (see src/build/driver.hpp).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "build/driver.hpp"
#include "build/error.hpp"
#include "build/progress.hpp"
#include "cli/config_common.hpp"
#include "source/tree_cache.hpp"
#include "source/util.hpp"

namespace rk::cli {

namespace {

namespace fs = std::filesystem;

struct BuildArgs {
  std::vector<std::string> variants;
  std::string matrix_path;
  std::string out;         // default: <root>/out
  std::string build_root;  // default: <root>/build
  std::string build_dir;
  std::string allconfig;
  bool allno = false;
  int jobs = 0;
  bool ccache = false, no_ccache = false;
  bool no_artifacts = false;
  bool live = false, replay = false;
  bool list_json = false;
  bool quiet = false;
  int interval = 30;
  std::vector<std::string> drop_fragments, add_fragments;
};

// The GitHub Actions matrix: one entry per variant. Every variant builds on an x86_64 runner
// (arm64 cross-compiled, as the toolchain profiles were recorded), in Debian 12.
int list_json(const variants::Matrix& m, const std::vector<const variants::Variant*>& selected) {
  nlohmann::ordered_json include = nlohmann::ordered_json::array();
  for (const variants::Variant* v : selected) {
    const auto& arch = m.arch_of(*v);
    include.push_back({{"variant", v->name},
                       {"branch", m.branch_of(*v).name},
                       {"arch", arch.name},
                       {"target", arch.target},
                       {"runs-on", "ubuntu-24.04"}});
  }
  nlohmann::ordered_json j;
  j["include"] = include;
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

std::optional<std::int64_t> env_epoch() {
  const char* s = std::getenv("SOURCE_DATE_EPOCH");
  if (!s || !*s) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(s, &end, 10);
  if (*end || v < 0)
    throw std::runtime_error(fmt::format("SOURCE_DATE_EPOCH={} is not a number of seconds", s));
  return v;
}

int exit_code_of(build::ErrorKind k) {
  switch (k) {
    case build::ErrorKind::kInterrupted:
      return 130;
    case build::ErrorKind::kToolMissing:
      return 3;
    case build::ErrorKind::kDiskFull:
      return 4;
    case build::ErrorKind::kConfigMismatch:
      return 5;
    default:
      return 1;
  }
}

int run_build(const BuildArgs& a) {
  ConfigOptions copts;
  copts.matrix_path = a.matrix_path;
  copts.live = a.live;
  copts.replay = a.replay;
  copts.drop_fragments = a.drop_fragments;
  copts.add_fragments = a.add_fragments;
  const bool derived = !a.drop_fragments.empty() || !a.add_fragments.empty();
  if (a.list_json) {
    variants::Matrix m = variants::Matrix::load(variants::find_matrix_file(a.matrix_path));
    return list_json(m, m.select(a.variants));
  }
  if (a.ccache && a.no_ccache) throw std::runtime_error("give only one of --ccache, --no-ccache");
  auto ws = copts.open_workspace();
  const variants::Matrix& m = ws->matrix();
  auto selected = m.select(a.variants);
  if (!a.build_dir.empty() && selected.size() != 1)
    throw std::runtime_error("--build-dir needs exactly one variant");

  build::BuildOptions opts;
  opts.build_root = a.build_root.empty() ? m.absolute("build") : a.build_root;
  opts.build_dir = a.build_dir;
  bool custom_config = !a.allconfig.empty();
  if ((custom_config || derived) && a.build_dir.empty() && a.build_root.empty())
    throw std::runtime_error(
        "--allconfig and --drop/--add-fragment builds are not the variant: give --build-dir or "
        "--build-root so they do not reuse its object directory");
  if (!a.no_artifacts) {
    if ((custom_config || derived) && a.out.empty())
      throw std::runtime_error(
          "--allconfig and --drop/--add-fragment builds are not the variant: give --out DIR for "
          "their artifacts, or --no-artifacts");
    opts.out_root = a.out.empty() ? m.absolute("out") : a.out;
  }
  if (custom_config) opts.allconfig = source::read_file(a.allconfig);
  if (a.allno && !custom_config) throw std::runtime_error("--allnoconfig needs --allconfig FILE");
  opts.allconfig_from_allno = a.allno;
  opts.jobs = a.jobs;
  opts.ccache = a.ccache      ? build::CcachePolicy::kOn
                : a.no_ccache ? build::CcachePolicy::kOff
                              : build::CcachePolicy::kAuto;
  opts.source_date_epoch = env_epoch();
  opts.builder = "runner-kernel " + m.project_version;
  opts.progress = a.quiet ? nullptr : stdout;
  opts.tty = stdout_is_tty();
  opts.progress_interval = a.interval;

  int status = 0;
  size_t ok = 0;
  for (const variants::Variant* v : selected) {
    try {
      source::TreeLocation tree = source::require_tree(m, m.branch_of(*v));
      build::BuildResult r = build::build_variant(*ws, *v, tree, opts);
      if (!a.quiet) {
        std::printf(
            "%s: %s built in %s (%llu objects compiled, %s, %d jobs); log %s\n", v->name.c_str(),
            r.info.target.c_str(),
            build::format_duration(std::chrono::seconds(static_cast<long long>(r.kbuild.seconds)))
                .c_str(),
            static_cast<unsigned long long>(r.kbuild.objects), r.ccache_note.c_str(),
            opts.jobs > 0 ? opts.jobs : build::machine_jobs(), r.kbuild.log_path.c_str());
        if (!r.out_dir.empty())
          std::printf("%s: Linux %s, %s sha256 %s -> %s/\n", v->name.c_str(),
                      r.info.kernel_version.c_str(), r.info.target.c_str(), r.target_sha256.c_str(),
                      r.out_dir.c_str());
      }
      ++ok;
    } catch (const build::BuildError& e) {
      std::fflush(stdout);
      std::fprintf(stderr, "runner-kernel build: %s\n", e.what());
      status = exit_code_of(e.kind());
      if (e.kind() == build::ErrorKind::kInterrupted || e.kind() == build::ErrorKind::kToolMissing)
        return status;
    } catch (const variants::VariantsError& e) {
      std::fflush(stdout);
      std::fprintf(stderr, "runner-kernel build: %s: %s\n", v->name.c_str(), e.what());
      status = 1;
    }
  }
  if (selected.size() > 1 && !a.quiet)
    std::printf("%zu of %zu variants built\n", ok, selected.size());
  return status;
}

CommandRunner register_build(CLI::App& app) {
  auto args = std::make_shared<BuildArgs>();
  CLI::App* cmd = app.add_subcommand(
      "build", "Build variants' kernels with Kbuild (out of tree, reproducibly) into out/");
  cmd->add_option("variants", args->variants,
                  "Variants, branches or arches to build (default: every variant)");
  cmd->add_option("--matrix", args->matrix_path, "variants.toml (default: found upwards)");
  cmd->add_option("--out", args->out, "Artifact root: <out>/<branch>/<arch>/ (default: out)");
  cmd->add_option("--build-root", args->build_root,
                  "Kbuild object directories: <build-root>/<variant> (default: build)");
  cmd->add_option("--build-dir", args->build_dir, "Object directory of the one variant built");
  cmd->add_option("--allconfig", args->allconfig,
                  "Resolve this config (KCONFIG_ALLCONFIG) instead of the variant's fragments; "
                  "for smoke builds, needs --out or --no-artifacts");
  cmd->add_flag("--allnoconfig", args->allno,
                "With --allconfig: start from allnoconfig, not alldefconfig (small test kernels, "
                "as `make allnoconfig KCONFIG_ALLCONFIG=FILE`)");
  add_fragment_override_options(*cmd, args->drop_fragments, args->add_fragments);
  cmd->add_option("-j,--jobs", args->jobs, "Parallel jobs (default: the machine's CPUs)");
  cmd->add_flag("--ccache", args->ccache, "Build through ccache (default: when its cache is warm)");
  cmd->add_flag("--no-ccache", args->no_ccache, "Never use ccache");
  cmd->add_flag("--no-artifacts", args->no_artifacts, "Build only; leave out/ alone");
  cmd->add_flag("--live", args->live, "Resolve running the toolchain instead of its profile");
  cmd->add_flag("--replay", args->replay, "Resolve from toolchain profiles only");
  cmd->add_flag("--list-json", args->list_json,
                "Print the selected variants as a GitHub Actions matrix and exit");
  cmd->add_option("--progress-interval", args->interval,
                  "Seconds between progress lines when stdout is not a terminal")
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "Print only errors");
  return [args] {
    try {
      return run_build(*args);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "runner-kernel build: %s\n", e.what());
      return 1;
    }
  };
}

const CommandRegistration kRegistration{"build", 40, register_build};

}  // namespace

}  // namespace rk::cli
