#include <gtest/gtest.h>

#include "console.hpp"
#include "runner.hpp"
#include "selection.hpp"

namespace rk::probe {
namespace {

TEST(Protocol, Lines) {
  EXPECT_EQ(format_begin("0.1.0", "x86_64"), "rk-probe: begin 0.1.0 x86_64");
  EXPECT_EQ(format_boottime(123456789), "rk-probe: boottime_ns 123456789");
  EXPECT_EQ(format_result("loop", pass("loop0 attached")),
            "rk-probe: result loop pass loop0 attached");
  EXPECT_EQ(format_result("kvm", skip("no vmx")), "rk-probe: result kvm skip no vmx");
  EXPECT_EQ(format_end(3, 1, 2), "rk-probe: end 3 1 2");
}

TEST(Protocol, DetailIsOneLineAndNeverEmpty) {
  EXPECT_EQ(format_result("x", fail("a\nb\tc\n")), "rk-probe: result x fail a b c");
  EXPECT_EQ(format_result("x", pass("")), "rk-probe: result x pass -");
  std::string long_text(2000, 'z');
  std::string line = format_result("x", fail(long_text));
  EXPECT_LT(line.size(), 600u);
  EXPECT_EQ(line.substr(line.size() - 3), "...");
}

TEST(Selection, DefaultIsAllInRegistryOrder) {
  std::vector<std::string> names = {"a", "ns-user", "ns-pid", "b"};
  auto s = select_probes(names, std::nullopt);
  EXPECT_EQ(s.indices, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_TRUE(s.unknown.empty());
}

TEST(Selection, NamesPrefixesAndUnknown) {
  std::vector<std::string> names = {"a", "ns-user", "ns-pid", "b"};
  auto s = select_probes(names, std::string("b,ns-*,nope,a"));
  EXPECT_EQ(s.indices, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(s.unknown, (std::vector<std::string>{"nope"}));
  auto one = select_probes(names, std::string("ns-pid"));
  EXPECT_EQ(one.indices, (std::vector<size_t>{2}));
  auto none = select_probes(names, std::string(""));
  EXPECT_TRUE(none.indices.empty());
  auto all = select_probes(names, std::string("all"));
  EXPECT_EQ(all.indices.size(), 4u);
}

}  // namespace
}  // namespace rk::probe
