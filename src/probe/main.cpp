// rk-probe: /init of the boot-test initramfs. Mounts what it needs, runs the selected probes
// (each in its own child with a time budget), prints the protocol of PROTOCOL.md on the
// console and powers the VM off. As PID 1 it must never exit: after `end` it reboots or halts.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "cmdline.hpp"
#include "console.hpp"
#include "registry.hpp"
#include "runner.hpp"
#include "selection.hpp"
#include "sys.hpp"

#ifndef RK_PROBE_VERSION
#define RK_PROBE_VERSION "0"
#endif

namespace rk::probe {
namespace {

#if defined(__x86_64__)
constexpr const char* kArch = "x86_64";
#elif defined(__aarch64__)
constexpr const char* kArch = "arm64";
#else
#error "unsupported architecture"
#endif

void early_mounts() {
  mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  mount_fs("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  mount_fs("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
  mount_fs("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
  mount_fs("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

// Gives fds 0-2 a home so that nothing we open lands there by accident.
void standard_fds(int console) {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0) continue;
    if (console >= 0) ::dup2(console, fd);
  }
}

void reap_orphans() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// Whether RB_POWER_OFF can end the VM: without a power-off method the kernel halts instead and
// the VM would hang (x86 microvm without ACPI). Then reboot, which the host runs as "exit". On
// x86 a `reboot=` parameter is the host saying so too (Firecracker's ACPI has no power-off).
bool can_power_off(const std::string& cmdline) {
#if defined(__x86_64__)
  return is_dir("/sys/firmware/acpi") && !cmdline_param(cmdline, "reboot");
#else
  (void)cmdline;
  return is_dir("/sys/firmware/devicetree/base/psci") || is_dir("/sys/firmware/acpi");
#endif
}

[[noreturn]] void power_off(const std::string& cmdline) {
  ::sync();
  if (can_power_off(cmdline)) ::reboot(RB_POWER_OFF);
  ::reboot(RB_AUTOBOOT);
  ::reboot(RB_POWER_OFF);
  for (;;) ::pause();
}

int64_t boottime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

int probe_main() {
  int64_t started = boottime_ns();
  ::signal(SIGPIPE, SIG_IGN);
  early_mounts();
  Console console;
  console.open();
  standard_fds(console.fd());
  console.line(format_begin(RK_PROBE_VERSION, kArch));
  console.line(format_boottime(started));

  std::string cmdline = read_file("/proc/cmdline").value_or("");
  auto selection = select_probes(probe_names(), cmdline_param(cmdline, "rk.probes"));
  int passed = 0, failed = 0, skipped = 0;
  auto tally = [&](const std::string& name, const Outcome& o) {
    console.line(format_result(name, o));
    if (o.status == Status::kPass)
      ++passed;
    else if (o.status == Status::kSkip)
      ++skipped;
    else
      ++failed;
  };
  for (const std::string& name : selection.unknown) tally(name, fail("unknown probe"));
  const auto& probes = probe_registry();
  for (size_t i : selection.indices) {
    const ProbeDef& p = probes[i];
    Outcome o = run_isolated(p.fn, std::chrono::milliseconds(p.budget_ms));
    tally(p.name, o);
    reap_orphans();
  }
  console.line(format_end(passed, failed, skipped));
  power_off(cmdline);
}

}  // namespace rk::probe

int main() {
  // Run as something other than PID 1 (a developer trying it), it still works but must not
  // power the machine off.
  if (::getpid() != 1) {
    ::write(2, "rk-probe: must run as PID 1 (/init)\n", 36);
    return 2;
  }
  rk::probe::probe_main();
}
