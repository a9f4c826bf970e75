#include "rtnl.hpp"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "probe.hpp"

namespace rk::probe {
namespace {
constexpr uint16_t kCreate = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
}

void build_new_veth(NlBuilder& b, uint32_t seq, const std::string& name, const std::string& peer) {
  b.begin(RTM_NEWLINK, kCreate, seq);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  b.put_struct(ifi);
  b.put_str(IFLA_IFNAME, name);
  size_t info = b.begin_nest(IFLA_LINKINFO);
  b.put_str(IFLA_INFO_KIND, "veth");
  size_t data = b.begin_nest(IFLA_INFO_DATA);
  size_t p = b.begin_nest(VETH_INFO_PEER);
  b.put_struct(ifi);
  b.put_str(IFLA_IFNAME, peer);
  b.end_nest(p);
  b.end_nest(data);
  b.end_nest(info);
  b.end();
}

void build_new_link_kind(NlBuilder& b, uint32_t seq, const std::string& name,
                         const std::string& kind) {
  b.begin(RTM_NEWLINK, kCreate, seq);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  b.put_struct(ifi);
  b.put_str(IFLA_IFNAME, name);
  size_t info = b.begin_nest(IFLA_LINKINFO);
  b.put_str(IFLA_INFO_KIND, kind);
  b.end_nest(info);
  b.end();
}

void build_set_master(NlBuilder& b, uint32_t seq, int ifindex, int master) {
  b.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  b.put_struct(ifi);
  b.put_u32(IFLA_MASTER, static_cast<uint32_t>(master));
  b.end();
}

void build_set_up(NlBuilder& b, uint32_t seq, int ifindex) {
  b.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  b.put_struct(ifi);
  b.end();
}

void build_new_addr4(NlBuilder& b, uint32_t seq, int ifindex, const std::string& addr, int prefix) {
  b.begin(RTM_NEWADDR, kCreate, seq);
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = static_cast<unsigned char>(prefix);
  ifa.ifa_index = static_cast<unsigned>(ifindex);
  b.put_struct(ifa);
  in_addr a{};
  inet_pton(AF_INET, addr.c_str(), &a);
  b.put_attr(IFA_LOCAL, &a, sizeof a);
  b.put_attr(IFA_ADDRESS, &a, sizeof a);
  b.end();
}

void build_dump(NlBuilder& b, uint32_t seq, uint16_t type, uint8_t family) {
  b.begin(type, NLM_F_REQUEST | NLM_F_DUMP, seq);
  if (type == RTM_GETADDR) {
    ifaddrmsg ifa{};
    ifa.ifa_family = family;
    b.put_struct(ifa);
  } else {
    ifinfomsg ifi{};
    ifi.ifi_family = family;
    b.put_struct(ifi);
  }
  b.end();
}

LinkInfo parse_link(const NlMsg& m) {
  LinkInfo l;
  if (m.payload_len < sizeof(ifinfomsg)) return l;
  ifinfomsg ifi;
  std::memcpy(&ifi, m.payload, sizeof ifi);
  l.index = ifi.ifi_index;
  l.flags = ifi.ifi_flags;
  l.type = ifi.ifi_type;
  auto attrs = m.attrs(sizeof(ifinfomsg));
  if (attrs.count(IFLA_IFNAME)) l.name = attrs[IFLA_IFNAME].str();
  if (attrs.count(IFLA_MASTER)) l.master = static_cast<int>(attrs[IFLA_MASTER].u32());
  if (attrs.count(IFLA_OPERSTATE) && attrs[IFLA_OPERSTATE].len >= 1)
    l.operstate = attrs[IFLA_OPERSTATE].data[0];
  if (attrs.count(IFLA_LINKINFO)) {
    auto info = attr_map(attrs[IFLA_LINKINFO]);
    if (info.count(IFLA_INFO_KIND)) l.kind = info[IFLA_INFO_KIND].str();
  }
  return l;
}

AddrInfo parse_addr(const NlMsg& m) {
  AddrInfo a;
  if (m.payload_len < sizeof(ifaddrmsg)) return a;
  ifaddrmsg ifa;
  std::memcpy(&ifa, m.payload, sizeof ifa);
  a.index = static_cast<int>(ifa.ifa_index);
  a.family = ifa.ifa_family;
  a.prefix = ifa.ifa_prefixlen;
  auto attrs = m.attrs(sizeof(ifaddrmsg));
  const NlAttr* addr = nullptr;
  if (attrs.count(IFA_LOCAL))
    addr = &attrs[IFA_LOCAL];
  else if (attrs.count(IFA_ADDRESS))
    addr = &attrs[IFA_ADDRESS];
  if (addr) {
    char text[INET6_ADDRSTRLEN] = {};
    if ((a.family == AF_INET && addr->len == 4) || (a.family == AF_INET6 && addr->len == 16))
      inet_ntop(a.family, addr->data, text, sizeof text);
    a.addr = text;
  }
  return a;
}

Rtnl::Rtnl() {
  if (int e = sock_.open(NETLINK_ROUTE)) fail_errno("netlink route socket", e);
}

void Rtnl::run(NlBuilder& b, uint32_t seq, const std::string& what, const std::string& kind) {
  step(what);
  int e = sock_.request(b, seq);
  if (e == EOPNOTSUPP && !kind.empty())
    fail_errno(what + " (no '" + kind + "' link kind: driver not built in)", e);
  if (e) fail_errno(what, e);
}

void Rtnl::add_veth(const std::string& name, const std::string& peer) {
  NlBuilder b;
  uint32_t seq = sock_.next_seq();
  build_new_veth(b, seq, name, peer);
  run(b, seq, "RTM_NEWLINK veth " + name + "/" + peer, "veth");
}

void Rtnl::add_link(const std::string& name, const std::string& kind) {
  NlBuilder b;
  uint32_t seq = sock_.next_seq();
  build_new_link_kind(b, seq, name, kind);
  run(b, seq, "RTM_NEWLINK " + kind + " " + name, kind);
}

void Rtnl::set_master(int ifindex, int master) {
  NlBuilder b;
  uint32_t seq = sock_.next_seq();
  build_set_master(b, seq, ifindex, master);
  run(b, seq, "RTM_NEWLINK IFLA_MASTER");
}

void Rtnl::set_up(int ifindex) {
  NlBuilder b;
  uint32_t seq = sock_.next_seq();
  build_set_up(b, seq, ifindex);
  run(b, seq, "RTM_NEWLINK up ifindex " + std::to_string(ifindex));
}

void Rtnl::add_addr4(int ifindex, const std::string& addr, int prefix) {
  NlBuilder b;
  uint32_t seq = sock_.next_seq();
  build_new_addr4(b, seq, ifindex, addr, prefix);
  run(b, seq, "RTM_NEWADDR " + addr + "/" + std::to_string(prefix));
}

std::vector<LinkInfo> Rtnl::links() {
  NlBuilder b;
  uint32_t seq = sock_.next_seq();
  build_dump(b, seq, RTM_GETLINK, AF_UNSPEC);
  std::vector<LinkInfo> out;
  step("RTM_GETLINK dump");
  int e = sock_.dump(b, seq, [&](const NlMsg& m) {
    if (m.hdr->nlmsg_type == RTM_NEWLINK) out.push_back(parse_link(m));
  });
  if (e) fail_errno("RTM_GETLINK dump", e);
  return out;
}

std::vector<AddrInfo> Rtnl::addrs(int family) {
  NlBuilder b;
  uint32_t seq = sock_.next_seq();
  build_dump(b, seq, RTM_GETADDR, static_cast<uint8_t>(family));
  std::vector<AddrInfo> out;
  step("RTM_GETADDR dump");
  int e = sock_.dump(b, seq, [&](const NlMsg& m) {
    if (m.hdr->nlmsg_type == RTM_NEWADDR) out.push_back(parse_addr(m));
  });
  if (e) fail_errno("RTM_GETADDR dump", e);
  return out;
}

int link_index(const std::vector<LinkInfo>& links, const std::string& name) {
  for (const LinkInfo& l : links)
    if (l.name == name) return l.index;
  return 0;
}

void loopback_up() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail_errno("socket(AF_INET, SOCK_DGRAM)", errno);
  ifreq ifr{};
  std::strcpy(ifr.ifr_name, "lo");
  int rc = ::ioctl(fd, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    rc = ::ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  int err = errno;
  ::close(fd);
  if (rc != 0) fail_errno("bring lo up", err);
}

}  // namespace rk::probe
