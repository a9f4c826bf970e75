// Kernel interface probes: getrandom, seccomp, io_uring, userfaultfd, KVM, vsock, 32-bit compat.
#include <sys/socket.h>  // before linux/vm_sockets.h

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <linux/vm_sockets.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "probes.hpp"
#include "sys.hpp"

namespace rk::probe {

Outcome probe_getrandom() {
  unsigned char buf[32] = {};
  ssize_t n = ::getrandom(buf, sizeof buf, GRND_NONBLOCK);
  if (n < 0 && errno == EAGAIN)
    fail_msg("getrandom(GRND_NONBLOCK) returned EAGAIN: the CRNG is not initialised yet");
  if (n < 0) fail_errno("getrandom(GRND_NONBLOCK)", errno);
  require(n == sizeof buf, "getrandom returned " + std::to_string(n) + " bytes");
  bool all_zero = true;
  for (unsigned char c : buf) all_zero = all_zero && c == 0;
  require(!all_zero, "getrandom returned 32 zero bytes");
  return pass("32 bytes with GRND_NONBLOCK, CRNG ready");
}

Outcome probe_seccomp() {
#if defined(__x86_64__)
  constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "unsupported architecture"
#endif
  std::string r = run_child([] {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      return "PR_SET_NO_NEW_PRIVS: " + errno_str(errno);
    if (::syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
      return "seccomp(SECCOMP_SET_MODE_FILTER): " + errno_str(errno);
    errno = 0;
    long ppid = ::syscall(__NR_getppid);
    if (ppid != -1 || errno != EPERM)
      return "getppid under the filter returned " + std::to_string(ppid) + " (" + errno_str(errno) +
             "), expected EPERM";
    if (::syscall(__NR_getpid) <= 0) return std::string("getpid blocked by the filter");
    std::string status = read_file("/proc/self/status").value_or("");
    if (status.find("Seccomp:\t2") == std::string::npos)
      return std::string("/proc/self/status does not show Seccomp: 2");
    return std::string();
  });
  if (!r.empty()) fail_msg(r);
  require(::syscall(__NR_getppid) > 0, "getppid fails outside the filtered process");
  return pass("filter installed with SECCOMP_SET_MODE_FILTER; getppid -> EPERM, getpid allowed");
}

Outcome probe_io_uring() {
  io_uring_params p;
  std::memset(&p, 0, sizeof p);
  step("io_uring_setup");
  int fd = static_cast<int>(::syscall(__NR_io_uring_setup, 4, &p));
  if (fd < 0) {
    int err = errno;
    std::string disabled = read_file("/proc/sys/kernel/io_uring_disabled").value_or("");
    while (!disabled.empty() && disabled.back() == '\n') disabled.pop_back();
    fail_errno(
        "io_uring_setup" + (disabled.empty() ? "" : " (kernel.io_uring_disabled=" + disabled + ")"),
        err);
  }
  Fd ring(fd);
  size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
  size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  bool single = p.features & IORING_FEAT_SINGLE_MMAP;
  if (single) sq_size = cq_size = std::max(sq_size, cq_size);
  step("mmap rings");
  void* sq = ::mmap(nullptr, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                    IORING_OFF_SQ_RING);
  if (sq == MAP_FAILED) fail_errno("mmap SQ ring", errno);
  void* cq = single ? sq
                    : ::mmap(nullptr, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                             fd, IORING_OFF_CQ_RING);
  if (cq == MAP_FAILED) fail_errno("mmap CQ ring", errno);
  auto* sqes = static_cast<io_uring_sqe*>(::mmap(nullptr, p.sq_entries * sizeof(io_uring_sqe),
                                                 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                                                 fd, IORING_OFF_SQES));
  if (sqes == MAP_FAILED) fail_errno("mmap SQEs", errno);
  auto* base_sq = static_cast<char*>(sq);
  auto* base_cq = static_cast<char*>(cq);
  auto* sq_tail = reinterpret_cast<std::atomic<uint32_t>*>(base_sq + p.sq_off.tail);
  uint32_t sq_mask = *reinterpret_cast<uint32_t*>(base_sq + p.sq_off.ring_mask);
  auto* sq_array = reinterpret_cast<uint32_t*>(base_sq + p.sq_off.array);
  auto* cq_head = reinterpret_cast<std::atomic<uint32_t>*>(base_cq + p.cq_off.head);
  auto* cq_tail = reinterpret_cast<std::atomic<uint32_t>*>(base_cq + p.cq_off.tail);
  uint32_t cq_mask = *reinterpret_cast<uint32_t*>(base_cq + p.cq_off.ring_mask);
  auto* cqes = reinterpret_cast<io_uring_cqe*>(base_cq + p.cq_off.cqes);

  uint32_t tail = sq_tail->load(std::memory_order_relaxed);
  uint32_t idx = tail & sq_mask;
  std::memset(&sqes[idx], 0, sizeof sqes[idx]);
  sqes[idx].opcode = IORING_OP_NOP;
  sqes[idx].user_data = 0x726b70726f6265;
  sq_array[idx] = idx;
  sq_tail->store(tail + 1, std::memory_order_release);
  step("io_uring_enter");
  long submitted = ::syscall(__NR_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, nullptr, 0);
  if (submitted < 0) fail_errno("io_uring_enter", errno);
  require(submitted == 1, "io_uring_enter submitted " + std::to_string(submitted));
  uint32_t head = cq_head->load(std::memory_order_relaxed);
  require(cq_tail->load(std::memory_order_acquire) != head, "no completion after io_uring_enter");
  io_uring_cqe cqe = cqes[head & cq_mask];
  cq_head->store(head + 1, std::memory_order_release);
  require(cqe.user_data == 0x726b70726f6265, "completion carries the wrong user_data");
  if (cqe.res < 0) fail_errno("NOP completion", -cqe.res);
  return pass("ring set up and mapped; NOP submitted and its completion seen");
}

Outcome probe_userfaultfd() {
  step("userfaultfd");
  int fd = static_cast<int>(::syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK));
  if (fd < 0) fail_errno("userfaultfd(2)", errno);
  Fd uffd(fd);
  uffdio_api api{};
  api.api = UFFD_API;
  check(::ioctl(fd, UFFDIO_API, &api), "UFFDIO_API");
  require(api.api == UFFD_API, "UFFDIO_API answered api " + std::to_string(api.api));
  long page = ::sysconf(_SC_PAGESIZE);
  void* area = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED) fail_errno("mmap", errno);
  step("UFFDIO_REGISTER");
  uffdio_register reg{};
  reg.range.start = reinterpret_cast<uint64_t>(area);
  reg.range.len = static_cast<uint64_t>(page);
  reg.mode = UFFDIO_REGISTER_MODE_MISSING;
  check(::ioctl(fd, UFFDIO_REGISTER, &reg), "UFFDIO_REGISTER");
  require(reg.ioctls & (1ULL << _UFFDIO_COPY), "registered range does not offer UFFDIO_COPY");
  // Fill the missing page the way a fault handler would, then read it without faulting.
  step("UFFDIO_COPY");
  std::string src(static_cast<size_t>(page), 'u');
  uffdio_copy copy{};
  copy.dst = reinterpret_cast<uint64_t>(area);
  copy.src = reinterpret_cast<uint64_t>(src.data());
  copy.len = static_cast<uint64_t>(page);
  check(::ioctl(fd, UFFDIO_COPY, &copy), "UFFDIO_COPY");
  require(static_cast<const char*>(area)[page - 1] == 'u',
          "page content after UFFDIO_COPY differs");
  return pass("userfaultfd(2) + UFFDIO_API; range registered, page filled with UFFDIO_COPY");
}

Outcome probe_kvm() {
#if !defined(__x86_64__)
  return skip("checked on x86_64 only");
#else
  if (!is_dir("/sys/module/kvm")) fail_msg("KVM not in the kernel (/sys/module/kvm missing)");
  bool vmx = cpuinfo_has_word("vmx"), svm = cpuinfo_has_word("svm");
  if (!vmx && !svm)
    return skip("KVM built in, but the CPU has neither vmx nor svm (no nested virtualisation)");
  std::string flag = vmx ? "vmx" : "svm";
  step("open /dev/kvm");
  Fd kvm(::open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (!kvm) fail_errno("CPU has " + flag + " but open /dev/kvm failed", errno);
  int version =
      static_cast<int>(check(::ioctl(kvm.get(), KVM_GET_API_VERSION, 0), "KVM_GET_API_VERSION"));
  require(version == 12, "KVM_GET_API_VERSION is " + std::to_string(version) + ", expected 12");
  step("KVM_CREATE_VM");
  Fd vm(::ioctl(kvm.get(), KVM_CREATE_VM, 0));
  if (!vm) fail_errno("KVM_CREATE_VM", errno);
  return pass("CPU has " + flag + "; /dev/kvm API version 12, KVM_CREATE_VM ok");
#endif
}

Outcome probe_vsock() {
  step("socket(AF_VSOCK)");
  Fd s(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) fail_errno("socket(AF_VSOCK, SOCK_STREAM)", errno);
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = VMADDR_CID_ANY;
  addr.svm_port = VMADDR_PORT_ANY;
  step("bind VMADDR_CID_ANY");
  check(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), "bind(VMADDR_CID_ANY)");
  // The virtio transport is what a Firecracker/QEMU guest talks through.
  bool transport = is_dir("/sys/bus/virtio/drivers/vmw_vsock_virtio_transport");
  if (!path_exists("/dev/vsock")) fail_msg("/dev/vsock missing");
  Fd dev(::open("/dev/vsock", O_RDONLY | O_CLOEXEC));
  if (!dev) fail_errno("open /dev/vsock", errno);
  unsigned cid = VMADDR_CID_ANY;
  check(::ioctl(dev.get(), IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid), "IOCTL_VM_SOCKETS_GET_LOCAL_CID");
  if (!transport && cid == VMADDR_CID_ANY)
    fail_msg("AF_VSOCK core present but no virtio vsock transport (VIRTIO_VSOCKETS)");
  std::string where = cid == VMADDR_CID_ANY ? "no vsock device attached (CID any)"
                                            : "local CID " + std::to_string(cid);
  return pass("socket + bind ok; virtio transport " + std::string(transport ? "present" : "?") +
              "; " + where);
}

#if defined(__aarch64__)
namespace {

// The kernel logs "CPU features: detected: 32-bit EL0 Support" when it is built with
// CONFIG_COMPAT and every CPU can run AArch32 at EL0 (the ID register field is hidden from
// userspace, so the log is the way to tell).
bool klog_has(const std::string& text) {
  int size = ::klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, nullptr, 0);
  if (size <= 0) return false;
  std::string buf(static_cast<size_t>(size), '\0');
  int n = ::klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf.data(), size);
  return n > 0 && buf.find(text, 0) != std::string::npos;
}

// CPUs known to implement AArch64 only: Arm Neoverse V2/V3, Cortex-X3/A715 and later, and
// Ampere's own cores (AmpereOne).
std::string aarch64_only_cpu() {
  std::string info = read_file("/proc/cpuinfo").value_or("");
  auto field = [&](const std::string& key) {
    size_t at = info.find(key);
    if (at == std::string::npos) return std::string();
    size_t colon = info.find(':', at);
    size_t end = info.find('\n', colon);
    std::string v = info.substr(colon + 1, end - colon - 1);
    v.erase(0, v.find_first_not_of(" \t"));
    return v;
  };
  std::string impl = field("CPU implementer"), part = field("CPU part");
  if (impl == "0xc0") return "Ampere core (implementer 0xc0)";
  if (impl == "0x41") {
    for (const char* p :
         {"0xd4d", "0xd4e", "0xd4f", "0xd80", "0xd81", "0xd82", "0xd84", "0xd85", "0xd87"})
      if (part == p) return "Arm core part " + part;
  }
  return "";
}

}  // namespace
#endif

Outcome probe_compat32() {
#if !defined(__aarch64__)
  return skip("checked on arm64 only");
#else
  step("personality(PER_LINUX32)");
  int old = ::personality(0xffffffff);
  if (::personality(PER_LINUX32) < 0) {
    int err = errno;
    std::string cpu = aarch64_only_cpu();
    if (err == EINVAL && !cpu.empty())
      return skip("CPU has no AArch32 at EL0 (" + cpu + "); personality(PER_LINUX32) EINVAL");
    bool detected = klog_has("32-bit EL0 Support");
    fail_errno(std::string("personality(PER_LINUX32)") +
                   (detected ? " although the kernel detected 32-bit EL0 support"
                             : " (CONFIG_COMPAT off, or a CPU without AArch32 EL0)"),
               err);
  }
  utsname u{};
  ::uname(&u);
  ::personality(static_cast<unsigned long>(old));
  std::string machine = u.machine;
  require(machine.rfind("armv", 0) == 0,
          "uname under PER_LINUX32 reports '" + machine + "' (CONFIG_COMPAT off?)");
  utsname after{};
  ::uname(&after);
  require(std::string(after.machine) == "aarch64", "personality not restored");
  return pass("PER_LINUX32 uname machine " + machine);
#endif
}

}  // namespace rk::probe
