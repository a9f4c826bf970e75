#include "netfilter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

namespace rk::probe {
namespace {

void nfmsg(NlBuilder& b, uint16_t type, uint16_t flags, uint32_t seq, uint8_t family,
           uint16_t res_id) {
  b.begin(type, flags, seq);
  nfgenmsg g{};
  g.nfgen_family = family;
  g.version = NFNETLINK_V0;
  g.res_id = htons(res_id);
  b.put_struct(g);
}

constexpr uint16_t nft_type(uint8_t msg) {
  return static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | msg);
}

}  // namespace

void build_nft_masquerade_batch(NlBuilder& b, const NftSeqs& seqs, const std::string& table,
                                const std::string& chain) {
  constexpr uint16_t kCreate = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
  nfmsg(b, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seqs.begin, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
  b.end();

  nfmsg(b, nft_type(NFT_MSG_NEWTABLE), kCreate, seqs.table, NFPROTO_IPV4, 0);
  b.put_str(NFTA_TABLE_NAME, table);
  b.end();

  nfmsg(b, nft_type(NFT_MSG_NEWCHAIN), kCreate, seqs.chain, NFPROTO_IPV4, 0);
  b.put_str(NFTA_CHAIN_TABLE, table);
  b.put_str(NFTA_CHAIN_NAME, chain);
  size_t hook = b.begin_nest(NFTA_CHAIN_HOOK);
  b.put_be32(NFTA_HOOK_HOOKNUM, NF_INET_POST_ROUTING);
  b.put_be32(NFTA_HOOK_PRIORITY, 100);  // NF_IP_PRI_NAT_SRC
  b.end_nest(hook);
  b.put_str(NFTA_CHAIN_TYPE, "nat");
  b.end();

  nfmsg(b, nft_type(NFT_MSG_NEWRULE), kCreate | NLM_F_APPEND, seqs.rule, NFPROTO_IPV4, 0);
  b.put_str(NFTA_RULE_TABLE, table);
  b.put_str(NFTA_RULE_CHAIN, chain);
  size_t exprs = b.begin_nest(NFTA_RULE_EXPRESSIONS);
  size_t elem = b.begin_nest(NFTA_LIST_ELEM);
  b.put_str(NFTA_EXPR_NAME, "masq");
  b.end_nest(elem);
  b.end_nest(exprs);
  b.end();

  nfmsg(b, NFNL_MSG_BATCH_END, NLM_F_REQUEST, seqs.end, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
  b.end();
}

void build_nft_dump(NlBuilder& b, uint32_t seq, uint8_t msg) {
  nfmsg(b, nft_type(msg), NLM_F_REQUEST | NLM_F_DUMP, seq, NFPROTO_IPV4, 0);
  b.end();
}

void build_ctnetlink_dump(NlBuilder& b, uint32_t seq) {
  nfmsg(b, static_cast<uint16_t>((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET),
        NLM_F_REQUEST | NLM_F_DUMP, seq, AF_INET, 0);
  b.end();
}

}  // namespace rk::probe
