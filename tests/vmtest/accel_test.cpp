#include "vmtest/accel.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rk::vmtest {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Return;

class FakeHost : public HostProbe {
 public:
  MOCK_METHOD(std::string, host_arch, (), (override));
  MOCK_METHOD(bool, kvm_device_usable, (), (override));
  MOCK_METHOD(bool, module_loaded, (const std::string&), (override));
  MOCK_METHOD(std::optional<bool>, kvm_trial, (std::string&), (override));
};

// A host where KVM works: x86_64, /dev/kvm usable, no kvm_pvm, trial succeeds.
void healthy(FakeHost& h) {
  ON_CALL(h, host_arch()).WillByDefault(Return("x86_64"));
  ON_CALL(h, kvm_device_usable()).WillByDefault(Return(true));
  ON_CALL(h, module_loaded(_)).WillByDefault(Return(false));
  ON_CALL(h, kvm_trial(_)).WillByDefault([](std::string& why) {
    why = "kernel banner after 40 ms";
    return std::optional<bool>(true);
  });
}

TEST(Accel, KvmWhenEverythingWorks) {
  NiceMock<FakeHost> h;
  healthy(h);
  EXPECT_CALL(h, kvm_trial(_)).Times(1);
  AccelDecision d = choose_accel("x86_64", AccelPreference::automatic, h);
  EXPECT_EQ(d.accel, Accel::kvm);
  EXPECT_THAT(d.reason, HasSubstr("kernel banner"));
}

TEST(Accel, PvmMeansTcgWithoutATrial) {
  NiceMock<FakeHost> h;
  healthy(h);
  ON_CALL(h, module_loaded("kvm_pvm")).WillByDefault(Return(true));
  EXPECT_CALL(h, kvm_trial(_)).Times(0);  // no launch that would abort
  AccelDecision d = choose_accel("x86_64", AccelPreference::automatic, h);
  EXPECT_EQ(d.accel, Accel::tcg);
  EXPECT_THAT(d.reason, HasSubstr("kvm_pvm"));
}

TEST(Accel, NoDeviceMeansTcg) {
  NiceMock<FakeHost> h;
  healthy(h);
  ON_CALL(h, kvm_device_usable()).WillByDefault(Return(false));
  AccelDecision d = choose_accel("x86_64", AccelPreference::automatic, h);
  EXPECT_EQ(d.accel, Accel::tcg);
  EXPECT_THAT(d.reason, HasSubstr("/dev/kvm"));
}

TEST(Accel, ForeignArchMeansTcg) {
  NiceMock<FakeHost> h;
  healthy(h);
  EXPECT_CALL(h, kvm_trial(_)).Times(0);
  AccelDecision d = choose_accel("arm64", AccelPreference::automatic, h);
  EXPECT_EQ(d.accel, Accel::tcg);
  EXPECT_THAT(d.reason, HasSubstr("arm64 guest on a x86_64 host"));
}

TEST(Accel, FailedTrialMeansTcg) {
  NiceMock<FakeHost> h;
  healthy(h);
  ON_CALL(h, kvm_trial(_)).WillByDefault([](std::string& why) {
    why = "VMM exited with 1 (last line: KVM internal error. Suberror: 1)";
    return std::optional<bool>(false);
  });
  AccelDecision d = choose_accel("x86_64", AccelPreference::automatic, h);
  EXPECT_EQ(d.accel, Accel::tcg);
  EXPECT_THAT(d.reason, HasSubstr("KVM internal error"));
}

TEST(Accel, NoTrialPossibleTrustsTheDevice) {
  NiceMock<FakeHost> h;
  healthy(h);
  ON_CALL(h, kvm_trial(_)).WillByDefault(Return(std::nullopt));
  EXPECT_EQ(choose_accel("x86_64", AccelPreference::automatic, h).accel, Accel::kvm);
}

TEST(Accel, PreferencesOverrideDetection) {
  NiceMock<FakeHost> h;
  healthy(h);
  EXPECT_EQ(choose_accel("x86_64", AccelPreference::tcg, h).accel, Accel::tcg);
  ON_CALL(h, module_loaded("kvm_pvm")).WillByDefault(Return(true));
  EXPECT_EQ(choose_accel("x86_64", AccelPreference::kvm, h).accel, Accel::kvm);
}

TEST(Accel, ParsePreference) {
  EXPECT_EQ(parse_accel_preference("auto"), AccelPreference::automatic);
  EXPECT_EQ(parse_accel_preference("tcg"), AccelPreference::tcg);
  EXPECT_FALSE(parse_accel_preference("hvf").has_value());
}

TEST(Accel, SystemHostReportsThisMachine) {
  SystemHostProbe host;
  EXPECT_FALSE(host.host_arch().empty());
  std::string why;
  EXPECT_FALSE(host.kvm_trial(why).has_value());  // no trial callback given
}

}  // namespace
}  // namespace rk::vmtest
