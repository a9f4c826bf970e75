// Network probes: veth + bridge over rtnetlink, IPv6 loopback UDP, and the virtio-net link
// configured by the kernel's ip= autoconfiguration.
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cmdline.hpp"
#include "probes.hpp"
#include "rtnl.hpp"
#include "sys.hpp"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000  // linux/if.h; clashes with glibc's net/if.h
#endif

namespace rk::probe {
namespace {

void new_netns() {
  step("unshare(CLONE_NEWNET)");
  if (::unshare(CLONE_NEWNET) != 0) fail_errno("unshare(CLONE_NEWNET)", errno);
}

const LinkInfo* find_link(const std::vector<LinkInfo>& links, const std::string& name) {
  for (const LinkInfo& l : links)
    if (l.name == name) return &l;
  return nullptr;
}

bool has_addr(const std::vector<AddrInfo>& addrs, int index, const std::string& addr, int prefix) {
  for (const AddrInfo& a : addrs)
    if (a.index == index && a.addr == addr && (prefix < 0 || a.prefix == prefix)) return true;
  return false;
}

std::string driver_of(const std::string& ifname) {
  char link[256] = {};
  std::string path = "/sys/class/net/" + ifname + "/device/driver";
  if (::readlink(path.c_str(), link, sizeof link - 1) <= 0) return "";
  std::string d = link;
  return d.substr(d.rfind('/') + 1);
}

}  // namespace

Outcome probe_veth_bridge() {
  // A private network namespace keeps the test links out of the VM's own.
  new_netns();
  Rtnl rt;
  rt.add_veth("rkveth0", "rkveth1");
  rt.add_link("rkbr0", "bridge");
  auto links = rt.links();
  int veth0 = link_index(links, "rkveth0"), veth1 = link_index(links, "rkveth1");
  int br = link_index(links, "rkbr0"), lo = link_index(links, "lo");
  require(veth0 && veth1 && br, "created links missing from the RTM_GETLINK dump");
  rt.set_master(veth0, br);
  rt.add_addr4(br, "10.213.0.1", 24);
  rt.add_addr4(veth1, "10.213.1.1", 24);
  for (int idx : {lo, br, veth0, veth1})
    if (idx) rt.set_up(idx);

  step("verify links");
  const LinkInfo* v0 = nullptr;
  const LinkInfo* v1 = nullptr;
  const LinkInfo* b = nullptr;
  // Carrier on a veth pair comes up through linkwatch, shortly after both ends are up.
  for (int i = 0; i < 40; ++i) {
    links = rt.links();
    v0 = find_link(links, "rkveth0");
    v1 = find_link(links, "rkveth1");
    b = find_link(links, "rkbr0");
    if (v0 && (v0->flags & IFF_LOWER_UP)) break;
    ::usleep(50 * 1000);
  }
  require(v0 && v1 && b, "links vanished");
  require(v0->kind == "veth" && v1->kind == "veth", "veth links report kind '" + v0->kind + "'");
  require(b->kind == "bridge", "bridge link reports kind '" + b->kind + "'");
  require(v0->master == br,
          "rkveth0 is not enslaved to rkbr0 (master " + std::to_string(v0->master) + ")");
  require((v0->flags & IFF_UP) && (v1->flags & IFF_UP) && (b->flags & IFF_UP), "links not up");
  require(v0->flags & IFF_LOWER_UP, "rkveth0 has no carrier with both ends up");
  step("verify addresses");
  auto addrs = rt.addrs(AF_INET);
  require(has_addr(addrs, br, "10.213.0.1", 24), "10.213.0.1/24 not on rkbr0 in RTM_GETADDR");
  require(has_addr(addrs, veth1, "10.213.1.1", 24), "10.213.1.1/24 not on rkveth1 in RTM_GETADDR");
  return pass("veth pair + bridge created, enslaved, addressed and up via rtnetlink; read back");
}

Outcome probe_ipv6() {
  new_netns();
  step("socket(AF_INET6)");
  Fd srv(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!srv) fail_errno("socket(AF_INET6, SOCK_DGRAM)", errno);
  loopback_up();
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  step("bind ::1");
  int rc = -1;
  for (int i = 0; i < 40; ++i) {  // ::1 lands on lo when it comes up
    rc = ::bind(srv.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (rc == 0 || errno != EADDRNOTAVAIL) break;
    ::usleep(50 * 1000);
  }
  if (rc != 0) fail_errno("bind [::1]:0", errno);
  socklen_t len = sizeof addr;
  check(::getsockname(srv.get(), reinterpret_cast<sockaddr*>(&addr), &len), "getsockname");
  Fd cli(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!cli) fail_errno("socket(AF_INET6) client", errno);
  step("connect + send");
  check(::connect(cli.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), "connect [::1]");
  const char msg[] = "rk-probe ipv6";
  check(::send(cli.get(), msg, sizeof msg, 0), "send to [::1]");
  step("recv");
  pollfd pfd{srv.get(), POLLIN, 0};
  if (::poll(&pfd, 1, 3000) <= 0) fail_msg("datagram sent to [::1] did not arrive within 3 s");
  char buf[64] = {};
  sockaddr_in6 from{};
  socklen_t flen = sizeof from;
  ssize_t n = ::recvfrom(srv.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
  if (n < 0) fail_errno("recvfrom", errno);
  require(n == sizeof msg && std::memcmp(buf, msg, sizeof msg) == 0, "datagram content differs");
  require(IN6_IS_ADDR_LOOPBACK(&from.sin6_addr), "datagram not from ::1");
  return pass("UDP datagram over [::1]:" + std::to_string(ntohs(addr.sin6_port)) +
              " sent and received");
}

Outcome probe_virtio_net() {
  std::string cmdline = read_file_or_fail("/proc/cmdline");
  auto ip = cmdline_param(cmdline, "ip");
  if (!ip) ip = cmdline_param(cmdline, "nfsaddrs");
  if (!ip) return skip("no ip= on the kernel command line");
  IpParam p = parse_ip_param(*ip);
  if (ip_param_disabled(p)) return skip("ip=" + *ip + " disables autoconfiguration");
  Rtnl rt;
  auto links = rt.links();
  std::sort(links.begin(), links.end(),
            [](const LinkInfo& a, const LinkInfo& b) { return a.index < b.index; });
  // The named device, else the first ethernet link backed by a device (virtual ethernet links
  // such as ifb or dummy have none), else the first ethernet link.
  const LinkInfo* dev = nullptr;
  const LinkInfo* first_ether = nullptr;
  for (const LinkInfo& l : links) {
    if (!p.device.empty()) {
      if (l.name == p.device) dev = &l;
      continue;
    }
    if (l.type != ARPHRD_ETHER || (l.flags & IFF_LOOPBACK)) continue;
    if (!first_ether) first_ether = &l;
    if (!dev && path_exists("/sys/class/net/" + l.name + "/device")) dev = &l;
  }
  if (!dev) dev = first_ether;
  if (!dev)
    fail_msg(p.device.empty() ? "no ethernet link (virtio-net driver or device missing)"
                              : "no link named " + p.device);
  std::string driver = driver_of(dev->name);
  require(driver == "virtio_net", dev->name + " driver is '" + driver + "', not virtio_net");
  require(dev->flags & IFF_UP, dev->name + " is not up");
  auto addrs = rt.addrs(AF_INET);
  if (!p.client.empty()) {
    int prefix = -1;
    if (!p.netmask.empty()) {
      auto np = netmask_prefix(p.netmask);
      if (np) prefix = *np;
    }
    if (!has_addr(addrs, dev->index, p.client, prefix)) {
      std::vector<std::string> seen;
      for (const AddrInfo& a : addrs)
        if (a.index == dev->index) seen.push_back(a.addr + "/" + std::to_string(a.prefix));
      fail_msg(dev->name + " lacks " + p.client +
               (prefix >= 0 ? "/" + std::to_string(prefix) : "") +
               " (has: " + (seen.empty() ? "none" : join(seen, " ")) + ")");
    }
    return pass(dev->name + " (virtio_net) up with " + p.client +
                (prefix >= 0 ? "/" + std::to_string(prefix) : "") + " from ip=");
  }
  for (const AddrInfo& a : addrs)
    if (a.index == dev->index)
      return pass(dev->name + " (virtio_net) up with " + a.addr + " from ip=" + p.autoconf);
  fail_msg(dev->name + " has no IPv4 address after ip=" + *ip);
}

}  // namespace rk::probe
