#include "vmtest/vmm.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "base/file.hpp"
#include "vmtest/error.hpp"

namespace rk::vmtest {
namespace {

// Firecracker's default kernel command line (x86_64) of the releases without ACPI, which the
// Firecracker backend still uses; QEMU microvm gets the same devices.
constexpr const char* kFirecrackerX86Cmdline =
    "console=ttyS0 reboot=k panic=1 pci=off nomodule 8250.nr_uarts=1 i8042.noaux i8042.nomux "
    "i8042.nopnp i8042.dumbkbd";
// mmio-legacy, unchanged from before the profiles: that older default with console=ttyS0,
// 8250.nr_uarts=1 (the serial console is how the harness hears the probe) and reboot=t. Without
// ACPI a microvm cannot power off: the probe reboots instead, by triple fault (reboot=t), which
// QEMU's -no-reboot turns into an exit.
constexpr const char* kQemuX86Cmdline =
    "console=ttyS0 reboot=t panic=1 pci=off nomodule 8250.nr_uarts=1 i8042.noaux i8042.nomux "
    "i8042.nopnp i8042.dumbkbd";
// acpi and pci: Firecracker's current default, "reboot=k panic=1 nomodule 8250.nr_uarts=0
// i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd swiotlb=noforce" (boot args replace it, so a
// runner's line is this plus its own), with what the harness needs and nothing else:
// - console=ttyS0 and 8250.nr_uarts=1 instead of =0: nr_uarts=0 registers no 8250 port, so
//   there would be no serial console, and the console is the probe's only channel to the host;
// - no reboot=k: it resets through the i8042 keyboard controller, which Firecracker emulates
//   and QEMU's microvm does not have. Without a reboot= parameter the probe powers off through
//   ACPI (src/probe/main.cpp), which the microvm's ACPI tables offer.
// Under TCG a tsc_early_khz= follows (tcg_needs_tsc_khz).
constexpr const char* kQemuX86AcpiCmdline =
    "console=ttyS0 panic=1 nomodule 8250.nr_uarts=1 i8042.noaux i8042.nomux i8042.nopnp "
    "i8042.dumbkbd swiotlb=noforce";
constexpr const char* kFirecrackerArm64Cmdline =
    "keep_bootcon console=ttyS0 reboot=k panic=1 "
    "pci=off nomodule";
constexpr const char* kQemuArm64Cmdline = "console=ttyAMA0 panic=1 nomodule";

// With ACPI, QEMU's microvm is a hardware-reduced ACPI platform: Linux then sets up no legacy
// PIT interrupt, and without kvmclock (TCG) it cannot measure the TSC either, so the boot hangs
// at "tsc: Marking TSC unstable" waiting for a tick that never comes. Telling it the TSC rate
// lets it calibrate the local APIC timer against the TSC. Under TCG the guest's TSC runs at the
// host's tick rate, which this fixed value only approximates: the guest clock may run fast or
// slow, and TCG boot times are not compared with the target anyway. Under KVM, kvmclock gives
// the rate and nothing is added.
constexpr const char* kTcgTscKhz = "tsc_early_khz=2000000";

// No profile offers QEMU a vsock device: vhost-vsock-device/-pci need the host's
// /dev/vhost-vsock (module vhost_vsock), which CI hosts and this tool do not set up; the vsock
// probe then passes on the socket layer and says "no vsock device attached". Firecracker
// (mmio-legacy) attaches one.
const std::vector<ProfileSpec> kProfiles = {
    {Profile::mmio_legacy, "mmio-legacy",
     // No ACPI, no PCI, no firmware tables: virtio-mmio devices that QEMU lists on the kernel
     // command line itself (virtio_mmio.device=..., needs VIRTIO_MMIO_CMDLINE_DEVICES).
     "microvm,acpi=off", "virt", nullptr, kQemuX86Cmdline, kQemuArm64Cmdline, "virtio-blk-device",
     "virtio-net-device", true, false},
    {Profile::acpi, "acpi",
     // With ACPI on, QEMU adds no virtio_mmio.device= to the command line (it only does that
     // when ACPI is off); its DSDT describes each transport as a LNRO0005 device instead, which
     // virtio_mmio binds through ACPI. No PCIe host bridge.
     "microvm,acpi=on,pcie=off", nullptr,
     "QEMU's virt board hands a directly booted arm64 kernel a device tree, not ACPI tables "
     "(arm64 Linux takes ACPI only through UEFI), and Firecracker has no ACPI on arm64",
     kQemuX86AcpiCmdline, kQemuArm64Cmdline, "virtio-blk-device", "virtio-net-device", true, true},
    {Profile::pci, "pci",
     // A PCIe host bridge (GPEX) that the ACPI tables describe: the guest finds it through
     // ACPI, as under Firecracker's --enable-pci. The virt board has one in its device tree.
     "microvm,acpi=on,pcie=on", "virt", nullptr, kQemuX86AcpiCmdline, kQemuArm64Cmdline,
     "virtio-blk-pci", "virtio-net-pci", false, true},
};

// QEMU user-mode networking: the guest is 10.0.2.15, the gateway 10.0.2.2.
constexpr const char* kQemuIp = "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off";
// Firecracker over a tap device: the conventional 172.16.0.0/30 of Firecracker's guides.
constexpr const char* kFirecrackerIp = "ip=172.16.0.2::172.16.0.1:255.255.255.252::eth0:off";

bool read_only(const MachineSpec& spec, size_t i) {
  return i >= spec.drives_read_only.size() || spec.drives_read_only[i];
}

std::string drive_id(size_t i) {
  return std::string("vd") + static_cast<char>('a' + i);
}

template <typename T>
T load_le(const std::string& b, size_t off) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    v |= static_cast<T>(static_cast<unsigned char>(b[off + i])) << (8 * i);
  }
  return v;
}

struct ElfInfo {
  uint16_t machine = 0;
  bool pvh_note = false;
};

// Reads an ELF64 little-endian header and scans its PT_NOTE segments for Xen's
// XEN_ELFNOTE_PHYS32_ENTRY (18): the PVH entry point QEMU needs to boot a vmlinux.
std::optional<ElfInfo> read_elf(const std::string& b, std::string& error) {
  if (b.size() < 64 || b.compare(0, 4,
                                 "\x7f"
                                 "ELF") != 0)
    return std::nullopt;
  if (b[4] != 2 || b[5] != 1) {
    error = "not a 64-bit little-endian ELF file";
    return ElfInfo{};
  }
  ElfInfo info;
  info.machine = load_le<uint16_t>(b, 18);
  const uint64_t phoff = load_le<uint64_t>(b, 32);
  const uint16_t phentsize = load_le<uint16_t>(b, 54);
  const uint16_t phnum = load_le<uint16_t>(b, 56);
  if (phentsize < 56 || phoff > b.size() || (b.size() - phoff) / phentsize < phnum) {
    error = "ELF program headers are truncated";
    return info;
  }
  for (uint16_t i = 0; i < phnum; ++i) {
    size_t ph = phoff + static_cast<size_t>(i) * phentsize;
    if (load_le<uint32_t>(b, ph) != 4) continue;  // PT_NOTE
    uint64_t off = load_le<uint64_t>(b, ph + 8);
    uint64_t size = load_le<uint64_t>(b, ph + 32);
    if (off > b.size() || b.size() - off < size) continue;
    uint64_t pos = off;
    const uint64_t end = off + size;
    while (end - pos >= 12) {
      uint32_t namesz = load_le<uint32_t>(b, pos);
      uint32_t descsz = load_le<uint32_t>(b, pos + 4);
      uint32_t type = load_le<uint32_t>(b, pos + 8);
      uint64_t name_at = pos + 12;
      uint64_t desc_at = name_at + ((static_cast<uint64_t>(namesz) + 3) & ~3ULL);
      uint64_t next = desc_at + ((static_cast<uint64_t>(descsz) + 3) & ~3ULL);
      if (next > end) break;
      if (type == 18 && namesz == 4 && b.compare(name_at, 4, std::string("Xen\0", 4)) == 0) {
        info.pvh_note = true;
      }
      pos = next;
    }
  }
  return info;
}

}  // namespace

std::string to_string(Accel accel) {
  return accel == Accel::kvm ? "kvm" : "tcg";
}
std::string to_string(Backend backend) {
  return backend == Backend::firecracker ? "firecracker" : "qemu";
}

const std::vector<ProfileSpec>& profile_specs() {
  return kProfiles;
}

const ProfileSpec& profile_spec(Profile profile) {
  for (const auto& p : kProfiles) {
    if (p.profile == profile) return p;
  }
  return kProfiles.front();
}

std::string to_string(Profile profile) {
  return profile_spec(profile).name;
}

std::vector<Profile> parse_profiles(const std::vector<std::string>& values) {
  std::vector<Profile> out;
  auto add = [&](const std::string& name) {
    for (const auto& p : kProfiles) {
      if (name != p.name) continue;
      if (std::find(out.begin(), out.end(), p.profile) == out.end()) out.push_back(p.profile);
      return;
    }
    std::string valid;
    for (const auto& p : kProfiles) valid += (valid.empty() ? "" : ", ") + std::string(p.name);
    throw VmtestError(ErrorKind::kRequest,
                      "unknown boot profile '" + name + "' (valid: " + valid + ")");
  };
  for (const auto& value : values) {
    size_t start = 0;
    while (true) {
      size_t comma = value.find(',', start);
      add(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::optional<std::string> profile_unsupported(Profile profile, const std::string& arch,
                                               Backend backend) {
  const ProfileSpec& p = profile_spec(profile);
  if (backend == Backend::firecracker && profile != Profile::mmio_legacy) {
    return "profile " + std::string(p.name) +
           ": the Firecracker backend boots mmio-legacy only so far (its ACPI and "
           "--enable-pci configurations are not wired up)";
  }
  if (arch == "arm64" && p.arm64_machine == nullptr) {
    return "profile " + std::string(p.name) + " does not apply to arm64: " + p.arm64_why_not;
  }
  return std::nullopt;
}

std::string qemu_binary(const std::string& arch) {
  return arch == "arm64" ? "qemu-system-aarch64" : "qemu-system-x86_64";
}

std::string kernel_cmdline(Backend backend, const MachineSpec& spec) {
  const bool arm = spec.arch == "arm64";
  std::string line;
  if (backend == Backend::firecracker) {
    line = arm ? kFirecrackerArm64Cmdline : kFirecrackerX86Cmdline;
    if (!spec.tap.empty()) line += std::string(" ") + kFirecrackerIp;
  } else {
    const ProfileSpec& p = profile_spec(spec.profile);
    line = arm ? p.arm64_cmdline : p.x86_cmdline;
    if (!arm && p.tcg_needs_tsc_khz && spec.accel == Accel::tcg) {
      line += std::string(" ") + kTcgTscKhz;
    }
    if (spec.network) line += std::string(" ") + kQemuIp;
  }
  if (!spec.extra_cmdline.empty()) line += " " + spec.extra_cmdline;
  return line;
}

std::string firecracker_config_json(const MachineSpec& spec) {
  nlohmann::ordered_json boot = {{"kernel_image_path", spec.kernel},
                                 {"boot_args", kernel_cmdline(Backend::firecracker, spec)}};
  if (!spec.initrd.empty()) boot["initrd_path"] = spec.initrd;
  nlohmann::ordered_json drives = nlohmann::ordered_json::array();
  for (size_t i = 0; i < spec.drives.size(); ++i) {
    drives.push_back({{"drive_id", drive_id(i)},
                      {"path_on_host", spec.drives[i]},
                      {"is_root_device", false},
                      {"is_read_only", read_only(spec, i)}});
  }
  nlohmann::ordered_json config = {
      {"boot-source", boot},
      {"drives", drives},
      {"machine-config", {{"vcpu_count", spec.vcpus}, {"mem_size_mib", spec.mem_mib}}},
  };
  nlohmann::ordered_json nets = nlohmann::ordered_json::array();
  if (!spec.tap.empty()) {
    nets.push_back(
        {{"iface_id", "eth0"}, {"guest_mac", "06:00:AC:10:00:02"}, {"host_dev_name", spec.tap}});
  }
  config["network-interfaces"] = nets;
  if (!spec.vsock_uds.empty()) {
    config["vsock"] = {{"guest_cid", 3}, {"uds_path", spec.vsock_uds}};
  }
  return config.dump(2) + "\n";
}

std::vector<std::string> firecracker_argv(const std::string& config_path) {
  // No API socket; the boot timer device logs the guest's time to init on the console.
  return {"firecracker", "--no-api", "--config-file", config_path, "--boot-timer"};
}

std::vector<std::string> qemu_argv(const MachineSpec& spec) {
  const bool arm = spec.arch == "arm64";
  const bool kvm = spec.accel == Accel::kvm;
  const ProfileSpec& profile = profile_spec(spec.profile);
  std::vector<std::string> a = {qemu_binary(spec.arch)};
  if (arm) {
    // A profile without an arm64 machine is refused before (profile_unsupported).
    a.insert(a.end(), {"-M", profile.arm64_machine != nullptr ? profile.arm64_machine : "virt",
                       "-cpu", kvm ? "host" : "cortex-a57"});
  } else {
    a.insert(a.end(), {"-M", profile.x86_machine});
    // Firecracker passes the host's CPUID through, RDRAND included, and guests seed their CRNG
    // from it at boot (RANDOM_TRUST_CPU). TCG's default qemu64 has no RDRAND; "max" does.
    a.insert(a.end(), {"-cpu", kvm ? "host" : "max"});
  }
  a.insert(a.end(), {"-accel", kvm ? "kvm" : "tcg"});
  a.insert(a.end(), {"-smp", std::to_string(spec.vcpus), "-m", std::to_string(spec.mem_mib)});
  a.insert(a.end(), {"-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
                     "-no-reboot"});
  a.insert(a.end(), {"-kernel", spec.kernel});
  if (!spec.initrd.empty()) a.insert(a.end(), {"-initrd", spec.initrd});
  a.insert(a.end(), {"-append", kernel_cmdline(Backend::qemu, spec)});
  // The guest must see the drives as vda, vdb, ... in spec order, as Firecracker attaches them.
  // On the virt board the kernel finds the virtio-mmio transports in the reverse order of the
  // -device options (the last one gets the lowest transport), so arm64 lists them backwards.
  // PCI devices take slots in option order on both boards.
  const bool backwards = arm && profile.mmio;
  for (size_t k = 0; k < spec.drives.size(); ++k) {
    const size_t i = backwards ? spec.drives.size() - 1 - k : k;
    // Read-write drives run on a throw-away overlay: the cached image never changes.
    std::string drive = "id=" + drive_id(i) + ",file=" + spec.drives[i] + ",format=raw,if=none" +
                        (read_only(spec, i) ? ",readonly=on" : ",snapshot=on");
    a.insert(a.end(), {"-drive", drive, "-device",
                       std::string(profile.blk_device) + ",drive=" + drive_id(i)});
  }
  if (spec.network) {
    // restrict=on: the guest sees QEMU's emulated network only, never the host's loopback
    // services or any other network (the probes need the device, not a route out).
    a.insert(a.end(), {"-netdev", "user,id=n0,restrict=on", "-device",
                       std::string(profile.net_device) + ",netdev=n0"});
  }
  return a;
}

std::optional<std::string> check_kernel_bytes(const std::string& bytes, const std::string& arch,
                                              Backend backend) {
  std::string error;
  std::optional<ElfInfo> elf = read_elf(bytes, error);
  if (!error.empty()) return "kernel: " + error;
  if (arch == "x86_64") {
    if (!elf) {
      if (bytes.size() > 0x206 && bytes.compare(0x202, 4, "HdrS") == 0) {
        if (backend == Backend::qemu) return std::nullopt;  // bzImage: QEMU boots it too
        return "kernel: a bzImage; Firecracker boots the ELF vmlinux";
      }
      return "kernel: not an x86_64 vmlinux (no ELF header)";
    }
    if (elf->machine != 62) return "kernel: ELF for another machine than x86_64";
    if (backend == Backend::qemu && !elf->pvh_note) {
      return "kernel: vmlinux has no PVH entry note, QEMU cannot boot it (needs CONFIG_PVH=y)";
    }
    return std::nullopt;
  }
  if (arch == "arm64") {
    if (elf) {
      if (elf->machine != 183) return "kernel: ELF for another machine than arm64";
      return std::nullopt;
    }
    if (bytes.size() >= 64 && bytes.compare(56, 4, "ARM\x64") == 0) return std::nullopt;
    return "kernel: not an arm64 Image (no ARM\\x64 magic at offset 56)";
  }
  return "unknown arch " + arch + " (x86_64 or arm64)";
}

std::optional<std::string> check_kernel_file(const std::string& path, const std::string& arch,
                                             Backend backend) {
  std::string bytes;
  try {
    bytes = base::read_file(path);
  } catch (const base::FileError& e) {
    return std::string("kernel: ") + e.what();
  }
  auto problem = check_kernel_bytes(bytes, arch, backend);
  if (problem) return *problem + " (" + path + ")";
  return std::nullopt;
}

}  // namespace rk::vmtest
