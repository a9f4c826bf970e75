// Boots one kernel N times with the probe initramfs and the probe disks, and turns the console
// into a VariantReport. The entry point of the vmtest stage.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vmtest/accel.hpp"
#include "vmtest/report.hpp"
#include "vmtest/vmm.hpp"

namespace rk::vmtest {

struct TestRequest {
  std::string variant;       // name shown in reports ("6.1-x86_64")
  std::string arch;          // "x86_64" or "arm64"
  std::string kernel;        // vmlinux (x86_64) or Image (arm64)
  std::string probe_binary;  // becomes /init
  Requirements requirements;
  int boots = 1;
  std::chrono::seconds timeout{120};  // per boot, wall clock
  std::string work_dir;               // per-variant scratch: initramfs, VMM configs
  std::string cache_dir;              // probe disk images, shared by variants
  AccelPreference accel = AccelPreference::automatic;
  std::optional<Backend> backend;  // default: Firecracker when installed and KVM works
  std::string extra_cmdline;       // e.g. "rk.probes=a,b"
  std::string tap;                 // Firecracker virtio-net tap device ("" = none)
  int vcpus = 1;
  int mem_mib = 256;
  // How the guest finds its devices (vmm.hpp). A profile that does not apply to the arch or
  // the backend gives a skipped report, not an error.
  Profile profile = Profile::mmio_legacy;
  // Non-empty: a workload boot instead of a probe boot. This ext4 image (src/rootfs/) is the
  // root filesystem on /dev/vda, read-write on a throw-away copy, systemd is PID 1 and the
  // workload agent reports on the console in the probe protocol (no initramfs, no probe disks,
  // no NIC: all traffic stays inside the guest).
  std::string root_image;
};

// The kernel command line a workload boot adds: the image as the root filesystem, the flag
// that starts the agent, and no first-boot questions (the image has no machine-id, and with a
// throw-away overlay every boot is a first boot; systemd-firstboot would wait for answers on
// the console).
inline constexpr const char* kWorkloadCmdline =
    "root=/dev/vda rw rootfstype=ext4 systemd.firstboot=off rk.agent";

// The machine of a workload boot (before the accelerator is chosen).
MachineSpec workload_machine(const TestRequest& request);

struct Progress {
  std::string variant;
  int boot = 0;  // 1-based, 0 while preparing
  int boots = 0;
  Backend backend = Backend::qemu;
  Accel accel = Accel::tcg;
  std::chrono::milliseconds elapsed{0};
  bool reached_init = false;
  std::string note;  // "preparing", "kvm trial", ...
};
using ProgressFn = std::function<void(const Progress&)>;

// Runs the whole request. Never throws for guest failures (they land in the report); throws
// std::runtime_error for setup problems (missing probe binary, disk tools, bad kernel file).
VariantReport run_variant(const TestRequest& request, HostProbe& host,
                          const ProgressFn& progress = {});

// One boot of an already built VMM command line: launches it, streams the console into the
// protocol parser, stops when the probe ends (or the kernel panics), kills the VMM's process
// group on timeout. Fills everything in the record but index/backend/accel.
BootRecord run_boot(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                    const std::function<void(std::chrono::milliseconds, bool)>& on_tick = {});

// The probe binary CMake builds for an arch, looked up next to the runner-kernel executable
// (build/probe/rk-probe-<arch>); "" when absent.
std::string default_probe_binary(const std::string& arch);

}  // namespace rk::vmtest
