#include "cmdline.hpp"

#include <gtest/gtest.h>

namespace rk::probe {
namespace {

TEST(Cmdline, SplitsWordsAndQuotes) {
  auto w = split_cmdline("console=ttyS0  panic=-1 foo=\"a b\" bare\n");
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0], "console=ttyS0");
  EXPECT_EQ(w[2], "foo=a b");
  EXPECT_EQ(w[3], "bare");
}

TEST(Cmdline, ParamLastWinsAndBare) {
  std::string c = "rk.probes=a,b quiet rk.probes=c rk.probesx=z";
  EXPECT_EQ(cmdline_param(c, "rk.probes"), "c");
  EXPECT_EQ(cmdline_param(c, "quiet"), "");
  EXPECT_FALSE(cmdline_param(c, "ip").has_value());
  EXPECT_FALSE(cmdline_param(c, "rk.probe").has_value());
}

TEST(Cmdline, SplitList) {
  EXPECT_EQ(split_list("a,,b,", ','), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(split_list("", ',').empty());
}

TEST(Cmdline, IpParamFull) {
  auto ip = parse_ip_param("172.16.0.2::172.16.0.1:255.255.255.252:vm:eth0:off");
  EXPECT_EQ(ip.client, "172.16.0.2");
  EXPECT_EQ(ip.server, "");
  EXPECT_EQ(ip.gateway, "172.16.0.1");
  EXPECT_EQ(ip.netmask, "255.255.255.252");
  EXPECT_EQ(ip.hostname, "vm");
  EXPECT_EQ(ip.device, "eth0");
  EXPECT_EQ(ip.autoconf, "off");
  EXPECT_FALSE(ip_param_disabled(ip));
}

TEST(Cmdline, IpParamShortAndBare) {
  auto ip = parse_ip_param("10.0.2.15:10.0.2.2");
  EXPECT_EQ(ip.client, "10.0.2.15");
  EXPECT_EQ(ip.server, "10.0.2.2");
  EXPECT_EQ(ip.device, "");
  auto dhcp = parse_ip_param("dhcp");
  EXPECT_EQ(dhcp.client, "");
  EXPECT_EQ(dhcp.autoconf, "dhcp");
  EXPECT_FALSE(ip_param_disabled(dhcp));
  EXPECT_TRUE(ip_param_disabled(parse_ip_param("off")));
  EXPECT_TRUE(ip_param_disabled(parse_ip_param("none")));
}

TEST(Cmdline, NetmaskPrefix) {
  EXPECT_EQ(netmask_prefix("255.255.255.0"), 24);
  EXPECT_EQ(netmask_prefix("255.255.255.252"), 30);
  EXPECT_EQ(netmask_prefix("0.0.0.0"), 0);
  EXPECT_EQ(netmask_prefix("255.255.255.255"), 32);
  EXPECT_FALSE(netmask_prefix("255.0.255.0").has_value());
  EXPECT_FALSE(netmask_prefix("nonsense").has_value());
}

}  // namespace
}  // namespace rk::probe
