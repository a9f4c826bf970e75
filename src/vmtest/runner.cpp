#include "vmtest/runner.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "base/file.hpp"
#include "process/run.hpp"
#include "vmtest/console.hpp"
#include "vmtest/cpio.hpp"
#include "vmtest/disks.hpp"
#include "vmtest/error.hpp"

namespace fs = std::filesystem;

namespace rk::vmtest {
namespace {

using std::chrono::milliseconds;

std::string tail_hint(const ConsoleState& c) {
  return c.tail.empty() ? std::string() : " (last line: " + c.tail.back() + ")";
}

// Short launch of the real kernel under KVM: the guest works if the kernel prints its banner.
std::optional<bool> kvm_trial_launch(const MachineSpec& base, std::string& why) {
  MachineSpec spec = base;
  spec.accel = Accel::kvm;
  bool banner = false;
  process::Handlers cb;
  ConsoleParser parser(5);
  cb.on_output = [&](std::string_view s) {
    parser.feed(s);
    for (const auto& line : parser.state().tail) {
      if (line.find("Linux version") != std::string::npos) banner = true;
    }
    return banner ? process::Verdict::stop : process::Verdict::keep_going;
  };
  process::Limits limits;
  limits.timeout = milliseconds(5000);
  limits.stop_grace = milliseconds(0);
  process::Outcome r = process::run({qemu_argv(spec), "", {}}, cb, limits);
  parser.finish();
  if (!r.started) {
    why = r.start_error;
    return std::nullopt;
  }
  if (banner) {
    why = "kernel banner after " + std::to_string(r.elapsed.count()) + " ms";
    return true;
  }
  why = r.timed_out ? "no kernel output within 5 s"
                    : "VMM exited with " + std::to_string(r.exit_code) + tail_hint(parser.state());
  return false;
}

}  // namespace

BootRecord run_boot(const std::vector<std::string>& argv, milliseconds timeout,
                    const std::function<void(milliseconds, bool)>& on_tick) {
  BootRecord record;
  ConsoleParser parser(20);
  const auto start = std::chrono::steady_clock::now();
  process::Handlers cb;
  cb.on_output = [&](std::string_view s) {
    bool had_begun = parser.state().begun;
    parser.feed(s);
    if (!had_begun && parser.state().begun) {
      record.host_ms_to_begin =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
    }
    // Done: the probe ended (the VM powers off by itself; give it the grace period), or the
    // kernel panicked (panic=1 reboots, which the VMM turns into an exit).
    if (parser.state().end || parser.state().panic) return process::Verdict::stop;
    return process::Verdict::keep_going;
  };
  if (on_tick) cb.on_tick = [&](milliseconds e) { on_tick(e, parser.state().begun); };
  process::Limits limits;
  limits.timeout = timeout;
  limits.stop_grace = milliseconds(3000);
  process::Outcome r = process::run({argv, "", {}}, cb, limits);
  parser.finish();
  record.console = parser.state();
  record.wall_ms = static_cast<double>(r.elapsed.count());
  record.vmm_exit_code = r.exited ? r.exit_code : -1;
  const ConsoleState& c = record.console;
  if (!r.started) {
    record.outcome = BootOutcome::start_failed;
    record.error = "VMM did not start: " + r.start_error;
  } else if (c.panic) {
    record.outcome = BootOutcome::panic;
    record.error =
        (c.begun ? "kernel panic after init started: " : "kernel did not reach init: ") + *c.panic;
  } else if (c.end) {
    record.outcome = BootOutcome::completed;
  } else if (r.timed_out) {
    record.outcome = BootOutcome::timeout;
    record.error = c.begun ? "probe did not finish within the " +
                                 std::to_string(timeout.count() / 1000) + " s timeout"
                           : "kernel did not reach init within the " +
                                 std::to_string(timeout.count() / 1000) + " s timeout";
  } else {
    record.outcome = BootOutcome::vmm_exit;
    std::string how = r.exited ? "exited with " + std::to_string(r.exit_code)
                               : "was killed by signal " + std::to_string(r.signal);
    record.error = (c.begun ? "probe did not finish: VMM " : "kernel did not reach init: VMM ") +
                   how + tail_hint(c);
  }
  return record;
}

std::string default_probe_binary(const std::string& arch) {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
       dir = dir.parent_path()) {
    fs::path candidate = dir / "probe" / ("rk-probe-" + arch);
    if (fs::exists(candidate)) return candidate.string();
    if (fs::exists(dir / "CMakeCache.txt")) break;  // the build directory: stop there
  }
  return "";
}

MachineSpec workload_machine(const TestRequest& req) {
  MachineSpec spec;
  spec.arch = req.arch;
  spec.kernel = fs::absolute(req.kernel).string();
  spec.drives = {fs::absolute(req.root_image).string()};
  spec.drives_read_only = {false};
  spec.vcpus = req.vcpus;
  spec.mem_mib = req.mem_mib;
  spec.network = false;
  spec.extra_cmdline = kWorkloadCmdline;
  if (!req.extra_cmdline.empty()) spec.extra_cmdline += " " + req.extra_cmdline;
  return spec;
}

VariantReport run_variant(const TestRequest& req, HostProbe& host, const ProgressFn& progress) {
  if (req.arch != "x86_64" && req.arch != "arm64") {
    throw VmtestError(ErrorKind::kRequest, "unknown arch " + req.arch + " (x86_64 or arm64)");
  }
  const bool workload = !req.root_image.empty();
  if (workload && !fs::exists(req.root_image)) {
    throw VmtestError(ErrorKind::kRequest, "root filesystem image not found: " + req.root_image);
  }
  if (!workload && (req.probe_binary.empty() || !fs::exists(req.probe_binary))) {
    throw VmtestError(ErrorKind::kRequest,
                      "probe binary for " + req.arch + " not found" +
                          (req.probe_binary.empty() ? "" : ": " + req.probe_binary) +
                          " (build it with CMake: build/probe/rk-probe-" + req.arch +
                          ", or pass --probe)");
  }
  if (!fs::exists(req.kernel))
    throw VmtestError(ErrorKind::kRequest, "kernel not found: " + req.kernel);
  if (req.boots < 1) throw VmtestError(ErrorKind::kRequest, "--boots must be at least 1");

  VariantReport report;
  report.variant = req.variant;
  report.arch = req.arch;
  report.kernel = req.kernel;
  report.profile = to_string(req.profile);
  auto skip = [&](const std::string& why) {
    report.skipped = why;
    report.passed = true;
    return report;
  };
  if (auto why = profile_unsupported(req.profile, req.arch, Backend::qemu)) return skip(*why);
  Progress p;
  p.variant = req.variant;
  p.boots = req.boots;
  p.note = "preparing";
  if (progress) progress(p);

  fs::create_directories(req.work_dir);
  MachineSpec spec;
  if (workload) {
    spec = workload_machine(req);
  } else {
    const std::string initrd =
        (fs::path(req.work_dir) / ("initramfs-" + req.arch + ".cpio.zst")).string();
    stage_file_io([&] {
      base::write_file_atomically(initrd, build_probe_initramfs(base::read_file(req.probe_binary)));
    });
    ProbeDisks disks = prepare_probe_disks(req.cache_dir);
    spec.arch = req.arch;
    spec.kernel = fs::absolute(req.kernel).string();
    spec.initrd = fs::absolute(initrd).string();
    spec.drives = {fs::absolute(disks.ext4).string(), fs::absolute(disks.squashfs).string()};
    spec.drives_read_only = {false, true};
    spec.vcpus = req.vcpus;
    spec.mem_mib = req.mem_mib;
    spec.extra_cmdline = req.extra_cmdline;
    spec.tap = req.tap;
  }
  spec.profile = req.profile;

  // Accelerator first (Firecracker needs KVM), then the backend.
  AccelDecision decision;
  if (dynamic_cast<SystemHostProbe*>(&host) != nullptr) {
    // The real host: the trial launch boots this very kernel under KVM for a few seconds.
    SystemHostProbe with_trial([&](std::string& why) {
      p.note = "kvm trial";
      if (progress) progress(p);
      return kvm_trial_launch(spec, why);
    });
    decision = choose_accel(req.arch, req.accel, with_trial);
  } else {
    decision = choose_accel(req.arch, req.accel, host);
  }
  Backend backend = Backend::qemu;
  if (req.backend) {
    backend = *req.backend;
  } else if (decision.accel == Accel::kvm && !process::find_executable("firecracker").empty()) {
    backend = Backend::firecracker;
  }
  if (backend == Backend::firecracker && decision.accel != Accel::kvm) {
    throw VmtestError(ErrorKind::kNoKvm, "Firecracker needs KVM, but: " + decision.reason);
  }
  if (auto why = profile_unsupported(req.profile, req.arch, backend)) {
    report.backend = backend;
    report.accel = decision.accel;
    return skip(*why);
  }
  if (auto problem = check_kernel_file(req.kernel, req.arch, backend)) {
    throw VmtestError(ErrorKind::kKernel, *problem);
  }
  if (backend == Backend::qemu && process::find_executable(qemu_binary(req.arch)).empty()) {
    throw VmtestError(ErrorKind::kToolMissing,
                      qemu_binary(req.arch) + " not found: install the Debian package " +
                          (req.arch == "arm64" ? "qemu-system-arm" : "qemu-system-x86"));
  }
  spec.accel = decision.accel;
  report.accel = decision.accel;
  report.backend = backend;
  report.accel_reason = decision.reason;

  for (int k = 1; k <= req.boots; ++k) {
    std::vector<std::string> argv;
    if (backend == Backend::firecracker) {
      // Firecracker writes to read-write drives: give each boot a fresh copy of the ext4 image.
      MachineSpec fc = spec;
      fs::path vda = fs::path(req.work_dir) / "vda.ext4";
      fs::copy_file(spec.drives[0], vda, fs::copy_options::overwrite_existing);
      fc.drives[0] = fs::absolute(vda).string();
      if (fc.vsock_uds.empty()) fc.vsock_uds = fs::absolute(fs::path(req.work_dir) / "vsock.sock");
      fs::remove(fc.vsock_uds);
      std::string config = (fs::path(req.work_dir) / "firecracker.json").string();
      stage_file_io([&] { base::write_file_atomically(config, firecracker_config_json(fc)); });
      argv = firecracker_argv(config);
    } else {
      argv = qemu_argv(spec);
    }
    p.boot = k;
    p.backend = backend;
    p.accel = spec.accel;
    p.note.clear();
    p.elapsed = milliseconds(0);
    p.reached_init = false;
    if (progress) progress(p);
    BootRecord boot = run_boot(argv, req.timeout, [&](milliseconds e, bool begun) {
      p.elapsed = e;
      p.reached_init = begun;
      if (progress) progress(p);
    });
    boot.index = k;
    boot.backend = backend;
    boot.accel = spec.accel;
    // A KVM that fails the guest fast (the VMM dies before init) falls back to TCG for this
    // and the remaining boots.
    if (spec.accel == Accel::kvm && backend == Backend::qemu &&
        boot.outcome == BootOutcome::vmm_exit && !boot.console.begun &&
        req.accel == AccelPreference::automatic) {
      report.accel_reason += "; KVM boot failed (" + boot.error + "), fell back to TCG";
      spec.accel = Accel::tcg;
      report.accel = Accel::tcg;
      --k;
      continue;
    }
    report.boots.push_back(std::move(boot));
  }
  evaluate_variant(report, req.requirements);
  return report;
}

}  // namespace rk::vmtest
