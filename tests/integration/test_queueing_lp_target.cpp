// queueing-lp meets its own loss target when its model's assumptions hold: Poisson
// arrivals into one FCFS station whose service time is the mixture of the exit times it
// optimises (tests/data/scenarios/queueing-lp-station.toml). Over a load sweep from
// where a mixture is needed (60/s) to near where only the first exit is left (140/s),
// the loss's 99 % Student-t interval over 8 replications must not lie above max_loss,
// and the policy must use its budget (not meet it by leaving early needlessly).
#include "cli_runner.hpp"

#include "validate/validation.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace edgesim {
namespace {

constexpr double kMaxLoss = 0.01;
constexpr int kReplications = 8;

std::vector<double> losses(double rate, const std::string& extra_exits) {
  test::TempDir dir;
  std::vector<double> out;
  for (int seed = 1; seed <= kReplications; ++seed) {
    const auto result = test::run_edgesim(
        {"run", EDGESIM_TEST_DATA "/scenarios/queueing-lp-station.toml", "-q", "--json", "--no-trace", "-o",
         dir.file("out.h5"), "--set", fmt::format("tenants.0.arrival.rate={}", rate), "--set",
         fmt::format("simulation.seed={}", seed), "--set",
         fmt::format("exits={{policy=\"queueing-lp\", max_loss={}, epoch=\"10s\"{}}}", kMaxLoss, extra_exits)});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    out.push_back(test::json_field(result.out, "all", "loss_ratio"));
  }
  return out;
}

class QueueingLpTarget : public ::testing::TestWithParam<double> {};

TEST_P(QueueingLpTarget, LossStaysWithinMaxLossUnderPoissonLoad) {
  const validate::Interval loss = validate::t_interval(losses(GetParam(), ""), 0.99);
  EXPECT_LE(loss.mean, kMaxLoss) << "loss " << loss.mean << " ± " << loss.half_width;
  EXPECT_GT(loss.mean, 0.5 * kMaxLoss) << "the plan should use the loss budget";
}

INSTANTIATE_TEST_SUITE_P(Rates, QueueingLpTarget, ::testing::Values(60.0, 100.0, 140.0),
                         [](const auto& info) { return fmt::format("rate_{}", static_cast<int>(info.param)); });

// Planning for the noisy epoch estimate itself (rate_margin = 0) is what loses more than
// max_loss on average: the loss is convex in the rate. The margin is what fixes it.
TEST(QueueingLpTargetMargin, PlanningForTheEstimateItselfOvershoots) {
  const validate::Interval without = validate::t_interval(losses(60.0, ", rate_margin=0"), 0.99);
  const validate::Interval with = validate::t_interval(losses(60.0, ""), 0.99);
  EXPECT_GT(without.mean, with.mean);
}

} // namespace
} // namespace edgesim
