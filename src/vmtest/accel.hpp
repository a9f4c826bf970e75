// KVM or TCG? KVM only when it really works. Some hosts have a /dev/kvm that cannot run a stock
// guest kernel: kvm_pvm (a paging-based KVM for nested use, found when the host is itself a
// VM) accepts the ioctls, then QEMU aborts or the guest faults. The decision is pure over the
// facts a HostProbe reports, so tests inject them.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "vmtest/vmm.hpp"

namespace rk::vmtest {

enum class AccelPreference { automatic, kvm, tcg };

class HostProbe {
 public:
  virtual ~HostProbe() = default;
  virtual std::string host_arch() = 0;                      // "x86_64" or "arm64"
  virtual bool kvm_device_usable() = 0;                     // /dev/kvm opens read-write
  virtual bool module_loaded(const std::string& name) = 0;  // /sys/module/<name>
  // A short launch of the real kernel under KVM: true when the guest ran (console output),
  // false when the VMM failed; nullopt when it could not be tried. `why` gets the evidence.
  virtual std::optional<bool> kvm_trial(std::string& why) = 0;
};

struct AccelDecision {
  Accel accel = Accel::tcg;
  std::string reason;  // always set: why this accelerator
};

AccelDecision choose_accel(const std::string& guest_arch, AccelPreference preference,
                           HostProbe& host);

// The real host: uname, /dev/kvm, /sys/module, and a trial launch run by the callback.
class SystemHostProbe : public HostProbe {
 public:
  using Trial = std::function<std::optional<bool>(std::string& why)>;
  explicit SystemHostProbe(Trial trial = {}) : trial_(std::move(trial)) {}
  std::string host_arch() override;
  bool kvm_device_usable() override;
  bool module_loaded(const std::string& name) override;
  std::optional<bool> kvm_trial(std::string& why) override;

 private:
  Trial trial_;
};

std::optional<AccelPreference> parse_accel_preference(const std::string& text);

}  // namespace rk::vmtest
