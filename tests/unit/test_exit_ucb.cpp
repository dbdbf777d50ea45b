// The `ucb` exit policy (AdaEE): in a stationary synthetic environment where one
// confidence threshold is clearly best by the reward, UCB1 ends up pulling it most.
#include "config/toml_config.hpp"
#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>
#include <edgesim/random.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace edgesim;

const std::vector<double> kThresholds{0.5, 0.6, 0.7, 0.8, 0.9, 0.95}; // the policy's defaults
// One intermediate exit after 10 ms; the final classifier after 50 ms. Continuing costs
// cost · (0.05 − 0.01)/0.05 = 0.1 · 0.8 = 0.08 of reward.
const std::vector<double> kExitTimes{0.01, 0.05};

ModelProfile one_exit_model() {
  ModelProfile model;
  model.name = "toy";
  model.layers.resize(2);
  model.exits = {{0, 1e6, 0.6}};
  model.final_accuracy = 0.9;
  return model;
}

std::unique_ptr<ExitPolicy> make(const std::string& toml_text, std::uint64_t seed = 11) {
  static const ModelProfile model = one_exit_model();
  toml::table table = toml::parse(toml_text);
  const ConfigView view = edgesim::config_view(table, "scenario.toml", "exits");
  ExitPolicyArgs args{view, model, seed, kExitTimes};
  return Registry::instance().exit_policy("ucb")->factory(args);
}

std::string error_of(const std::string& toml_text) {
  try {
    make(toml_text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The environment: exit-0 confidence falls in one of four narrow bands. Requests below
// 0.7 are always answered right by the final classifier (continuing gains 1 − c − 0.08 >
// 0); those above 0.7 always wrong (continuing loses c + 0.08). Expected reward per arm:
// 0.5 → 0.047, 0.6 → 0.084, 0.7 → 0.192, 0.8/0.9/0.95 → −0.140: threshold 0.7 is best.
struct Environment {
  Rng rng{2024};
  double confidence() {
    const double u = rng.uniform();
    const double band = u < 0.1 ? 0.45 : u < 0.2 ? 0.55 : u < 0.6 ? 0.65 : 0.75;
    return band + 0.04 * (rng.uniform() - 0.5);
  }
  static bool final_correct(double confidence) { return confidence < 0.7; }
};

// Which arm the policy drew for this request: decide() is idempotent per (request,
// exit), and with ascending thresholds the arm is the first whose own value exits.
std::size_t arm_of(ExitPolicy& policy, ExitContext ctx) {
  for (std::size_t a = 0; a < kThresholds.size(); ++a) {
    ctx.confidence = kThresholds[a];
    if (policy.decide(ctx) == ExitDecision::Exit)
      return a;
  }
  return kThresholds.size();
}

struct Pulls {
  std::vector<std::size_t> pulls = std::vector<std::size_t>(kThresholds.size(), 0);
  std::vector<std::size_t> arms; // per request
};

Pulls simulate(ExitPolicy& policy, int requests) {
  Environment env;
  Pulls run;
  for (int r = 0; r < requests; ++r) {
    ExitContext ctx;
    ctx.request_id = static_cast<std::uint64_t>(r) + 1;
    ctx.num_exits = 1;
    ctx.confidence = env.confidence();
    const ExitDecision decision = policy.decide(ctx);
    const std::size_t arm = arm_of(policy, ctx);
    EXPECT_EQ(decision, ctx.confidence >= kThresholds.at(arm) ? ExitDecision::Exit : ExitDecision::Continue);
    run.pulls[arm]++;
    run.arms.push_back(arm);
    if (decision == ExitDecision::Exit)
      policy.on_outcome({ctx.request_id, true, 0, true, 0.01, 0});
    else
      policy.on_outcome({ctx.request_id, true, 1, Environment::final_correct(ctx.confidence), 0.05, 0});
  }
  return run;
}

TEST(UcbExitPolicy, LearnsTheBestThreshold) {
  auto policy = make("policy = \"ucb\"");
  constexpr int kRequests = 20000;
  const Pulls run = simulate(*policy, kRequests);
  const auto most = static_cast<std::size_t>(std::max_element(run.pulls.begin(), run.pulls.end()) - run.pulls.begin());
  EXPECT_EQ(most, 2U) << "threshold 0.7 should be pulled most; pulls " << ::testing::PrintToString(run.pulls);
  EXPECT_GT(static_cast<double>(run.pulls[2]) / kRequests, 0.5);
  // Late in the run the best arm dominates further.
  const auto late = std::count(run.arms.end() - 2000, run.arms.end(), 2U);
  EXPECT_GT(late, 1500);
}

TEST(UcbExitPolicy, DeterministicGivenTheSeed) {
  auto a = make("policy = \"ucb\"", 5);
  auto b = make("policy = \"ucb\"", 5);
  EXPECT_EQ(simulate(*a, 3000).arms, simulate(*b, 3000).arms);
}

TEST(UcbExitPolicy, RequestsInFlightSpreadOverUntriedArms) {
  // Before any feedback every arm is tried once, not the first one six times.
  auto policy = make("policy = \"ucb\"");
  std::vector<std::size_t> pulls(kThresholds.size(), 0);
  for (std::uint64_t id = 1; id <= kThresholds.size(); ++id) {
    ExitContext ctx;
    ctx.request_id = id;
    ctx.num_exits = 1;
    ctx.confidence = 0.3;
    EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
    pulls[arm_of(*policy, ctx)]++;
  }
  EXPECT_EQ(pulls, std::vector<std::size_t>(kThresholds.size(), 1));
}

TEST(UcbExitPolicy, FinalClassifierAndUnknownOutcomes) {
  auto policy = make("policy = \"ucb\"\nthresholds = [0.9]");
  ExitContext ctx;
  ctx.num_exits = 1;
  ctx.exit_index = 1;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit);
  policy->on_outcome({12345, false, -1, false, 0, 0}); // lost before any exit: ignored
  ctx.exit_index = 0;
  ctx.request_id = 7;
  ctx.confidence = 0.95;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit);
}

TEST(UcbExitPolicy, InvalidKeysNameTheKeyPath) {
  EXPECT_NE(error_of("policy = \"ucb\"\nthresholds = []").find("exits.thresholds"), std::string::npos);
  EXPECT_NE(error_of("policy = \"ucb\"\nthresholds = [0.5, 1.5]").find("[0, 1]"), std::string::npos);
  EXPECT_NE(error_of("policy = \"ucb\"\nexploration = -1").find("exits.exploration"), std::string::npos);
  EXPECT_NE(error_of("policy = \"ucb\"\ncost = -0.1").find("exits.cost"), std::string::npos);
  EXPECT_NE(error_of("policy = \"ucb\"\narms = 3").find("unknown key"), std::string::npos);
  EXPECT_EQ(error_of("policy = \"ucb\"\nthresholds = [0.7, 0.9]\nexploration = 1.0\ncost = 0.5"), "");
}

} // namespace
