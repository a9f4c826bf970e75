#include "build/driver.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "build/error.hpp"
#include "source/util.hpp"
#include "variants/kbuild_env.hpp"

namespace rk::build {

namespace fs = std::filesystem;

std::int64_t source_epoch(const std::string& tree_dir, std::optional<std::int64_t> override) {
  if (override) return *override;
  struct stat st {};
  if (::stat((tree_dir + "/Makefile").c_str(), &st) != 0)
    throw BuildError(ErrorKind::kOther, tree_dir + "/Makefile: not a kernel tree");
  return st.st_mtime;
}

std::map<std::string, std::string> make_variables(const kconfig::Environment& engine_env,
                                                  bool ccache) {
  std::map<std::string, std::string> vars;
  for (const char* name :
       {"ARCH", "CROSS_COMPILE", "CC", "LD", "AR", "NM", "STRIP", "OBJCOPY", "OBJDUMP", "READELF",
        "HOSTCC", "HOSTCXX", "PAHOLE", "RUSTC", "BINDGEN", "CARGO"}) {
    auto it = engine_env.find(name);
    if (it != engine_env.end()) vars[name] = it->second;
  }
  if (ccache && vars.count("CC")) vars["CC"] = "ccache " + vars["CC"];
  return vars;
}

BuildResult build_variant(variants::Workspace& ws, const variants::Variant& v,
                          const source::TreeLocation& tree, const BuildOptions& opts) {
  const variants::Matrix& m = ws.matrix();
  const variants::ArchSpec& arch = m.arch_of(v);
  const variants::BranchSpec& branch = m.branch_of(v);

  variants::VariantTree& vt = ws.tree(v);
  const kconfig::Environment& engine_env = vt.env;
  std::string cross = engine_env.count("CROSS_COMPILE") ? engine_env.at("CROSS_COMPILE") : "";
  const char* path_env = std::getenv("PATH");
  std::string path = path_env ? path_env : "/usr/bin:/bin";
  require_toolchain(cross, path);

  std::string build_dir =
      opts.build_dir.empty() ? (fs::path(opts.build_root) / v.name).string() : opts.build_dir;
  build_dir = fs::absolute(build_dir).lexically_normal().string();
  std::uint64_t free = source::free_bytes(build_dir);
  if (free < opts.min_free_bytes)
    throw BuildError(ErrorKind::kDiskFull,
                     fmt::format("{}: only {} free for {} (a build needs about {}); free some "
                                 "space and run the build again",
                                 v.name, source::human_bytes(free), build_dir,
                                 source::human_bytes(opts.min_free_bytes)));

  variants::Evaluation ev =
      opts.allconfig ? ws.evaluate(v, *opts.allconfig, opts.allconfig_from_allno) : ws.resolve(v);

  BuildResult res;
  res.ccache = use_ccache(opts.ccache, path, &res.ccache_note);
  std::int64_t epoch = source_epoch(tree.dir, opts.source_date_epoch);
  std::string stamp = kbuild_timestamp(epoch);

  KbuildJob job;
  job.label = v.name;
  job.tree_dir = tree.dir;
  job.build_dir = build_dir;
  job.srcarch = arch.srcarch;
  job.target = arch.target;
  job.config_text = ev.config_text;
  job.make_vars = make_variables(engine_env, res.ccache);
  std::string tree_abs = fs::absolute(tree.dir).lexically_normal().string();
  // The tree's path is always mapped. Kbuild names objtree files relatively, so without debug
  // info nothing in the kernel records the object directory, and the compiler command lines
  // stay free of it (the same vmlinux came out with and without mapping it). Debug info records
  // the compiler's working directory, which is the object directory.
  job.make_vars["KCFLAGS"] = fmt::format("-ffile-prefix-map={}/=", tree_abs);
  if (ev.config_text.find("\nCONFIG_DEBUG_INFO=y\n") != std::string::npos)
    job.make_vars["KCFLAGS"] += fmt::format(" -fdebug-prefix-map={}/=", build_dir);
  job.env = {{"KBUILD_BUILD_TIMESTAMP", stamp},      {"SOURCE_DATE_EPOCH", std::to_string(epoch)},
             {"KBUILD_BUILD_USER", "runner-kernel"}, {"KBUILD_BUILD_HOST", "runner-kernel"},
             {"KBUILD_BUILD_VERSION", "1"},          {"TZ", "UTC"}};
  job.jobs = opts.jobs > 0 ? opts.jobs : machine_jobs();
  job.progress = opts.progress;
  job.tty = opts.tty;
  job.progress_interval = opts.progress_interval;
  res.kbuild = run_kbuild(job);

  BuildInfo& info = res.info;
  info.variant = v.name;
  info.branch = branch.name;
  info.arch = arch.name;
  info.target = arch.target;
  info.kernel_version = res.kbuild.kernel_release.empty() ? variants::tree_kernel_version(tree.dir)
                                                          : res.kbuild.kernel_release;
  info.source_route = tree.route;
  info.source_origin =
      tree.route == "local" ? fs::path(tree.origin).filename().string() : tree.origin;
  info.source_sha256 = tree.sha256;
  for (const auto& p : branch.patches) {
    PatchInfo pi{p, {}};
    try {
      pi.sha256 = source::sha256_file(m.absolute(p));
    } catch (const source::SourceError&) {
    }
    info.patches.push_back(pi);
  }
  info.cc_version = version_line(engine_env.count("CC") ? engine_env.at("CC") : cross + "gcc");
  info.ld_version = version_line(engine_env.count("LD") ? engine_env.at("LD") : cross + "ld");
  info.cross_compile = cross;
  info.host_machine = variants::host_machine();
  info.ccache = res.ccache;
  info.config_sha256 = source::sha256_file(res.kbuild.config_path);
  info.source_date_epoch = epoch;
  info.kbuild_timestamp = stamp;
  info.builder = opts.builder;

  if (!opts.out_root.empty()) {
    ArtifactInput in;
    in.out_dir = (fs::path(opts.out_root) / branch.name / arch.name).string();
    in.target_path = res.kbuild.target_path;
    in.config_path = res.kbuild.config_path;
    in.system_map_path = res.kbuild.system_map_path;
    in.info = info;
    res.target_sha256 = write_artifacts(in);
    res.out_dir = in.out_dir;
  } else {
    res.target_sha256 = source::sha256_file(res.kbuild.target_path);
  }
  return res;
}

}  // namespace rk::build
