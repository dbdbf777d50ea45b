// The `knapsack` exit policy: budget B = budget_scale·x_m/λ with m = K − queue + 1 and
// x_m the overflow_risk quantile of Erlang(m, 1) (or m itself, budget = "mean"), target =
// the deepest exit whose cumulative compute time fits B, fixed at the request's first
// decision.
#include "config/toml_config.hpp"
#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using namespace edgesim;

ModelProfile three_exit_model() {
  ModelProfile model;
  model.name = "toy";
  model.layers.resize(4);
  model.exits = {{0, 1e6, 0.5}, {1, 1e6, 0.6}, {2, 1e6, 0.7}};
  model.final_accuracy = 0.8;
  return model;
}

// Cumulative compute time to each exit; index 3 is the final classifier.
const std::vector<double> kExitTimes{0.01, 0.02, 0.04, 0.08};
constexpr int kCapacity = 10;

std::unique_ptr<ExitPolicy> make(const std::string& toml_text, double mean_rate = 0) {
  static const ModelProfile model = three_exit_model();
  toml::table table = toml::parse(toml_text);
  const ConfigView view = edgesim::config_view(table, "scenario.toml", "exits");
  ExitPolicyArgs args{view, model, 7, kExitTimes};
  args.station_capacity = kCapacity;
  args.mean_arrival_rate = mean_rate;
  return Registry::instance().exit_policy("knapsack")->factory(args);
}

std::string error_of(const std::string& toml_text) {
  try {
    make(toml_text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// Walks a request through the exits as the engine does; returns where it leaves.
std::size_t exit_taken(ExitPolicy& policy, std::uint64_t id, double rate, int queue) {
  ExitContext ctx;
  ctx.request_id = id;
  ctx.num_exits = 3;
  ctx.arrival_rate = rate;
  ctx.queue_length = queue;
  for (std::size_t i = 0; i < 3; ++i) {
    if (!policy.evaluates_exit(i))
      continue;
    ctx.exit_index = i;
    if (policy.decide(ctx) == ExitDecision::Exit) {
      policy.on_outcome({id, true, static_cast<int>(i), true, 0, 0});
      return i;
    }
  }
  policy.on_outcome({id, true, 3, true, 0, 0});
  return 3;
}

TEST(KnapsackExitPolicy, ExitIsNonIncreasingInTheArrivalRate) {
  auto policy = make("policy = \"knapsack\"");
  std::uint64_t id = 0;
  std::size_t previous = 3;
  std::vector<std::size_t> taken;
  for (double rate : {0.01, 0.1, 1.0, 10.0, 50.0, 100.0, 150.0, 200.0, 300.0, 500.0, 800.0, 1e3, 1e4, 1e6}) {
    const std::size_t exit = exit_taken(*policy, ++id, rate, 1);
    EXPECT_LE(exit, previous) << "rate " << rate;
    previous = exit;
    taken.push_back(exit);
  }
  EXPECT_EQ(taken.front(), 3U) << "a light load runs the whole model";
  EXPECT_EQ(taken.back(), 0U) << "an overwhelming load leaves at the first exit";
}

TEST(KnapsackExitPolicy, BudgetFollowsTheFreeBufferPlaces) {
  auto policy = make("policy = \"knapsack\"\nbudget = \"mean\"");
  // λ = 100/s, K = 10: B = (10 − q + 1)/100.
  EXPECT_EQ(exit_taken(*policy, 1, 100, 1), 3U);  // B = 0.10 ≥ 0.08
  EXPECT_EQ(exit_taken(*policy, 2, 100, 4), 2U);  // B = 0.07: 0.04 fits, 0.08 does not
  EXPECT_EQ(exit_taken(*policy, 3, 100, 6), 2U);  // B = 0.05
  EXPECT_EQ(exit_taken(*policy, 4, 100, 9), 1U);  // B = 0.02
  EXPECT_EQ(exit_taken(*policy, 5, 100, 10), 0U); // B = 0.01
  EXPECT_EQ(exit_taken(*policy, 6, 100, 0), 3U) << "the request itself counts as in the station";
}

TEST(KnapsackExitPolicy, ScaleAndMeanRateFallback) {
  // No recent rate yet: args.mean_arrival_rate (100/s) is used.
  auto policy = make("policy = \"knapsack\"\nbudget = \"mean\"", 100);
  EXPECT_EQ(exit_taken(*policy, 1, 0, 6), 2U); // B = 0.05
  auto scaled = make("policy = \"knapsack\"\nbudget = \"mean\"\nbudget_scale = 0.5", 100);
  EXPECT_EQ(exit_taken(*scaled, 1, 0, 6), 1U); // B = 0.025
  auto unknown_rate = make("policy = \"knapsack\"");
  EXPECT_EQ(exit_taken(*unknown_rate, 1, 0, kCapacity), 3U) << "no rate at all: unbounded budget";
}

// x_m against scipy.stats.gamma.ppf(0.05, m): 0.0513 (m = 1), 1.970 (5), 5.425 (10).
TEST(KnapsackExitPolicy, QuantileBudgetIsTheOverflowingArrivalsRiskQuantile) {
  auto policy = make("policy = \"knapsack\"");
  // λ = 100/s, K = 10.
  EXPECT_EQ(exit_taken(*policy, 1, 100, 1), 2U);  // m = 10: B = 0.0543, 0.08 no longer fits
  EXPECT_EQ(exit_taken(*policy, 2, 100, 6), 0U);  // m = 5: B = 0.0197, exit 1's 0.02 just misses
  EXPECT_EQ(exit_taken(*policy, 3, 100, 10), 0U); // m = 1: B = 0.0005
  // At 25/s, m = 10 gives B = 0.217 and m = 5 gives 0.0788 (just under the final's 0.08).
  EXPECT_EQ(exit_taken(*policy, 4, 25, 1), 3U);
  EXPECT_EQ(exit_taken(*policy, 5, 25, 6), 2U);
  // A larger risk allows more: at 1/2, x_5 = 4.67 and B = 0.187 at 25/s.
  auto bolder = make("policy = \"knapsack\"\noverflow_risk = 0.5");
  EXPECT_EQ(exit_taken(*bolder, 1, 25, 6), 3U);
}

TEST(KnapsackExitPolicy, PlanIsFixedWhenTheRequestStarts) {
  auto policy = make("policy = \"knapsack\"\nbudget = \"mean\"");
  ExitContext ctx;
  ctx.request_id = 42;
  ctx.num_exits = 3;
  ctx.arrival_rate = 100;
  ctx.queue_length = 1; // B = 0.1: the final classifier
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
  ctx.exit_index = 1;
  ctx.queue_length = kCapacity; // the queue filled up meanwhile: the plan stands
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
  ctx.exit_index = 2;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
  policy->on_outcome({42, true, 3, true, 0, 0});
  ctx.exit_index = 0;
  ctx.request_id = 43;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit) << "a new request is planned with the full queue";
}

TEST(KnapsackExitPolicy, MinExitSkipsEarlierClassifiers) {
  auto policy = make("policy = \"knapsack\"\nmin_exit = 2");
  EXPECT_FALSE(policy->evaluates_exit(0));
  EXPECT_FALSE(policy->evaluates_exit(1));
  EXPECT_TRUE(policy->evaluates_exit(2));
  EXPECT_EQ(exit_taken(*policy, 1, 1e6, kCapacity), 2U) << "nothing fits: the shallowest allowed exit";
  EXPECT_EQ(exit_taken(*policy, 2, 1, 1), 3U);
}

TEST(KnapsackExitPolicy, InvalidKeysNameTheKeyPath) {
  EXPECT_NE(error_of("policy = \"knapsack\"\nbudget_scale = 0").find("exits.budget_scale"), std::string::npos);
  EXPECT_NE(error_of("policy = \"knapsack\"\nbudget_scale = -1").find("positive"), std::string::npos);
  EXPECT_NE(error_of("policy = \"knapsack\"\nmin_exit = 4").find("exits.min_exit"), std::string::npos);
  EXPECT_NE(error_of("policy = \"knapsack\"\nmin_exit = -1").find("0..3"), std::string::npos);
  EXPECT_NE(error_of("policy = \"knapsack\"\nbudgets = 1").find("unknown key"), std::string::npos);
  EXPECT_EQ(error_of("policy = \"knapsack\"\nbudget_scale = 2.5\nmin_exit = 3"), "");
  EXPECT_NE(error_of("policy = \"knapsack\"\nbudget = \"median\"").find("exits.budget: expected \"quantile\""),
            std::string::npos);
  EXPECT_NE(error_of("policy = \"knapsack\"\noverflow_risk = 1").find("exits.overflow_risk: expected a probability"),
            std::string::npos);
  EXPECT_NE(error_of("policy = \"knapsack\"\nbudget = \"mean\"\noverflow_risk = 0.1").find("exits.overflow_risk"),
            std::string::npos);
}

} // namespace
