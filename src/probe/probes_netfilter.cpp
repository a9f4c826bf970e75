// Netfilter probes: nf_tables over nfnetlink batches, legacy iptables/ip6tables tables via
// getsockopt, conntrack.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "netfilter.hpp"
#include "probes.hpp"
#include "sys.hpp"

namespace rk::probe {
namespace {

void new_netns() {
  step("unshare(CLONE_NEWNET)");
  if (::unshare(CLONE_NEWNET) != 0) fail_errno("unshare(CLONE_NEWNET)", errno);
}

NlSocket& nfnl(NlSocket& s) {
  step("socket(NETLINK_NETFILTER)");
  if (int e = s.open(NETLINK_NETFILTER)) fail_errno("socket(AF_NETLINK, NETLINK_NETFILTER)", e);
  return s;
}

std::string nft_hint(const std::string& what, int err) {
  if (what == "NEWCHAIN" && (err == ENOENT || err == EOPNOTSUPP))
    return " (nat chain type missing: NFT_NAT/nft_chain_nat)";
  if (what == "NEWRULE" && (err == ENOENT || err == EOPNOTSUPP))
    return " (masq expression missing: NFT_MASQ)";
  if (what == "BATCH_BEGIN" && err == EOPNOTSUPP) return " (nf_tables missing)";
  return "";
}

}  // namespace

Outcome probe_nftables() {
  // nf_tables state is per network namespace: a private one leaves the VM's own untouched.
  new_netns();
  NlSocket sock;
  nfnl(sock);
  NlBuilder b;
  NftSeqs seqs{sock.next_seq(), sock.next_seq(), sock.next_seq(), sock.next_seq(), sock.next_seq()};
  build_nft_masquerade_batch(b, seqs, "rkprobe", "postrouting");
  std::map<uint32_t, int> errs;
  step("send batch NEWTABLE/NEWCHAIN/NEWRULE");
  if (int e = sock.transact(b, {seqs.table, seqs.chain, seqs.rule}, errs))
    fail_errno("nf_tables batch", e);
  const std::pair<uint32_t, const char*> steps[] = {{seqs.begin, "BATCH_BEGIN"},
                                                    {seqs.table, "NEWTABLE"},
                                                    {seqs.chain, "NEWCHAIN"},
                                                    {seqs.rule, "NEWRULE"},
                                                    {seqs.end, "BATCH_END"}};
  // An error may answer any message of the batch (BATCH_BEGIN when nf_tables is missing);
  // every one of the three requests must then have been acked.
  for (auto [seq, what] : steps) {
    auto it = errs.find(seq);
    if (it != errs.end() && it->second != 0)
      fail_errno(std::string("nf_tables ") + what + nft_hint(what, it->second), it->second);
  }
  for (auto [seq, what] : steps) {
    if ((seq == seqs.table || seq == seqs.chain || seq == seqs.rule) && !errs.count(seq))
      fail_msg(std::string("nf_tables ") + what + " was not acked");
  }
  // Read everything back with dumps.
  bool table = false, chain = false, rule = false;
  std::string chain_type;
  auto dump = [&](uint8_t msg, const char* what, auto fn) {
    NlBuilder d;
    uint32_t seq = sock.next_seq();
    build_nft_dump(d, seq, msg);
    step(std::string("dump ") + what);
    if (int e = sock.dump(d, seq, fn)) fail_errno(std::string("nf_tables dump ") + what, e);
  };
  dump(NFT_MSG_GETTABLE, "tables", [&](const NlMsg& m) {
    auto a = m.attrs(sizeof(nfgenmsg));
    if (a.count(NFTA_TABLE_NAME) && a[NFTA_TABLE_NAME].str() == "rkprobe") table = true;
  });
  dump(NFT_MSG_GETCHAIN, "chains", [&](const NlMsg& m) {
    auto a = m.attrs(sizeof(nfgenmsg));
    if (!a.count(NFTA_CHAIN_NAME) || a[NFTA_CHAIN_NAME].str() != "postrouting") return;
    if (a.count(NFTA_CHAIN_TYPE)) chain_type = a[NFTA_CHAIN_TYPE].str();
    if (a.count(NFTA_CHAIN_HOOK)) {
      auto hook = attr_map(a[NFTA_CHAIN_HOOK]);
      chain = hook.count(NFTA_HOOK_HOOKNUM) &&
              hook[NFTA_HOOK_HOOKNUM].be32() == NF_INET_POST_ROUTING && chain_type == "nat";
    }
  });
  dump(NFT_MSG_GETRULE, "rules", [&](const NlMsg& m) {
    auto a = m.attrs(sizeof(nfgenmsg));
    if (!a.count(NFTA_RULE_CHAIN) || a[NFTA_RULE_CHAIN].str() != "postrouting") return;
    if (!a.count(NFTA_RULE_EXPRESSIONS)) return;
    for (const NlAttr& elem :
         parse_attrs(a[NFTA_RULE_EXPRESSIONS].data, a[NFTA_RULE_EXPRESSIONS].len)) {
      auto e = attr_map(elem);
      if (e.count(NFTA_EXPR_NAME) && e[NFTA_EXPR_NAME].str() == "masq") rule = true;
    }
  });
  require(table, "table rkprobe not in the table dump");
  require(chain, "nat postrouting chain not in the chain dump (type '" + chain_type + "')");
  require(rule, "masquerade rule not in the rule dump");
  return pass(
      "table ip rkprobe, nat chain postrouting, masquerade rule created in one batch and "
      "read back");
}

namespace {

template <class Info>
std::string get_tables(int family, int level, int opt, const std::vector<std::string>& tables,
                       const char* tool) {
  Fd fd(::socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
  if (!fd)
    fail_errno(
        std::string("socket(") + (family == AF_INET ? "AF_INET" : "AF_INET6") + ", SOCK_RAW)",
        errno);
  std::vector<std::string> ok, bad;
  for (const std::string& t : tables) {
    step(std::string(tool) + " table " + t);
    Info info;
    std::memset(&info, 0, sizeof info);
    std::strncpy(info.name, t.c_str(), sizeof info.name - 1);
    socklen_t len = sizeof info;
    if (::getsockopt(fd.get(), level, opt, &info, &len) != 0) {
      int err = errno;
      std::string hint = err == ENOPROTOOPT ? ", x_tables for this family missing"
                         : err == ENOENT    ? ", table not built in"
                                            : "";
      bad.push_back(t + ": " + errno_str(err) + hint);
      continue;
    }
    char hooks[16];
    std::snprintf(hooks, sizeof hooks, "0x%x", info.valid_hooks);
    ok.push_back(t + "(hooks " + hooks + ", " + std::to_string(info.num_entries) + " entries)");
  }
  if (!bad.empty())
    fail_msg(std::string(tool) + ": " + join(bad, "; ") +
             (ok.empty() ? "" : "; ok: " + join(ok, " ")));
  return std::string(tool) + " legacy tables: " + join(ok, " ");
}

}  // namespace

Outcome probe_iptables() {
  new_netns();
  return pass(get_tables<ipt_getinfo>(AF_INET, SOL_IP, IPT_SO_GET_INFO, {"filter", "nat", "mangle"},
                                      "iptables"));
}

Outcome probe_ip6tables() {
  new_netns();
  return pass(get_tables<ip6t_getinfo>(AF_INET6, SOL_IPV6, IP6T_SO_GET_INFO, {"filter", "nat"},
                                       "ip6tables"));
}

Outcome probe_conntrack() {
  std::vector<std::string> notes;
  bool ok = false;
  step("read nf_conntrack_max");
  int err = 0;
  auto max = read_file("/proc/sys/net/netfilter/nf_conntrack_max", &err);
  if (max) {
    ok = true;
    while (!max->empty() && max->back() == '\n') max->pop_back();
    notes.push_back("nf_conntrack_max=" + *max);
  } else {
    notes.push_back("nf_conntrack_max: " + errno_str(err));
  }
  NlSocket sock;
  if (int e = sock.open(NETLINK_NETFILTER)) {
    notes.push_back("NETLINK_NETFILTER: " + errno_str(e));
  } else {
    NlBuilder b;
    uint32_t seq = sock.next_seq();
    build_ctnetlink_dump(b, seq);
    int entries = 0;
    step("ctnetlink dump");
    int derr = sock.dump(b, seq, [&](const NlMsg&) { ++entries; });
    if (derr) {
      notes.push_back("ctnetlink dump: " + errno_str(derr));
    } else {
      ok = true;
      notes.push_back("ctnetlink dump ok (" + std::to_string(entries) + " entries)");
    }
  }
  if (!ok) fail_msg("no conntrack: " + join(notes, "; "));
  return pass(join(notes, "; "));
}

}  // namespace rk::probe
