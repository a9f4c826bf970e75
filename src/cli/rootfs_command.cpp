// `runner-kernel rootfs [--arch ARCH]... [--update]`: the guest root filesystem image of each
// arch for the workload tests (src/rootfs/), cached and checked against rootfs/<arch>.lock.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "rootfs/build.hpp"
#include "variants/matrix.hpp"

namespace rk::cli {

namespace {

struct RootfsArgs {
  std::vector<std::string> arches;
  std::string lock_dir;
  std::string matrix_path;
  bool update = false;
  bool quiet = false;
};

int run_rootfs(const RootfsArgs& a) {
  std::vector<std::string> arches = a.arches;
  if (arches.empty()) arches = {"x86_64", "arm64"};
  std::string lock_dir = a.lock_dir;
  if (lock_dir.empty()) {
    // The locks live in the repository, beside variants.toml.
    std::filesystem::path matrix = variants::find_matrix_file(a.matrix_path);
    lock_dir = (matrix.parent_path() / "rootfs").string();
  }
  int status = 0;
  for (const std::string& arch : arches) {
    try {
      rootfs::Recipe recipe = rootfs::default_recipe(arch);
      rootfs::BuildOptions options;
      options.lock_path = (std::filesystem::path(lock_dir) / (arch + ".lock")).string();
      options.update = a.update;
      options.log = a.quiet ? nullptr : stderr;
      if (!a.lock_dir.empty()) {
        options.update_command =
            "runner-kernel rootfs --arch " + arch + " --lock-dir " + a.lock_dir + " --update";
      }
      rootfs::BuildResult r = rootfs::build_rootfs(recipe, options);
      std::printf("%s %s%s\n", arch.c_str(), r.image.c_str(), r.cached ? " (cached)" : "");
    } catch (const std::exception& e) {
      std::fflush(stdout);
      std::fprintf(stderr, "runner-kernel rootfs: %s\n", e.what());
      status = 1;
    }
  }
  return status;
}

CommandRunner register_rootfs(CLI::App& app) {
  auto args = std::make_shared<RootfsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rootfs", "Build the guest root filesystem image (Debian, ext4) for the workload tests");
  cmd->add_option("--arch", args->arches, "x86_64 or arm64; repeatable (default: both)")
      ->check(CLI::IsMember({"x86_64", "arm64"}));
  cmd->add_flag("--update", args->update,
                "Install the mirror's current versions and rewrite rootfs/<arch>.lock");
  cmd->add_option("--lock-dir", args->lock_dir,
                  "Where <arch>.lock lives (default: rootfs/ beside variants.toml)");
  cmd->add_option("--matrix", args->matrix_path, "variants.toml (default: found upwards)");
  cmd->add_flag("-q,--quiet", args->quiet, "Print only errors and the image paths");
  return [args] { return run_rootfs(*args); };
}

const CommandRegistration kRegistration{"rootfs", 45, register_rootfs};

}  // namespace

}  // namespace rk::cli
