// runner-kernel test: boots kernels in microVMs with the probe as /init and reports which
// runner features work inside the guest (src/vmtest/, src/probe/PROTOCOL.md).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/config_common.hpp"
#include "image/artifacts.hpp"
#include "rootfs/build.hpp"
#include "variants/matrix.hpp"
#include "vmtest/accel.hpp"
#include "vmtest/boot_record.hpp"
#include "vmtest/report.hpp"
#include "vmtest/runner.hpp"

namespace rk::cli {
namespace {

namespace fs = std::filesystem;

struct TestArgs {
  std::string kernel;
  std::string arch;
  std::vector<std::string> variants;
  int boots = 1;
  int timeout = 120;
  std::string out = "out/test";
  std::vector<std::string> require;
  std::string probe;
  std::string accel = "auto";
  std::string vmm = "auto";
  std::string cmdline;
  std::string tap;
  std::string matrix;
  double boot_target_ms = 125;
  bool no_boot_target = false;
  std::string artifacts;  // default: <matrix root>/out
  std::vector<std::string> drop_fragments, add_fragments;
  bool workload = false;
  std::string rootfs;  // --rootfs: the image for every target's arch (default: rootfs stage)
  int workload_timeout = 1800;
  std::vector<std::string> profiles;  // --profile (default: mmio-legacy)
};

struct Target {
  std::string name;
  std::string arch;
  std::string kernel;
  std::vector<std::string> declared_probes;     // from variants.toml
  std::vector<std::string> declared_scenarios;  // likewise, for --workload
};

std::string host_arch() {
  vmtest::SystemHostProbe host;
  return host.host_arch();
}

// "6.1-x86_64" -> {"6.1", "x86_64"}: the branch is everything before the last '-'.
std::pair<std::string, std::string> split_variant(const std::string& name) {
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == name.size()) {
    throw std::runtime_error("variant " + name + " is not <branch>-<arch> (e.g. 6.1-x86_64)");
  }
  return {name.substr(0, dash), name.substr(dash + 1)};
}

std::vector<Target> resolve_targets(const TestArgs& args) {
  std::vector<Target> targets;
  if (!args.kernel.empty()) {
    if (!args.variants.empty()) throw std::runtime_error("give either --kernel or --variant");
    std::string arch = args.arch.empty() ? host_arch() : args.arch;
    targets.push_back(
        {fs::path(args.kernel).filename().string() + "-" + arch, arch, args.kernel, {}, {}});
    return targets;
  }
  // Variants: declared probes and artifact names come from variants.toml when there is one.
  std::optional<variants::Matrix> matrix;
  try {
    matrix = variants::Matrix::load(variants::find_matrix_file(args.matrix));
  } catch (const std::exception& e) {
    if (!args.matrix.empty()) throw;
  }
  if (matrix && (!args.drop_fragments.empty() || !args.add_fragments.empty())) {
    matrix = matrix->with_fragments(args.drop_fragments, args.add_fragments);
  } else if (!matrix && (!args.drop_fragments.empty() || !args.add_fragments.empty())) {
    throw std::runtime_error("--drop-fragment/--add-fragment need variants.toml");
  }
  fs::path out_root = !args.artifacts.empty() ? fs::path(args.artifacts)
                      : matrix                ? fs::path(matrix->root) / "out"
                                              : fs::path("out");
  std::vector<std::string> names = args.variants;
  if (matrix) {
    for (const variants::Variant* v : matrix->select(args.variants)) {
      const auto& arch = matrix->arch_of(*v);
      fs::path kernel = out_root / matrix->branch_of(*v).name / arch.name / arch.target;
      if (args.variants.empty() && !fs::exists(kernel)) continue;  // not built: not tested
      targets.push_back(
          {v->name, arch.name, kernel.string(), matrix->probes_of(*v), matrix->scenarios_of(*v)});
    }
  } else {
    if (names.empty()) {
      throw std::runtime_error("no variants.toml found: give --variant or --kernel");
    }
    for (const auto& name : names) {
      auto [branch, arch] = split_variant(name);
      targets.push_back({name,
                         arch,
                         (out_root / branch / arch / image::booted_kernel_name(arch)).string(),
                         {},
                         {}});
    }
  }
  if (targets.empty()) {
    throw std::runtime_error("no built kernel found under " + out_root.string() +
                             "/<branch>/<arch>/: build one, or give --kernel");
  }
  return targets;
}

void print_progress(const vmtest::Progress& p, bool tty) {
  char line[256];
  if (p.boot == 0) {
    std::snprintf(line, sizeof line, "[%s] %s", p.variant.c_str(), p.note.c_str());
  } else {
    std::snprintf(line, sizeof line, "[%s] boot %d/%d %s/%s %5.1fs%s", p.variant.c_str(), p.boot,
                  p.boots, vmtest::to_string(p.backend).c_str(), vmtest::to_string(p.accel).c_str(),
                  p.elapsed.count() / 1000.0, p.reached_init ? " (in init)" : "");
  }
  if (tty) {
    std::fprintf(stderr, "\r\033[K%s", line);
  } else if (p.elapsed.count() == 0) {
    std::fprintf(stderr, "%s\n", line);  // one line per step when not a terminal
  }
  std::fflush(stderr);
}

// The workload's root filesystem for `arch`: --rootfs, else the rootfs stage's cached image for
// the recipe and the lock beside variants.toml (built when missing, refused when the mirror's
// versions differ from the lock).
std::string workload_root_image(const TestArgs& args, const std::string& arch) {
  if (!args.rootfs.empty()) return args.rootfs;
  fs::path matrix = variants::find_matrix_file(args.matrix);
  rootfs::BuildOptions options;
  options.lock_path = (matrix.parent_path() / "rootfs" / (arch + ".lock")).string();
  return rootfs::build_rootfs(rootfs::default_recipe(arch), options).image;
}

int run_test(const TestArgs& args) {
  auto accel = vmtest::parse_accel_preference(args.accel);
  if (!accel) throw std::runtime_error("--accel must be auto, kvm or tcg");
  std::optional<vmtest::Backend> backend;
  if (args.vmm == "qemu") {
    backend = vmtest::Backend::qemu;
  } else if (args.vmm == "firecracker") {
    backend = vmtest::Backend::firecracker;
  } else if (args.vmm != "auto") {
    throw std::runtime_error("--vmm must be auto, qemu or firecracker");
  }
  const std::vector<vmtest::Profile> profiles = args.profiles.empty()
                                                    ? std::vector{vmtest::Profile::mmio_legacy}
                                                    : vmtest::parse_profiles(args.profiles);
  std::vector<Target> targets = resolve_targets(args);
  if (!args.rootfs.empty() && !args.workload) throw std::runtime_error("--rootfs needs --workload");
  for (const auto& t : targets) {
    if (!args.rootfs.empty() && t.arch != targets.front().arch) {
      throw std::runtime_error("--rootfs is one arch's image, but the variants span " +
                               targets.front().arch + " and " + t.arch);
    }
  }
  const bool tty = ::isatty(2);
  std::vector<vmtest::VariantReport> reports;
  for (const auto& t : targets) {
    vmtest::TestRequest req;
    req.variant = t.name;
    req.arch = t.arch;
    req.kernel = t.kernel;
    req.probe_binary = args.probe.empty() ? vmtest::default_probe_binary(t.arch) : args.probe;
    req.requirements.required = t.declared_probes;
    for (const auto& r : args.require) {
      if (std::find(req.requirements.required.begin(), req.requirements.required.end(), r) ==
          req.requirements.required.end()) {
        req.requirements.required.push_back(r);
      }
    }
    // Nothing declared: every probe the guest reports must pass.
    req.requirements.all_reported = req.requirements.required.empty();
    req.requirements.boot_target_ms = args.boot_target_ms;
    req.requirements.enforce_boot_target = !args.no_boot_target;
    req.boots = args.boots;
    req.timeout = std::chrono::seconds(args.timeout);
    req.work_dir = (fs::path(args.out) / "work" / t.name).string();
    req.cache_dir = (fs::path(args.out) / "cache").string();
    req.accel = *accel;
    req.backend = backend;
    req.extra_cmdline = args.cmdline;
    req.tap = args.tap;
    vmtest::SystemHostProbe host;
    // One boot kind of the target: its report, setup problems included (the others still run).
    auto run_one = [&](const vmtest::TestRequest& request) {
      vmtest::VariantReport report;
      try {
        report = vmtest::run_variant(request, host,
                                     [&](const vmtest::Progress& p) { print_progress(p, tty); });
      } catch (const std::exception& e) {
        report.variant = request.variant;
        report.arch = t.arch;
        report.profile = vmtest::to_string(request.profile);
        report.kernel = t.kernel;
        report.accel_reason = "";
        report.failures.push_back(std::string("setup: ") + e.what());
        report.passed = false;
      }
      if (tty) std::fprintf(stderr, "\r\033[K");
      std::fprintf(stderr, "[%s] %s\n", request.variant.c_str(),
                   !report.skipped.empty() ? "SKIP"
                   : report.passed         ? "PASS"
                                           : "FAIL");
      return report;
    };
    // One probe boot per profile. mmio-legacy keeps the variant's plain name, work directory and
    // boot record; another profile is a report of its own, "<variant>/<profile>".
    vmtest::VariantReport report;
    for (vmtest::Profile profile : profiles) {
      vmtest::TestRequest boot = req;
      boot.profile = profile;
      if (profile != vmtest::Profile::mmio_legacy) {
        const std::string name = vmtest::to_string(profile);
        boot.variant = t.name + "/" + name;
        boot.work_dir = (fs::path(args.out) / "work" / (t.name + "-" + name)).string();
      }
      report = run_one(boot);
      // The verdict travels with the artifacts: packaging reads it (a failed run replaces an
      // earlier pass, so a kernel that stopped passing cannot be shipped on an old record).
      // Variants are booted from their artifact directory; a --kernel file may be anywhere.
      // Packaging judges the mmio-legacy boot, the one every runner can use.
      if (profile == vmtest::Profile::mmio_legacy && args.kernel.empty() && fs::exists(t.kernel)) {
        vmtest::write_boot_test_record(fs::path(t.kernel).parent_path(), t.kernel, report);
      }
      reports.push_back(std::move(report));
    }
    if (!args.workload) continue;

    // The workload boot, after the probes, into the same table, JUnit and JSON. Scenarios, not
    // probes: each the agent reports must pass or say why it cannot run here (a skip), except
    // those the variant's fragments declare, which must pass; TCG times are reported only.
    // It boots the mmio-legacy machine, whichever profiles the probe boots used.
    vmtest::TestRequest workload = req;
    workload.variant = t.name + "/workload";
    workload.requirements = {};
    workload.requirements.required = t.declared_scenarios;
    workload.requirements.all_reported = true;
    workload.requirements.reported_skip_passes = true;
    workload.requirements.enforce_boot_target = false;
    workload.timeout = std::chrono::seconds(args.workload_timeout);
    workload.boots = 1;
    workload.work_dir = (fs::path(args.out) / "work" / (t.name + "-workload")).string();
    workload.vcpus = 2;
    workload.mem_mib = 2048;
    workload.tap.clear();
    try {
      workload.root_image = workload_root_image(args, t.arch);
      report = run_one(workload);
    } catch (const std::exception& e) {
      report = {};
      report.variant = workload.variant;
      report.arch = t.arch;
      report.kernel = t.kernel;
      report.failures.push_back(std::string("setup: ") + e.what());
      report.passed = false;
      std::fprintf(stderr, "[%s] FAIL\n", workload.variant.c_str());
    }
    // Its verdict travels with the artifacts too, in a record of its own: `image` refuses a
    // kernel whose workload failed, whichever of the two boots ran last.
    if (args.kernel.empty() && fs::exists(t.kernel)) {
      vmtest::write_boot_test_record(fs::path(t.kernel).parent_path(), t.kernel, report,
                                     vmtest::kWorkloadTestRecordName);
    }
    reports.push_back(std::move(report));
  }
  std::printf("%s", vmtest::render_table(reports).c_str());
  for (const auto& path : vmtest::write_results(args.out, reports)) {
    std::printf("wrote %s\n", path.c_str());
  }
  for (const auto& r : reports) {
    if (!r.passed) return 1;
  }
  return 0;
}

}  // namespace

CommandRunner register_test_command(CLI::App& app) {
  auto args = std::make_shared<TestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "test", "Boot kernels in microVMs with the probe as /init and check runner features");
  cmd->add_option("--kernel", args->kernel, "Boot this kernel file (vmlinux or arm64 Image)");
  cmd->add_option("--arch", args->arch, "Arch of --kernel: x86_64 or arm64 (default: host)")
      ->check(CLI::IsMember({"x86_64", "arm64"}));
  cmd->add_option("variants", args->variants,
                  "Variants, branches or arches to boot (out/<branch>/<arch>/...); default: "
                  "every built one");
  cmd->add_option("--variant", args->variants, "A variant to boot (same as the positional)");
  cmd->add_option("--boots", args->boots, "Boots per kernel; boot time is their median")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--timeout", args->timeout, "Wall-clock seconds per boot")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--out", args->out, "Results directory (junit.xml, results.json)");
  cmd->add_option("--require", args->require,
                  "Probes that must pass (comma separated); default: those variants.toml "
                  "declares, else every probe the guest reports")
      ->delimiter(',');
  cmd->add_option("--probe", args->probe, "Probe binary used as /init (default: build/probe/)");
  cmd->add_option("--accel", args->accel, "auto (KVM when it really works), kvm or tcg");
  cmd->add_option("--vmm", args->vmm,
                  "auto (Firecracker when installed and KVM works), qemu, "
                  "firecracker");
  cmd->add_option("--cmdline", args->cmdline, "Extra kernel command line (e.g. rk.probes=a,b)");
  cmd->add_option("--tap", args->tap, "Firecracker: host tap device for the guest's eth0");
  cmd->add_option("--matrix", args->matrix, "variants.toml (default: found from the cwd)");
  cmd->add_option("--artifacts", args->artifacts,
                  "Artifact root holding <branch>/<arch>/ (default: out/ beside variants.toml)");
  add_fragment_override_options(*cmd, args->drop_fragments, args->add_fragments);
  cmd->add_option("--boot-target-ms", args->boot_target_ms, "KVM boot-to-init target (ms)");
  cmd->add_flag("--no-boot-target", args->no_boot_target,
                "Report the KVM boot time without failing on the target");
  cmd->add_flag("--workload", args->workload,
                "After each probe boot, boot the Debian root filesystem (runner-kernel rootfs) "
                "with systemd as PID 1 and run the workload scenarios");
  cmd->add_option("--rootfs", args->rootfs,
                  "With --workload: this ext4 image instead of the rootfs stage's cached one");
  cmd->add_option("--profile", args->profiles,
                  "Boot profiles, repeatable or comma separated: mmio-legacy (default; "
                  "virtio-mmio on the command line, no ACPI), acpi (virtio-mmio described by "
                  "ACPI; x86_64), pci (virtio-pci behind a PCIe host bridge)");
  cmd->add_option("--workload-timeout", args->workload_timeout,
                  "With --workload: wall-clock seconds per boot")
      ->check(CLI::Range(1, 7200))
      ->capture_default_str();
  return [args] { return run_test(*args); };
}

namespace {
const CommandRegistration kRegistration{"test", 50, register_test_command};
}  // namespace

}  // namespace rk::cli
