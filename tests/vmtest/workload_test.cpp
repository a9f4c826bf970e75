#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "vmtest/accel.hpp"
#include "vmtest/console.hpp"
#include "vmtest/report.hpp"
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

// The report of one completed workload boot with this console.
VariantReport completed_workload(const ConsoleState& console) {
  BootRecord boot;
  boot.outcome = BootOutcome::completed;
  boot.console = console;
  VariantReport report;
  report.variant = "6.1-x86_64/workload";
  report.arch = "x86_64";
  report.boots.push_back(boot);
  return report;
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

// A workload boot's console: systemd's lines, the serial getty's prompt without a newline,
// then the agent's lines, each of which it starts with a newline (rk-agent's say()) so that it
// begins a console line whatever was printed before; a failing scenario's log follows its
// result.
const char* kWorkloadTranscript =
    "[  OK  ] Reached target multi-user.target - Multi-User System.\r\n"
    "Debian GNU/Linux forky/sid vm ttyS0\r\n"
    "vm login: \nrk-probe: begin workload-1 x86_64\n"
    "\nrk-probe: result systemd-boot pass multi-user.target active, no failed unit (41.3 s)\n"
    "\nrk-probe: result docker-run fail dockerd did not start (3.0 s)\n"
    "rk-log: docker-run: failed to start daemon: iptables not found\n"
    "\nrk-probe: end 1 1 0\n"
    "[   88.1] reboot: Restarting system\r\n";

TEST(WorkloadMachine, AgentTranscriptParsesAndAFailedScenarioFailsTheVariant) {
  ConsoleState console = parse_console(kWorkloadTranscript);
  EXPECT_TRUE(console.begun);
  EXPECT_TRUE(console.protocol_errors.empty());
  EXPECT_EQ(console.probe_arch, "x86_64");
  ASSERT_EQ(console.results.size(), 2u);
  EXPECT_EQ(console.results[0].detail, "multi-user.target active, no failed unit (41.3 s)");
  EXPECT_TRUE(console.end.has_value());

  // Without the leading newline the getty's prompt would hide the begin line.
  EXPECT_FALSE(parse_console("vm login: rk-probe: begin workload-1 x86_64\n").begun);

  VariantReport report = completed_workload(console);
  Requirements all;
  all.all_reported = true;
  all.enforce_boot_target = false;
  evaluate_variant(report, all);
  EXPECT_FALSE(report.passed);
  std::string failures;
  for (const auto& f : report.failures) failures += f + "\n";
  EXPECT_THAT(failures, HasSubstr("docker-run"));
  EXPECT_THAT(failures, Not(HasSubstr("systemd-boot")));
}

// A scenario skipped with its reason (the kernel lacks what it declares) does not fail the
// workload; a failed one does, and its rk-log lines travel with it into the table and JUnit.
TEST(WorkloadMachine, SkippedScenarioPassesAndAFailedOneKeepsItsLog) {
  ConsoleState console = parse_console(
      "\nrk-probe: begin workload-1 x86_64\n"
      "\nrk-probe: result systemd-boot pass multi-user.target active, no failed unit (41.3 s)\n"
      "\nrk-probe: result nfs skip needs CONFIG_NFSD=y (kernel has not set) (0.1 s)\n"
      "\nrk-probe: result docker-publish fail published port 8080 not reached (33.0 s)\n"
      "rk-log: docker-publish: + curl -fsS http://127.0.0.1:8080/\r\n"
      "rk-log: docker-publish: curl: (7) Failed to connect\n"
      "rk-log: malformed line without a name\n"
      "\nrk-probe: end 1 1 1\n");
  ASSERT_EQ(console.logs.count("docker-publish"), 1u);
  EXPECT_EQ(console.logs.at("docker-publish"),
            (std::vector<std::string>{"+ curl -fsS http://127.0.0.1:8080/",
                                      "curl: (7) Failed to connect"}));
  EXPECT_EQ(console.logs.size(), 1u);

  VariantReport report = completed_workload(console);
  Requirements req;
  req.all_reported = true;
  req.reported_skip_passes = true;
  req.enforce_boot_target = false;
  evaluate_variant(report, req);
  std::string failures;
  for (const auto& f : report.failures) failures += f + "\n";
  EXPECT_THAT(failures, HasSubstr("docker-publish"));
  EXPECT_THAT(failures, Not(HasSubstr("nfs")));
  std::string junit = junit_xml({report});
  EXPECT_THAT(junit, HasSubstr("<skipped message=\"skip: needs CONFIG_NFSD=y"));
  EXPECT_THAT(junit, HasSubstr("log:\n+ curl -fsS http://127.0.0.1:8080/\ncurl: (7) Failed"));
  EXPECT_THAT(render_table({report}), HasSubstr("  | curl: (7) Failed to connect"));

  // With the failed scenario passing, the skip alone leaves the variant passing.
  report.boots[0].console.results.pop_back();
  report.boots[0].console.results.push_back({"docker-publish", ProbeStatus::pass, "ok"});
  evaluate_variant(report, req);
  EXPECT_TRUE(report.passed);
  // A scenario named in `required` must pass even when skipped.
  req.required = {"nfs"};
  evaluate_variant(report, req);
  EXPECT_FALSE(report.passed);
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
