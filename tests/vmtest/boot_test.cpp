// Boots: the timeout and exit paths with fake VMMs (shell scripts), the probe disks, and a real
// boot of a kernel with the probe when one is available.
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"
#include "process/run.hpp"
#include "vmtest/disks.hpp"
#include "vmtest/runner.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace rk::vmtest {
namespace {

using TempDir = rk::testing::TempDir;

std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  fs::path p = dir.path() / name;
  std::ofstream(p) << "#!/bin/sh\n" << body;
  fs::permissions(p, fs::perms(0755));
  return p.string();
}

TEST(FakeVmm, TimeoutKillsTheVmmAndReportsTheLastLines) {
  TempDir dir;
  // Prints 30 kernel-ish lines, then hangs (in a child process too, which must die as well).
  std::string vmm = script(dir, "hang.sh",
                           "i=1; while [ $i -le 30 ]; do echo \"[    0.$i] kernel line $i\"; "
                           "i=$((i+1)); done\nsleep 60 &\nsleep 60\n");
  auto start = std::chrono::steady_clock::now();
  BootRecord b = run_boot({vmm}, 1500ms);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 5s);
  EXPECT_EQ(b.outcome, BootOutcome::timeout);
  EXPECT_THAT(b.error, HasSubstr("kernel did not reach init"));
  ASSERT_EQ(b.console.tail.size(), 20u);
  EXPECT_EQ(b.console.tail.front(), "[    0.11] kernel line 11");
  EXPECT_EQ(b.console.tail.back(), "[    0.30] kernel line 30");
  EXPECT_FALSE(b.console.begun);
}

TEST(FakeVmm, TimeoutAfterInitSaysTheProbeDidNotFinish) {
  TempDir dir;
  std::string vmm = script(dir, "stuck.sh",
                           "echo 'rk-probe: begin 1 x86_64'\necho 'rk-probe: boottime_ns 5'\n"
                           "exec sleep 60\n");
  BootRecord b = run_boot({vmm}, 1000ms);
  EXPECT_EQ(b.outcome, BootOutcome::timeout);
  EXPECT_THAT(b.error, HasSubstr("probe did not finish"));
  EXPECT_TRUE(b.host_ms_to_begin.has_value());
}

TEST(FakeVmm, CompletedRunStopsWithoutWaitingForTheTimeout) {
  TempDir dir;
  // The probe ends but the "VM" never exits: the grace period ends it, not the timeout.
  std::string vmm = script(dir, "done.sh",
                           "echo 'Linux version 6.1'\necho 'rk-probe: begin 1 x86_64'\n"
                           "echo 'rk-probe: boottime_ns 98000000'\n"
                           "echo 'rk-probe: result ext4 pass ok'\necho 'rk-probe: end 1 0 0'\n"
                           "exec sleep 60\n");
  auto start = std::chrono::steady_clock::now();
  BootRecord b = run_boot({vmm}, 30s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(b.outcome, BootOutcome::completed);
  EXPECT_EQ(b.error, "");
  EXPECT_EQ(b.console.results.size(), 1u);
  EXPECT_EQ(*b.console.boottime_ns, 98000000u);
}

TEST(FakeVmm, VmmExitBeforeInit) {
  TempDir dir;
  std::string vmm = script(dir, "dies.sh", "echo 'qemu: could not load kernel'\nexit 1\n");
  BootRecord b = run_boot({vmm}, 10s);
  EXPECT_EQ(b.outcome, BootOutcome::vmm_exit);
  EXPECT_EQ(b.vmm_exit_code, 1);
  EXPECT_THAT(b.error, HasSubstr("kernel did not reach init: VMM exited with 1"));
  EXPECT_THAT(b.error, HasSubstr("could not load kernel"));
}

TEST(FakeVmm, PanicEndsTheBoot) {
  TempDir dir;
  std::string vmm = script(dir, "panic.sh",
                           "echo '[ 0.3] Kernel panic - not syncing: No working init found'\n"
                           "exec sleep 60\n");
  BootRecord b = run_boot({vmm}, 30s);
  EXPECT_EQ(b.outcome, BootOutcome::panic);
  EXPECT_THAT(b.error, HasSubstr("kernel did not reach init: "));
  EXPECT_THAT(b.error, HasSubstr("No working init found"));
  EXPECT_LT(b.wall_ms, 10000);
}

TEST(FakeVmm, MissingVmm) {
  BootRecord b = run_boot({"rk-no-such-vmm"}, 1s);
  EXPECT_EQ(b.outcome, BootOutcome::start_failed);
  EXPECT_THAT(b.error, HasSubstr("not found on PATH"));
}

// A host that must not be asked anything: a profile that does not apply is skipped before the
// accelerator is chosen.
class UnaskedHost : public HostProbe {
 public:
  std::string host_arch() override { return fail("host_arch"), "x86_64"; }
  bool kvm_device_usable() override { return fail("kvm_device_usable"), false; }
  bool module_loaded(const std::string&) override { return fail("module_loaded"), false; }
  std::optional<bool> kvm_trial(std::string&) override { return fail("kvm_trial"), false; }

 private:
  static void fail(const char* what) { ADD_FAILURE() << "host asked " << what; }
};

TEST(Profiles, AProfileThatDoesNotApplyIsASkipNotABoot) {
  TempDir dir;
  TestRequest req;
  req.variant = "6.1-arm64/acpi";
  req.arch = "arm64";
  req.kernel = script(dir, "Image", "");
  req.probe_binary = script(dir, "probe", "");
  req.work_dir = (dir.path() / "work").string();
  req.cache_dir = (dir.path() / "cache").string();
  req.profile = Profile::acpi;
  UnaskedHost host;
  VariantReport r = run_variant(req, host);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.profile, "acpi");
  EXPECT_THAT(r.skipped, HasSubstr("does not apply to arm64"));
  EXPECT_TRUE(r.boots.empty());
  EXPECT_FALSE(fs::exists(req.work_dir));  // nothing prepared
  // Negative control: the same request for pci applies, so it goes on to prepare a boot (and
  // asks the host, which this fake refuses: the failures are expected here).
  req.profile = Profile::pci;
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    try {
      VariantReport pci = run_variant(req, host);
      EXPECT_TRUE(pci.skipped.empty());
    } catch (const std::exception&) {
      // The fake kernel or missing disk tools stop it later: it was not skipped.
    }
  }
  EXPECT_TRUE(fs::exists(req.work_dir));
}

TEST(Disks, ProbeDisksHoldProbeTxt) {
  if (process::find_executable("mkfs.ext4").empty() ||
      process::find_executable("mksquashfs").empty()) {
    GTEST_SKIP() << "needs mkfs.ext4 (e2fsprogs) and mksquashfs (squashfs-tools)";
  }
  TempDir dir;
  ProbeDisks d = prepare_probe_disks((dir.path() / "cache").string());
  ASSERT_TRUE(fs::exists(d.ext4));
  ASSERT_TRUE(fs::exists(d.squashfs));
  auto run = [](std::vector<std::string> argv) {
    std::string out;
    process::Handlers cb;
    cb.on_output = [&](std::string_view s) {
      out.append(s);
      return process::Verdict::keep_going;
    };
    process::run({std::move(argv), "", {}}, cb, {});
    return out;
  };
  if (!process::find_executable("debugfs").empty()) {
    EXPECT_THAT(run({"debugfs", "-R", "cat /probe.txt", d.ext4}),
                HasSubstr("runner-kernel probe disk\n"));
  }
  if (!process::find_executable("unsquashfs").empty()) {
    EXPECT_THAT(run({"unsquashfs", "-cat", d.squashfs, "probe.txt"}),
                HasSubstr("runner-kernel probe disk\n"));
  }
  // Cached: a second call reuses the same files.
  auto mtime = fs::last_write_time(d.ext4);
  ProbeDisks again = prepare_probe_disks((dir.path() / "cache").string());
  EXPECT_EQ(fs::last_write_time(again.ext4), mtime);
  // Reproducible squashfs: a fresh cache makes the same bytes (ext4 keeps the source files'
  // ctime, which cannot be set, so only its content is compared above).
  ProbeDisks other = prepare_probe_disks((dir.path() / "cache2").string());
  auto slurp = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_TRUE(slurp(d.squashfs) == slurp(other.squashfs));
}

TEST(Disks, MissingToolNamesTheDebianPackage) {
  TempDir dir;
  std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", dir.path().c_str(), 1);
  try {
    prepare_probe_disks((dir.path() / "cache").string());
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("install the Debian package e2fsprogs"));
  }
  ::setenv("PATH", old_path.c_str(), 1);
}

// --- A real boot -----------------------------------------------------------------------

std::string first_existing(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates) {
    if (!c.empty() && fs::exists(c)) return c;
  }
  return "";
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void real_boot(const std::string& arch, const std::string& kernel_env,
               const std::string& dev_kernel) {
  std::string kernel = first_existing(
      {env_or_empty(kernel_env.c_str()), std::string(RK_SOURCE_DIR) + "/" + dev_kernel});
  if (kernel.empty()) {
    GTEST_SKIP() << "no " << arch << " kernel: set " << kernel_env << " or build " << dev_kernel;
  }
  const std::string probe_name = "rk-probe-" + arch;
  std::string upper = arch == "arm64" ? "ARM64" : "X86_64";
  std::string probe =
      first_existing({env_or_empty(("RK_TEST_PROBE_" + upper).c_str()),
                      (fs::path(RK_CLI).parent_path() / "probe" / probe_name).string(),
                      std::string(RK_SOURCE_DIR) + "/build/probe/" + probe_name});
  if (probe.empty()) {
    GTEST_SKIP() << "no probe binary " << probe_name
                 << ": build it (src/probe) or set RK_TEST_PROBE_" << upper;
  }
  std::string qemu = qemu_binary(arch);
  if (process::find_executable(qemu).empty()) GTEST_SKIP() << qemu << " not installed";
  if (process::find_executable("mkfs.ext4").empty() ||
      process::find_executable("mksquashfs").empty()) {
    GTEST_SKIP() << "needs e2fsprogs and squashfs-tools";
  }
  TempDir dir;
  TestRequest req;
  req.variant = "real-" + arch;
  req.arch = arch;
  req.kernel = kernel;
  req.probe_binary = probe;
  req.requirements.all_reported = false;
  req.boots = 1;
  std::string timeout = env_or_empty("RK_TEST_BOOT_TIMEOUT");
  req.timeout = std::chrono::seconds(timeout.empty() ? 300 : std::stoi(timeout));
  req.work_dir = (dir.path() / "work").string();
  req.cache_dir = (dir.path() / "cache").string();
  req.backend = Backend::qemu;
  SystemHostProbe host;
  VariantReport r = run_variant(req, host);
  std::string table = render_table({r});
  std::cout << table;
  ASSERT_EQ(r.boots.size(), 1u);
  const BootRecord& b = r.boots[0];
  EXPECT_FALSE(r.accel_reason.empty());
  EXPECT_EQ(b.outcome, BootOutcome::completed) << b.error << "\n" << table;
  EXPECT_TRUE(b.console.begun) << table;
  EXPECT_EQ(b.console.probe_arch, arch);
  EXPECT_TRUE(b.console.boottime_ns.has_value());
  EXPECT_FALSE(b.console.results.empty());
  EXPECT_TRUE(b.console.protocol_errors.empty()) << table;
}

TEST(RealBoot, X86_64) {
  real_boot("x86_64", "RK_TEST_KERNEL_X86_64", "out/dev-kernels/6.1-x86_64/vmlinux");
}

TEST(RealBoot, Arm64) {
  real_boot("arm64", "RK_TEST_KERNEL_ARM64", "out/dev-kernels/6.1-arm64/arch/arm64/boot/Image");
}

}  // namespace
}  // namespace rk::vmtest
