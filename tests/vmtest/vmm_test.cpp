#include "vmtest/vmm.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "vmtest/error.hpp"

namespace rk::vmtest {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

MachineSpec spec_for(const std::string& arch) {
  MachineSpec s;
  s.arch = arch;
  s.kernel = "/k/vmlinux";
  s.initrd = "/w/initramfs.cpio.zst";
  s.drives = {"/c/disk.ext4", "/c/disk.squashfs"};
  s.drives_read_only = {false, true};
  return s;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += a + " ";
  return s;
}

size_t index_of(const std::vector<std::string>& argv, const std::string& needle) {
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i].find(needle) != std::string::npos) return i;
  }
  return argv.size();
}

TEST(Vmm, QemuX86IsAMicrovmInFirecrackersShape) {
  auto argv = qemu_argv(spec_for("x86_64"));
  EXPECT_EQ(argv[0], "qemu-system-x86_64");
  std::string all = joined(argv);
  EXPECT_THAT(all, HasSubstr("-M microvm,acpi=off"));
  EXPECT_THAT(all, HasSubstr("-accel tcg"));
  EXPECT_THAT(all, HasSubstr("-cpu max"));  // RDRAND, as Firecracker passes the host's CPUID
  EXPECT_THAT(all, HasSubstr("-no-reboot"));
  EXPECT_THAT(all, HasSubstr("-nodefaults"));
  EXPECT_THAT(all, HasSubstr("-serial stdio"));
  EXPECT_THAT(all, HasSubstr("-kernel /k/vmlinux"));
  EXPECT_THAT(all, HasSubstr("-initrd /w/initramfs.cpio.zst"));
  EXPECT_THAT(all, HasSubstr("virtio-net-device,netdev=n0"));
  EXPECT_THAT(all, HasSubstr("-netdev user,id=n0,restrict=on"));
  EXPECT_THAT(all, Not(HasSubstr("-pci")));  // virtio-mmio devices only
  // vda before vdb; the ext4 disk is writable through a snapshot, squashfs read-only.
  size_t vda = index_of(argv, "id=vda,file=/c/disk.ext4");
  size_t vdb = index_of(argv, "id=vdb,file=/c/disk.squashfs");
  ASSERT_LT(vda, argv.size());
  ASSERT_LT(vdb, argv.size());
  EXPECT_LT(vda, vdb);
  EXPECT_THAT(argv[vda], HasSubstr("snapshot=on"));
  EXPECT_THAT(argv[vdb], HasSubstr("readonly=on"));
  EXPECT_THAT(argv, Contains("virtio-blk-device,drive=vda"));
  std::string cmdline = argv[index_of(argv, "-append") + 1];
  EXPECT_THAT(cmdline, HasSubstr("console=ttyS0 reboot=t panic=1 pci=off nomodule "
                                 "8250.nr_uarts=1 i8042.noaux i8042.nomux i8042.nopnp "
                                 "i8042.dumbkbd"));
  EXPECT_THAT(cmdline, HasSubstr("ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off"));
}

TEST(Vmm, QemuKvmUsesHostCpu) {
  auto s = spec_for("x86_64");
  s.accel = Accel::kvm;
  std::string all = joined(qemu_argv(s));
  EXPECT_THAT(all, HasSubstr("-accel kvm"));
  EXPECT_THAT(all, HasSubstr("-cpu host"));
}

TEST(Vmm, QemuArm64IsVirtWithPl011) {
  auto s = spec_for("arm64");
  s.extra_cmdline = "rk.probes=ext4";
  auto argv = qemu_argv(s);
  EXPECT_EQ(argv[0], "qemu-system-aarch64");
  std::string all = joined(argv);
  EXPECT_THAT(all, HasSubstr("-M virt -cpu cortex-a57"));
  // Listed backwards, so that the guest's vda is still the first drive.
  size_t vda = index_of(argv, "virtio-blk-device,drive=vda");
  size_t vdb = index_of(argv, "virtio-blk-device,drive=vdb");
  ASSERT_LT(vda, argv.size());
  ASSERT_LT(vdb, argv.size());
  EXPECT_GT(vda, vdb);
  EXPECT_THAT(all, HasSubstr("virtio-net-device"));
  std::string cmdline = argv[index_of(argv, "-append") + 1];
  EXPECT_THAT(cmdline, HasSubstr("console=ttyAMA0"));
  EXPECT_THAT(cmdline, Not(HasSubstr("ttyS0")));
  EXPECT_THAT(cmdline, HasSubstr(" rk.probes=ext4"));
}

TEST(Vmm, FirecrackerConfig) {
  auto s = spec_for("x86_64");
  s.vsock_uds = "/w/vsock.sock";
  auto cfg = nlohmann::json::parse(firecracker_config_json(s));
  EXPECT_EQ(cfg["boot-source"]["kernel_image_path"], "/k/vmlinux");
  EXPECT_EQ(cfg["boot-source"]["initrd_path"], "/w/initramfs.cpio.zst");
  std::string args = cfg["boot-source"]["boot_args"];
  EXPECT_THAT(args, HasSubstr("reboot=k"));
  EXPECT_THAT(args, Not(HasSubstr("ip=")));  // no tap, no network
  ASSERT_EQ(cfg["drives"].size(), 2u);
  EXPECT_EQ(cfg["drives"][0]["drive_id"], "vda");
  EXPECT_EQ(cfg["drives"][0]["is_read_only"], false);
  EXPECT_EQ(cfg["drives"][1]["is_read_only"], true);
  EXPECT_EQ(cfg["drives"][1]["is_root_device"], false);
  EXPECT_EQ(cfg["machine-config"]["vcpu_count"], 1);
  EXPECT_TRUE(cfg["network-interfaces"].empty());
  EXPECT_EQ(cfg["vsock"]["uds_path"], "/w/vsock.sock");

  s.tap = "tap0";
  cfg = nlohmann::json::parse(firecracker_config_json(s));
  EXPECT_EQ(cfg["network-interfaces"][0]["host_dev_name"], "tap0");
  EXPECT_THAT(cfg["boot-source"]["boot_args"].get<std::string>(), HasSubstr("ip=172.16.0.2"));
  EXPECT_THAT(joined(firecracker_argv("/w/fc.json")),
              HasSubstr("--no-api --config-file /w/fc.json --boot-timer"));
}

std::string cmdline_of(const std::vector<std::string>& argv) {
  size_t i = index_of(argv, "-append");
  return i + 1 < argv.size() ? argv[i + 1] : "";
}

// Firecracker's current default command line, less what the harness changes (8250.nr_uarts=0
// and reboot=k): the acpi and pci profiles must carry the rest word for word.
constexpr const char* kFirecrackerDefaultKept =
    "panic=1 nomodule 8250.nr_uarts=1 i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd "
    "swiotlb=noforce";

TEST(VmmProfile, MmioLegacyIsTheDefaultAndUnchanged) {
  auto s = spec_for("x86_64");
  EXPECT_EQ(s.profile, Profile::mmio_legacy);
  auto argv = qemu_argv(s);
  std::string all = joined(argv);
  EXPECT_THAT(all, HasSubstr("-M microvm,acpi=off "));
  EXPECT_THAT(argv, Contains("virtio-blk-device,drive=vda"));
  EXPECT_THAT(argv, Contains("virtio-net-device,netdev=n0"));
  EXPECT_EQ(cmdline_of(argv),
            "console=ttyS0 reboot=t panic=1 pci=off nomodule 8250.nr_uarts=1 i8042.noaux "
            "i8042.nomux i8042.nopnp i8042.dumbkbd "
            "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off");
}

TEST(VmmProfile, AcpiX86IsAMicrovmWithAcpiAndMmioDevices) {
  auto s = spec_for("x86_64");
  s.profile = Profile::acpi;
  s.extra_cmdline = "rk.probes=ext4";
  auto argv = qemu_argv(s);
  std::string all = joined(argv);
  EXPECT_THAT(all, HasSubstr("-M microvm,acpi=on,pcie=off "));
  EXPECT_THAT(all, Not(HasSubstr("acpi=off")));
  EXPECT_THAT(argv, Contains("virtio-blk-device,drive=vda"));
  EXPECT_THAT(argv, Contains("virtio-blk-device,drive=vdb"));
  EXPECT_THAT(argv, Contains("virtio-net-device,netdev=n0"));
  EXPECT_LT(index_of(argv, "drive=vda"), index_of(argv, "drive=vdb"));
  EXPECT_EQ(cmdline_of(argv), std::string("console=ttyS0 ") + kFirecrackerDefaultKept +
                                  " tsc_early_khz=2000000 "
                                  "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off rk.probes=ext4");
}

TEST(VmmProfile, PciX86HasAPcieHostBridgeAndVirtioPci) {
  auto s = spec_for("x86_64");
  s.profile = Profile::pci;
  auto argv = qemu_argv(s);
  std::string all = joined(argv);
  EXPECT_THAT(all, HasSubstr("-M microvm,acpi=on,pcie=on "));
  EXPECT_THAT(argv, Contains("virtio-blk-pci,drive=vda"));
  EXPECT_THAT(argv, Contains("virtio-blk-pci,drive=vdb"));
  EXPECT_THAT(argv, Contains("virtio-net-pci,netdev=n0"));
  EXPECT_THAT(all, Not(HasSubstr("-device virtio-blk-device")));
  EXPECT_LT(index_of(argv, "drive=vda"), index_of(argv, "drive=vdb"));
  std::string cmdline = cmdline_of(argv);
  EXPECT_THAT(cmdline, HasSubstr(std::string("console=ttyS0 ") + kFirecrackerDefaultKept));
  EXPECT_THAT(cmdline, Not(HasSubstr("pci=off")));
  EXPECT_THAT(cmdline, Not(HasSubstr("reboot=")));  // the probe powers off through ACPI
  EXPECT_THAT(cmdline, HasSubstr("tsc_early_khz="));
}

TEST(VmmProfile, TscRateOnlyUnderTcg) {
  auto s = spec_for("x86_64");
  s.profile = Profile::pci;
  s.accel = Accel::kvm;
  EXPECT_THAT(cmdline_of(qemu_argv(s)), Not(HasSubstr("tsc_early_khz")));
  s.profile = Profile::mmio_legacy;
  s.accel = Accel::tcg;
  EXPECT_THAT(cmdline_of(qemu_argv(s)), Not(HasSubstr("tsc_early_khz")));
}

TEST(VmmProfile, PciArm64KeepsDriveOrderAndVirtBoard) {
  auto s = spec_for("arm64");
  s.profile = Profile::pci;
  auto argv = qemu_argv(s);
  EXPECT_THAT(joined(argv), HasSubstr("-M virt -cpu cortex-a57"));
  size_t vda = index_of(argv, "virtio-blk-pci,drive=vda");
  size_t vdb = index_of(argv, "virtio-blk-pci,drive=vdb");
  ASSERT_LT(vda, argv.size());
  ASSERT_LT(vdb, argv.size());
  EXPECT_LT(vda, vdb);  // PCI slots follow option order: no reversal as with virtio-mmio
  EXPECT_THAT(argv, Contains("virtio-net-pci,netdev=n0"));
  EXPECT_EQ(cmdline_of(argv),
            "console=ttyAMA0 panic=1 nomodule ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off");
}

TEST(VmmProfile, ProfilesDifferFromEachOther) {
  // Negative control: the per-profile checks above would pass vacuously if every profile
  // produced the mmio-legacy argv.
  auto s = spec_for("x86_64");
  std::vector<std::string> seen;
  for (const auto& p : profile_specs()) {
    s.profile = p.profile;
    std::string all = joined(qemu_argv(s));
    EXPECT_THAT(seen, Not(Contains(all))) << p.name;
    seen.push_back(all);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(VmmProfile, Parse) {
  EXPECT_EQ(parse_profiles({"mmio-legacy"}), std::vector{Profile::mmio_legacy});
  EXPECT_EQ(parse_profiles({"mmio-legacy,acpi,pci"}),
            (std::vector{Profile::mmio_legacy, Profile::acpi, Profile::pci}));
  EXPECT_EQ(parse_profiles({"pci", "acpi,pci"}), (std::vector{Profile::pci, Profile::acpi}));
  for (const char* bad : {"pcie", "", "acpi,"}) {
    try {
      parse_profiles({bad});
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const VmtestError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kRequest);
      EXPECT_THAT(std::string(e.what()), HasSubstr("valid: mmio-legacy, acpi, pci"));
    }
  }
  for (const auto& p : profile_specs()) EXPECT_EQ(to_string(p.profile), p.name);
}

TEST(VmmProfile, WhereAProfileDoesNotApply) {
  EXPECT_EQ(profile_unsupported(Profile::acpi, "x86_64", Backend::qemu), std::nullopt);
  EXPECT_EQ(profile_unsupported(Profile::pci, "arm64", Backend::qemu), std::nullopt);
  EXPECT_EQ(profile_unsupported(Profile::mmio_legacy, "arm64", Backend::firecracker), std::nullopt);
  auto arm_acpi = profile_unsupported(Profile::acpi, "arm64", Backend::qemu);
  ASSERT_TRUE(arm_acpi.has_value());
  EXPECT_THAT(*arm_acpi, HasSubstr("does not apply to arm64"));
  auto fc_pci = profile_unsupported(Profile::pci, "x86_64", Backend::firecracker);
  ASSERT_TRUE(fc_pci.has_value());
  EXPECT_THAT(*fc_pci, HasSubstr("Firecracker"));
}

// A minimal ELF64 with one PT_NOTE segment, holding a PVH note or not.
std::string fake_elf(uint16_t machine, bool pvh) {
  std::string b(64 + 56, '\0');
  std::memcpy(b.data(),
              "\x7f"
              "ELF",
              4);
  b[4] = 2;
  b[5] = 1;
  b[18] = static_cast<char>(machine & 0xff);
  b[19] = static_cast<char>(machine >> 8);
  b[32] = 64;  // e_phoff
  b[54] = 56;  // e_phentsize
  b[56] = 1;   // e_phnum
  size_t ph = 64;
  b[ph] = 4;  // PT_NOTE
  std::string note(12, '\0');
  note[0] = 4;             // namesz
  note[4] = 4;             // descsz
  note[8] = pvh ? 18 : 1;  // type
  note += std::string("Xen\0", 4) + std::string("\0\0\0\x01", 4);
  b[ph + 8] = static_cast<char>(b.size());      // p_offset
  b[ph + 32] = static_cast<char>(note.size());  // p_filesz
  return b + note;
}

TEST(Vmm, KernelChecks) {
  EXPECT_EQ(check_kernel_bytes(fake_elf(62, true), "x86_64", Backend::qemu), std::nullopt);
  auto no_pvh = check_kernel_bytes(fake_elf(62, false), "x86_64", Backend::qemu);
  ASSERT_TRUE(no_pvh.has_value());
  EXPECT_THAT(*no_pvh, HasSubstr("CONFIG_PVH"));
  EXPECT_EQ(check_kernel_bytes(fake_elf(62, false), "x86_64", Backend::firecracker), std::nullopt);
  EXPECT_TRUE(check_kernel_bytes(fake_elf(183, true), "x86_64", Backend::qemu).has_value());
  EXPECT_TRUE(check_kernel_bytes("not a kernel", "x86_64", Backend::qemu).has_value());
  std::string image(64, '\0');
  std::memcpy(image.data() + 56, "ARM\x64", 4);
  EXPECT_EQ(check_kernel_bytes(image, "arm64", Backend::qemu), std::nullopt);
  EXPECT_TRUE(check_kernel_bytes(std::string(64, '\0'), "arm64", Backend::qemu).has_value());
  EXPECT_TRUE(check_kernel_bytes(image, "riscv", Backend::qemu).has_value());
  EXPECT_TRUE(check_kernel_file("/nonexistent/vmlinux", "x86_64", Backend::qemu).has_value());
}

}  // namespace
}  // namespace rk::vmtest
