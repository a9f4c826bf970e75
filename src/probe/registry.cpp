#include "registry.hpp"

#include "probes.hpp"

namespace rk::probe {

const std::vector<ProbeDef>& probe_registry() {
  constexpr int kBudget = 10000;
  static const std::vector<ProbeDef> probes = {
      {"getrandom", probe_getrandom, kBudget},
      {"mounts", probe_mounts, kBudget},
      {"config-gz", probe_config_gz, kBudget},
      {"virtio-blk", probe_virtio_blk, kBudget},
      {"ext4", probe_ext4, kBudget},
      {"squashfs", probe_squashfs, kBudget},
      {"loop", probe_loop, kBudget},
      {"overlayfs", probe_overlayfs, kBudget},
      {"cgroup1", probe_cgroup1, kBudget},
      {"cgroup2", probe_cgroup2, kBudget},
      {"bpf", probe_bpf, kBudget},
      {"ns-user", probe_ns_user, kBudget},
      {"ns-pid", probe_ns_pid, kBudget},
      {"ns-net", probe_ns_net, kBudget},
      {"ns-mnt", probe_ns_mnt, kBudget},
      {"ns-uts", probe_ns_uts, kBudget},
      {"ns-ipc", probe_ns_ipc, kBudget},
      {"ns-cgroup", probe_ns_cgroup, kBudget},
      {"ns-time", probe_ns_time, kBudget},
      {"seccomp", probe_seccomp, kBudget},
      {"io-uring", probe_io_uring, kBudget},
      {"userfaultfd", probe_userfaultfd, kBudget},
      {"binfmt-misc", probe_binfmt_misc, kBudget},
      {"fuse", probe_fuse, kBudget},
      {"kvm", probe_kvm, kBudget},
      {"vsock", probe_vsock, kBudget},
      {"compat32", probe_compat32, kBudget},
      {"veth-bridge", probe_veth_bridge, kBudget},
      {"ipv6", probe_ipv6, kBudget},
      {"virtio-net", probe_virtio_net, kBudget},
      {"nftables", probe_nftables, kBudget},
      {"iptables", probe_iptables, kBudget},
      {"ip6tables", probe_ip6tables, kBudget},
      {"conntrack", probe_conntrack, kBudget},
  };
  return probes;
}

std::vector<std::string> probe_names() {
  std::vector<std::string> names;
  for (const ProbeDef& p : probe_registry()) names.emplace_back(p.name);
  return names;
}

}  // namespace rk::probe
