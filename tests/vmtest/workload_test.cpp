#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "vmtest/accel.hpp"
#include "vmtest/runner.hpp"
#include "vmtest/vmm.hpp"

namespace rk::vmtest {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

TestRequest workload_request(const std::string& arch) {
  TestRequest r;
  r.arch = arch;
  r.kernel = "/k/vmlinux";
  r.root_image = "/cache/rootfs/x86_64-0123456789abcdef.ext4";
  r.vcpus = 2;
  r.mem_mib = 2048;
  r.extra_cmdline = "systemd.log_level=debug";
  r.tap = "tap0";  // a workload boot has no NIC, whatever was asked
  return r;
}

TEST(WorkloadMachine, RootImageReadWriteOnAThrowAwayOverlayNoInitrdNoNic) {
  for (const char* arch : {"x86_64", "arm64"}) {
    MachineSpec spec = workload_machine(workload_request(arch));
    std::vector<std::string> argv = qemu_argv(spec);
    std::string joined;
    for (const auto& a : argv) joined += a + "\n";
    EXPECT_THAT(joined, HasSubstr("file=/cache/rootfs/x86_64-0123456789abcdef.ext4,format=raw,"
                                  "if=none,snapshot=on"))
        << arch;
    EXPECT_THAT(argv, Not(Contains("-initrd"))) << arch;
    EXPECT_THAT(joined, Not(HasSubstr("netdev"))) << arch;
    EXPECT_THAT(argv, Contains("2048")) << arch;
    std::string line = kernel_cmdline(Backend::qemu, spec);
    EXPECT_THAT(line, HasSubstr("root=/dev/vda rw rootfstype=ext4 systemd.firstboot=off rk.agent"));
    EXPECT_THAT(line, HasSubstr("systemd.log_level=debug"));
    EXPECT_THAT(line, Not(HasSubstr("ip=")));
    // Firecracker: the same drive, read-write (each boot gets its own copy), no network.
    std::string fc = firecracker_config_json(spec);
    EXPECT_THAT(fc, HasSubstr("\"is_read_only\": false"));
    EXPECT_THAT(fc, HasSubstr("\"network-interfaces\": []"));
    EXPECT_THAT(fc, Not(HasSubstr("host_dev_name")));
    EXPECT_THAT(fc, Not(HasSubstr("initrd_path")));
  }
}

TEST(WorkloadMachine, MissingRootImageIsASetupErrorNotAProbeBoot) {
  TestRequest r = workload_request("x86_64");
  r.root_image = "/nonexistent/rootfs.ext4";
  SystemHostProbe host;
  try {
    run_variant(r, host);
    FAIL() << "ran without its root image";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("root filesystem image not found: /nonexistent/rootfs.ext4"));
  }
}

}  // namespace
}  // namespace rk::vmtest
