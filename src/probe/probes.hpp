// Every probe, one function each; the registry (registry.cpp) names and orders them.
#pragma once

#include "probe.hpp"

namespace rk::probe {

// probes_fs.cpp
Outcome probe_mounts();
Outcome probe_overlayfs();
Outcome probe_loop();
Outcome probe_virtio_blk();
Outcome probe_ext4();
Outcome probe_squashfs();
Outcome probe_binfmt_misc();
Outcome probe_fuse();
Outcome probe_config_gz();

// probes_cgroup.cpp
Outcome probe_cgroup1();
Outcome probe_cgroup2();
Outcome probe_bpf();

// probes_ns.cpp
Outcome probe_ns_user();
Outcome probe_ns_pid();
Outcome probe_ns_net();
Outcome probe_ns_mnt();
Outcome probe_ns_uts();
Outcome probe_ns_ipc();
Outcome probe_ns_cgroup();
Outcome probe_ns_time();

// probes_net.cpp
Outcome probe_veth_bridge();
Outcome probe_ipv6();
Outcome probe_virtio_net();

// probes_netfilter.cpp
Outcome probe_nftables();
Outcome probe_iptables();
Outcome probe_ip6tables();
Outcome probe_conntrack();

// probes_kernel.cpp
Outcome probe_getrandom();
Outcome probe_seccomp();
Outcome probe_io_uring();
Outcome probe_userfaultfd();
Outcome probe_kvm();
Outcome probe_vsock();
Outcome probe_compat32();

}  // namespace rk::probe
