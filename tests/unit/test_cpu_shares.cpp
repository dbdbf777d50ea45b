// CPU shares of multi-tenant hosts (core/cpu_shares.hpp): the weighted max-min division
// against hand-computed values, entitlement steps, and the cooperative epochs that tell
// a tenant what the others' load leaves it.
#include "core/cpu_shares.hpp"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <string>
#include <vector>

namespace edgesim {
namespace {

constexpr double kBusy = std::numeric_limits<double>::infinity();

TEST(ShareLeftFor, BusyOthersLeaveTheWeightedPart) {
  const std::array weights{0.5, 0.3, 0.2};
  const std::array demands{0.0, kBusy, kBusy};
  EXPECT_DOUBLE_EQ(share_left_for(0, weights, demands), 0.5);
  EXPECT_DOUBLE_EQ(share_left_for(1, weights, std::array{kBusy, 0.0, kBusy}), 0.3);
}

TEST(ShareLeftFor, IdleOrAbsentOthersLeaveEverything) {
  const std::array weights{0.5, 0.5};
  EXPECT_DOUBLE_EQ(share_left_for(0, weights, std::array{0.0, 0.0}), 1.0);
}

TEST(ShareLeftFor, LightOthersKeepWhatTheyUseAndTheRestIsRedivided) {
  // b uses 10 % (under its fair 40 %), c is busy: of the 90 % left, a and c split 5:2.
  const std::array weights{0.5, 0.4, 0.2};
  const std::array demands{0.0, 0.1, kBusy};
  EXPECT_NEAR(share_left_for(0, weights, demands), 0.9 * 0.5 / 0.7, 1e-12);
  // Water-filling takes two rounds: b (0.1) is under its part at once; then c (0.25)
  // is under its part of what is left: 0.9 x 0.2 / 0.7 = 0.257 > 0.25, so a gets 0.65.
  EXPECT_NEAR(share_left_for(0, weights, std::array{0.0, 0.1, 0.25}), 0.65, 1e-12);
}

TEST(ShareLeftFor, NeverAboveOne) {
  EXPECT_DOUBLE_EQ(share_left_for(0, std::array{1.0}, std::array{0.0}), 1.0);
}

TEST(CpuShares, NonCooperativeTellsTheEntitlementAtEachStep) {
  const std::array base{0.6, 0.4};
  CpuShares shares(MultitenantPolicy::NonCooperative, base, 2, {ShareStep{10, 0, 1, 0.3}, ShareStep{20, 0, -1, 0.8}},
                   1.0, 0.02);
  const std::array both{0, 1};
  shares.set_placement(0, both);
  shares.set_placement(1, both);
  auto initial = shares.advance(0);
  // Told the initial shares (they differ from the default 1).
  ASSERT_EQ(initial.size(), 4U);
  EXPECT_DOUBLE_EQ(shares.effective(0, 0), 0.6);
  EXPECT_DOUBLE_EQ(shares.effective(1, 1), 0.4);
  EXPECT_EQ(shares.next_time(), 10); // no epochs when non-cooperative
  auto at10 = shares.advance(10);
  ASSERT_EQ(at10.size(), 1U);
  EXPECT_EQ(at10[0].tenant, 0U);
  EXPECT_EQ(at10[0].host, 1);
  EXPECT_DOUBLE_EQ(at10[0].share, 0.3);
  EXPECT_DOUBLE_EQ(at10[0].previous, 0.6);
  EXPECT_TRUE(at10[0].entitlement && at10[0].notify);
  EXPECT_DOUBLE_EQ(shares.effective(0, 0), 0.6); // host 0 unchanged
  auto at20 = shares.advance(20);
  ASSERT_EQ(at20.size(), 2U); // every host
  EXPECT_DOUBLE_EQ(shares.effective(0, 0), 0.8);
  EXPECT_DOUBLE_EQ(shares.effective(0, 1), 0.8);
  EXPECT_EQ(shares.next_time(), std::numeric_limits<double>::infinity());
}

TEST(CpuShares, CooperativeFollowsTheOthersLoadEpochByEpoch) {
  const std::array base{0.5, 0.5};
  CpuShares shares(MultitenantPolicy::Cooperative, base, 1, {}, 2.0, 0.02);
  const std::array host{0};
  shares.set_placement(0, host);
  shares.set_placement(1, host);
  shares.advance(0);
  // Until measured, the other counts as busy.
  EXPECT_DOUBLE_EQ(shares.effective(0, 0), 0.5);
  EXPECT_EQ(shares.next_time(), 2.0);
  // Epoch 1: b started 0.4 host-seconds of work in 2 s (20 % of the host): a can count
  // on 80 %; b on what a's 60 % leaves it... a used 1.2 s, 60 %, over its fair 50 %.
  shares.add_work(1, 0, 0.4);
  shares.add_work(0, 0, 1.2);
  auto updates = shares.advance(2.0);
  EXPECT_NEAR(shares.effective(0, 0), 0.8, 1e-12);
  EXPECT_NEAR(shares.effective(1, 0), 0.5, 1e-12); // a is above its fair part: it counts as busy
  ASSERT_EQ(updates.size(), 1U);
  EXPECT_FALSE(updates[0].entitlement);
  // Epoch 2: b's load moves by less than the tolerance: nobody is told.
  shares.add_work(1, 0, 0.41);
  shares.add_work(0, 0, 1.2);
  EXPECT_TRUE(shares.advance(4.0).empty());
  EXPECT_NEAR(shares.effective(0, 0), 0.8, 1e-12);
  // Epoch 3: b is gone: a has the host.
  shares.add_work(0, 0, 1.2);
  shares.advance(6.0);
  EXPECT_DOUBLE_EQ(shares.effective(0, 0), 1.0);
}

TEST(CpuShares, APlacementMovedToANewHostCountsAsBusyThereUntilMeasured) {
  const std::array base{0.5, 0.5};
  CpuShares shares(MultitenantPolicy::Cooperative, base, 2, {}, 1.0, 0.0);
  shares.set_placement(0, std::array{0});
  shares.set_placement(1, std::array{1});
  shares.advance(0);
  EXPECT_DOUBLE_EQ(shares.effective(0, 0), 1.0); // alone on host 0
  shares.set_placement(1, std::array{0});
  shares.advance(0.5);
  EXPECT_DOUBLE_EQ(shares.effective(0, 0), 0.5);
  EXPECT_FALSE(shares.present(1, 1));
}

TEST(ShareSteps, AHostProfileTakesPrecedenceOverTheEveryHostOne) {
  Scenario scenario;
  scenario.tenants.resize(2);
  scenario.tenants[0].name = "a";
  scenario.tenants[1].name = "b";
  scenario.dynamics.shares.push_back(ShareDynamics{"a", "", {{0, 0.5}, {30, 0.2}}, "dynamics.shares.0"});
  scenario.dynamics.shares.push_back(ShareDynamics{"a", "h1", {{10, 0.9}}, "dynamics.shares.1"});
  const std::vector<std::string> hosts{"h0", "h1"};
  const auto steps = share_steps(scenario, hosts);
  ASSERT_EQ(steps.size(), 3U);
  EXPECT_EQ(steps[0].at, 0);
  EXPECT_EQ(steps[0].host, 0);
  EXPECT_EQ(steps[1].at, 10);
  EXPECT_EQ(steps[1].host, 1);
  EXPECT_EQ(steps[2].at, 30);
  EXPECT_EQ(steps[2].host, 0);
  for (const auto& step : steps)
    EXPECT_EQ(step.tenant, 0U);
}

} // namespace
} // namespace edgesim
