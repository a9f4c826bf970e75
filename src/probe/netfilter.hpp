// nfnetlink message builders for nf_tables and ctnetlink (pure, unit tested on the host).
#pragma once

#include <cstdint>
#include <string>

#include "netlink.hpp"

namespace rk::probe {

struct NftSeqs {
  uint32_t begin, table, chain, rule, end;
};

// BATCH_BEGIN, NEWTABLE ip <table>, NEWCHAIN <chain> (type nat, hook postrouting, priority
// 100), NEWRULE <chain> [masq], BATCH_END. The three middle messages ask for acks.
void build_nft_masquerade_batch(NlBuilder& b, const NftSeqs& seqs, const std::string& table,
                                const std::string& chain);
// A dump request for NFT_MSG_GET{TABLE,CHAIN,RULE} of the ip family.
void build_nft_dump(NlBuilder& b, uint32_t seq, uint8_t msg);
// A dump request for the IPv4 conntrack table.
void build_ctnetlink_dump(NlBuilder& b, uint32_t seq);

}  // namespace rk::probe
