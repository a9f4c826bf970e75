#include "vmtest/accel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace rk::vmtest {

AccelDecision choose_accel(const std::string& guest_arch, AccelPreference preference,
                           HostProbe& host) {
  if (preference == AccelPreference::tcg) return {Accel::tcg, "TCG requested (--accel tcg)"};
  if (preference == AccelPreference::kvm) {
    return {Accel::kvm, "KVM requested (--accel kvm), host checks skipped"};
  }
  const std::string host_arch = host.host_arch();
  if (host_arch != guest_arch) {
    return {Accel::tcg, "TCG: " + guest_arch + " guest on a " + host_arch + " host"};
  }
  if (!host.kvm_device_usable()) {
    return {Accel::tcg, "TCG: /dev/kvm is missing or not accessible read-write"};
  }
  if (host.module_loaded("kvm_pvm")) {
    return {Accel::tcg,
            "TCG: /dev/kvm is kvm_pvm (paging-based KVM), which cannot run a stock guest kernel"};
  }
  std::string why;
  std::optional<bool> trial = host.kvm_trial(why);
  if (trial && !*trial) return {Accel::tcg, "TCG: KVM trial launch failed: " + why};
  if (!trial) return {Accel::kvm, "KVM: /dev/kvm usable (no trial launch)"};
  return {Accel::kvm, "KVM: trial launch ran the guest" + (why.empty() ? "" : ": " + why)};
}

std::string SystemHostProbe::host_arch() {
  struct utsname u {};
  if (::uname(&u) != 0) return "unknown";
  std::string m = u.machine;
  if (m == "aarch64" || m == "arm64") return "arm64";
  return m;
}

bool SystemHostProbe::kvm_device_usable() {
  int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

bool SystemHostProbe::module_loaded(const std::string& name) {
  struct stat st {};
  return ::stat(("/sys/module/" + name).c_str(), &st) == 0;
}

std::optional<bool> SystemHostProbe::kvm_trial(std::string& why) {
  if (!trial_) return std::nullopt;
  return trial_(why);
}

std::optional<AccelPreference> parse_accel_preference(const std::string& text) {
  if (text == "auto") return AccelPreference::automatic;
  if (text == "kvm") return AccelPreference::kvm;
  if (text == "tcg") return AccelPreference::tcg;
  return std::nullopt;
}

}  // namespace rk::vmtest
