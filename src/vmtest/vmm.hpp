// How a test VM is started: Firecracker when it is installed and KVM works, otherwise QEMU
// configured in Firecracker's shape (one serial console, direct kernel boot, and the devices of
// a boot profile: virtio-mmio on the command line, virtio-mmio described by ACPI, or virtio-pci).
// Building the command lines is pure; running them is process/run.hpp's job.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rk::vmtest {

enum class Accel { kvm, tcg };
enum class Backend { firecracker, qemu };
std::string to_string(Accel accel);
std::string to_string(Backend backend);

// Boot profiles: how the guest finds its devices, as the Firecracker releases a runner may use
// present them.
enum class Profile {
  mmio_legacy,  // virtio-mmio listed on the kernel command line, no ACPI (Firecracker < 1.10)
  acpi,         // virtio-mmio described by ACPI tables (Firecracker >= 1.10 on x86_64)
  pci,          // virtio-pci behind a PCIe host bridge (Firecracker >= 1.13 --enable-pci)
};

// Everything a profile changes in a QEMU boot, in one place.
struct ProfileSpec {
  Profile profile;
  const char* name;                // as --profile and the reports spell it
  const char* x86_machine;         // -M of qemu-system-x86_64
  const char* arm64_machine;       // -M of qemu-system-aarch64; nullptr: not applicable
  const char* arm64_why_not;       // when arm64_machine is nullptr: the reason (a skip)
  const char* x86_cmdline;         // the QEMU x86_64 kernel command line before ip= and extras
  const char* arm64_cmdline;       // likewise on arm64
  const char* blk_device;          // -device of a drive
  const char* net_device;          // -device of the NIC
  bool mmio = true;                // virtio-mmio transports (arm64 lists them backwards)
  bool tcg_needs_tsc_khz = false;  // x86_64 under TCG: tell the kernel the TSC rate (below)
};

// The profiles, in the order --profile lists them.
const std::vector<ProfileSpec>& profile_specs();
const ProfileSpec& profile_spec(Profile profile);
std::string to_string(Profile profile);
// --profile values, each one name or a comma-separated list; duplicates are dropped, order
// kept. An unknown name is a VmtestError (kRequest) that lists the valid ones.
std::vector<Profile> parse_profiles(const std::vector<std::string>& values);
// Why `profile` cannot boot on this arch and backend (the report shows it as a skip), or nullopt.
std::optional<std::string> profile_unsupported(Profile profile, const std::string& arch,
                                               Backend backend);

struct MachineSpec {
  std::string arch;  // "x86_64" or "arm64"
  std::string kernel;
  std::string initrd;
  std::vector<std::string> drives;     // virtio-blk, in /dev/vda, /dev/vdb, ... order
  std::vector<bool> drives_read_only;  // parallel to drives (missing: read-only)
  int vcpus = 1;
  int mem_mib = 256;
  Accel accel = Accel::tcg;
  bool network = true;        // QEMU: user-mode net; Firecracker: only with a tap device
  std::string tap;            // Firecracker: host tap device for virtio-net ("" = no network)
  std::string vsock_uds;      // Firecracker: vsock Unix socket path ("" = no vsock)
  std::string extra_cmdline;  // appended to the kernel command line
  Profile profile = Profile::mmio_legacy;
};

// The kernel command line for a backend and arch (Firecracker's own line, adapted for QEMU).
std::string kernel_cmdline(Backend backend, const MachineSpec& spec);

// Firecracker: the --config-file JSON.
std::string firecracker_config_json(const MachineSpec& spec);
// Firecracker: argv, given where the config file is written.
std::vector<std::string> firecracker_argv(const std::string& config_path);

// QEMU: full argv (qemu-system-x86_64 -M microvm / qemu-system-aarch64 -M virt).
std::vector<std::string> qemu_argv(const MachineSpec& spec);

// "qemu-system-x86_64" or "qemu-system-aarch64".
std::string qemu_binary(const std::string& arch);

// Checks the kernel file fits the arch and backend before launching anything: an ELF vmlinux
// with a PVH entry note for x86_64 under QEMU (CONFIG_PVH=y), an ELF vmlinux for Firecracker
// on x86_64, an arm64 Image (or ELF) for arm64. Returns an error message, or nullopt.
std::optional<std::string> check_kernel_file(const std::string& path, const std::string& arch,
                                             Backend backend);
// The same on bytes already read (tests).
std::optional<std::string> check_kernel_bytes(const std::string& bytes, const std::string& arch,
                                              Backend backend);

}  // namespace rk::vmtest
