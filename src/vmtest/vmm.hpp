// How a test VM is started: Firecracker when it is installed and KVM works, otherwise QEMU
// configured in Firecracker's shape (virtio-mmio devices only, one serial console, no PCI, no
// firmware tables, direct kernel boot). Building the command lines is pure; running them is
// process/run.hpp's job.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rk::vmtest {

enum class Accel { kvm, tcg };
enum class Backend { firecracker, qemu };
std::string to_string(Accel accel);
std::string to_string(Backend backend);

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
