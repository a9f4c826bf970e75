// rtnetlink requests built by hand: links (veth, bridge), addresses, and their dumps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "netlink.hpp"

namespace rk::probe {

// Message builders (pure).
void build_new_veth(NlBuilder& b, uint32_t seq, const std::string& name, const std::string& peer);
void build_new_link_kind(NlBuilder& b, uint32_t seq, const std::string& name,
                         const std::string& kind);
void build_set_master(NlBuilder& b, uint32_t seq, int ifindex, int master);
void build_set_up(NlBuilder& b, uint32_t seq, int ifindex);
// addr is dotted IPv4.
void build_new_addr4(NlBuilder& b, uint32_t seq, int ifindex, const std::string& addr, int prefix);
void build_dump(NlBuilder& b, uint32_t seq, uint16_t type, uint8_t family);

struct LinkInfo {
  int index = 0;
  std::string name;
  unsigned flags = 0;
  unsigned short type = 0;  // ARPHRD_*
  int master = 0;
  std::string kind;  // IFLA_INFO_KIND
  uint8_t operstate = 0;
};

struct AddrInfo {
  int index = 0;
  int family = 0;
  int prefix = 0;
  std::string addr;  // textual
};

LinkInfo parse_link(const NlMsg& m);
AddrInfo parse_addr(const NlMsg& m);

// Operations on a NETLINK_ROUTE socket; each fails the probe with the errno text.
class Rtnl {
 public:
  Rtnl();
  void add_veth(const std::string& name, const std::string& peer);
  void add_link(const std::string& name, const std::string& kind);
  void set_master(int ifindex, int master);
  void set_up(int ifindex);
  void add_addr4(int ifindex, const std::string& addr, int prefix);
  std::vector<LinkInfo> links();
  std::vector<AddrInfo> addrs(int family);

 private:
  // kind: the link kind being created, for the hint when the kernel does not know it.
  void run(NlBuilder& b, uint32_t seq, const std::string& what, const std::string& kind = "");
  NlSocket sock_;
};

// ifindex of a link by name via rtnetlink data, or 0.
int link_index(const std::vector<LinkInfo>& links, const std::string& name);

// Brings lo up in the current network namespace (ioctl; used by probes that unshare CLONE_NEWNET).
void loopback_up();

}  // namespace rk::probe
