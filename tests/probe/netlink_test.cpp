#include "netlink.hpp"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <gtest/gtest.h>

#include <cstring>

#include "netfilter.hpp"
#include "rtnl.hpp"

namespace rk::probe {
namespace {

TEST(Netlink, AttributesArePaddedAndNested) {
  NlBuilder b;
  b.begin(RTM_NEWLINK, NLM_F_REQUEST, 7);
  ifinfomsg ifi{};
  b.put_struct(ifi);
  b.put_str(IFLA_IFNAME, "abc");  // 4 + 4 bytes
  size_t n = b.begin_nest(IFLA_LINKINFO);
  b.put_str(IFLA_INFO_KIND, "bridge");  // 4 + 7 -> 12
  b.end_nest(n);
  const auto& d = b.data();
  ASSERT_EQ(d.size() % 4, 0u);
  auto msgs = parse_messages(d.data(), d.size());
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].hdr->nlmsg_len, d.size());
  EXPECT_EQ(msgs[0].hdr->nlmsg_seq, 7u);
  EXPECT_EQ(d.size(), NLMSG_HDRLEN + sizeof(ifinfomsg) + 8 + (4 + 12));
  auto attrs = msgs[0].attrs(sizeof(ifinfomsg));
  EXPECT_EQ(attrs[IFLA_IFNAME].str(), "abc");
  EXPECT_EQ(attrs[IFLA_IFNAME].len, 4u);
  auto info = attr_map(attrs[IFLA_LINKINFO]);
  EXPECT_EQ(info[IFLA_INFO_KIND].str(), "bridge");
}

TEST(Netlink, VethCarriesPeerInfoAndName) {
  NlBuilder b;
  build_new_veth(b, 1, "v0", "v1");
  const auto& d = b.data();
  auto msgs = parse_messages(d.data(), d.size());
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].hdr->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  auto attrs = msgs[0].attrs(sizeof(ifinfomsg));
  EXPECT_EQ(attrs[IFLA_IFNAME].str(), "v0");
  auto info = attr_map(attrs[IFLA_LINKINFO]);
  EXPECT_EQ(info[IFLA_INFO_KIND].str(), "veth");
  auto data = attr_map(info[IFLA_INFO_DATA]);
  ASSERT_TRUE(data.count(VETH_INFO_PEER));
  const NlAttr& peer = data[VETH_INFO_PEER];
  ASSERT_GE(peer.len, sizeof(ifinfomsg));
  auto peer_attrs = attr_map(peer.data + sizeof(ifinfomsg), peer.len - sizeof(ifinfomsg));
  EXPECT_EQ(peer_attrs[IFLA_IFNAME].str(), "v1");
}

TEST(Netlink, NftBatchIsFiveMessagesWithAcksInTheMiddle) {
  NlBuilder b;
  build_nft_masquerade_batch(b, {10, 11, 12, 13, 14}, "t", "c");
  const auto& d = b.data();
  auto msgs = parse_messages(d.data(), d.size());
  ASSERT_EQ(msgs.size(), 5u);
  EXPECT_EQ(msgs[0].hdr->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
  EXPECT_EQ(msgs[4].hdr->nlmsg_type, NFNL_MSG_BATCH_END);
  EXPECT_EQ(msgs[1].hdr->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE);
  EXPECT_EQ(msgs[2].hdr->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN);
  EXPECT_EQ(msgs[3].hdr->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE);
  for (int i = 1; i <= 3; ++i) EXPECT_TRUE(msgs[i].hdr->nlmsg_flags & NLM_F_ACK);
  EXPECT_FALSE(msgs[0].hdr->nlmsg_flags & NLM_F_ACK);
  // The batch header names the nf_tables subsystem in res_id (big-endian).
  nfgenmsg g;
  std::memcpy(&g, msgs[0].payload, sizeof g);
  EXPECT_EQ(ntohs(g.res_id), NFNL_SUBSYS_NFTABLES);
  auto chain = msgs[2].attrs(sizeof(nfgenmsg));
  EXPECT_EQ(chain[NFTA_CHAIN_TYPE].str(), "nat");
  auto hook = attr_map(chain[NFTA_CHAIN_HOOK]);
  EXPECT_EQ(hook[NFTA_HOOK_HOOKNUM].be32(), 4u);  // NF_INET_POST_ROUTING
  EXPECT_EQ(hook[NFTA_HOOK_PRIORITY].be32(), 100u);
  auto rule = msgs[3].attrs(sizeof(nfgenmsg));
  auto elems = parse_attrs(rule[NFTA_RULE_EXPRESSIONS].data, rule[NFTA_RULE_EXPRESSIONS].len);
  ASSERT_EQ(elems.size(), 1u);
  EXPECT_EQ(elems[0].type, NFTA_LIST_ELEM);
  EXPECT_EQ(attr_map(elems[0])[NFTA_EXPR_NAME].str(), "masq");
}

TEST(Netlink, ParsersStopAtMalformedInput) {
  uint8_t junk[8] = {0xff, 0xff, 0, 0, 1, 0, 0, 0};
  EXPECT_TRUE(parse_messages(junk, sizeof junk).empty());
  EXPECT_TRUE(parse_attrs(junk, sizeof junk).empty());
}

TEST(Netlink, AddrParsing) {
  NlBuilder b;
  build_new_addr4(b, 3, 5, "10.1.2.3", 24);
  const auto& d = b.data();
  auto msgs = parse_messages(d.data(), d.size());
  ASSERT_EQ(msgs.size(), 1u);
  AddrInfo a = parse_addr(msgs[0]);
  EXPECT_EQ(a.index, 5);
  EXPECT_EQ(a.prefix, 24);
  EXPECT_EQ(a.addr, "10.1.2.3");
}

}  // namespace
}  // namespace rk::probe
