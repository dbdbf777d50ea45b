// `bayesopt` exit policy without tuning runs: decide() applies the threshold rule to its
// thresholds (fixed here with bounds = [t, t], which leaves nothing to tune), and every
// configuration error is reported before anything is simulated. The tuning itself is
// tested end to end in tests/integration/test_bayesopt.cpp.
#include "config/toml_config.hpp"
#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>

#include <gtest/gtest.h>

#include <toml++/toml.h>

#include <cstdlib>
#include <string>

namespace edgesim {
namespace {

std::unique_ptr<ExitPolicy> make_bayesopt(const ModelProfile& model, const std::string& text) {
  static toml::table table;
  table = toml::parse(text);
  const ConfigView config = edgesim::config_view(table, "t.toml", "exits");
  const ExitPolicyArgs args{
      .config = config, .model = model, .seed = 1, .exit_times = {}, .scenario_file = {}, .scenario_text = {}};
  return Registry::instance().exit_policy("bayesopt")->factory(args);
}

ModelProfile three_exit_model() {
  ModelProfile model;
  model.layers = {{"a", 1, 0, 0}, {"b", 1, 0, 0}, {"c", 1, 0, 0}, {"d", 1, 0, 0}};
  model.exits = {{0, 0, 0.5}, {1, 0, 0.7}, {2, 0, 0.75}};
  model.final_accuracy = 0.8;
  return model;
}

ExitContext at_exit(std::size_t exit, double confidence) {
  ExitContext ctx;
  ctx.num_exits = 3;
  ctx.exit_index = exit;
  ctx.confidence = confidence;
  return ctx;
}

TEST(ExitBayesOpt, IsRegistered) {
  EXPECT_NE(Registry::instance().exit_policy("bayesopt"), nullptr);
}

TEST(ExitBayesOpt, DecideFollowsItsThresholds) {
  const auto model = three_exit_model();
  auto policy = make_bayesopt(model, "policy = \"bayesopt\"\nbounds = [0.8, 0.8]");
  for (std::size_t exit = 0; exit < 3; ++exit) {
    EXPECT_TRUE(policy->evaluates_exit(exit));
    EXPECT_EQ(policy->decide(at_exit(exit, 0.79)), ExitDecision::Continue) << "exit " << exit;
    EXPECT_EQ(policy->decide(at_exit(exit, 0.8)), ExitDecision::Exit) << "exit " << exit;
    EXPECT_EQ(policy->decide(at_exit(exit, 0.95)), ExitDecision::Exit) << "exit " << exit;
  }
  EXPECT_EQ(policy->decide(at_exit(3, 0.0)), ExitDecision::Exit); // the final classifier
}

TEST(ExitBayesOpt, NeverLeavesEarlyWithThresholdsAboveEveryConfidence) {
  const auto model = three_exit_model();
  auto policy = make_bayesopt(model, "policy = \"bayesopt\"\nbounds = [1.0, 1.0]");
  EXPECT_EQ(policy->decide(at_exit(0, 0.999)), ExitDecision::Continue);
  EXPECT_EQ(policy->decide(at_exit(2, 1.0)), ExitDecision::Exit);
}

TEST(ExitBayesOpt, SmallerCpuShareAcceptsProportionallyMoreDoubt) {
  const auto model = three_exit_model();
  auto policy = make_bayesopt(model, "policy = \"bayesopt\"\nbounds = [0.9, 0.9]");
  ExitContext ctx = at_exit(1, 0.85);
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
  ctx.cpu_share = 0.5; // the `threshold` rule: 1 - 0.1 / 0.5 = 0.8
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit);
  ctx.confidence = 0.79;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
}

TEST(ExitBayesOpt, InsideATuningRunItTakesTheMiddleOfItsBoundsWithoutTuning) {
  const auto model = three_exit_model();
  ASSERT_EQ(setenv("EDGESIM_BAYESOPT_CHILD", "1", 1), 0);
  auto policy = make_bayesopt(model, "policy = \"bayesopt\"\nbounds = [0.5, 0.9]");
  unsetenv("EDGESIM_BAYESOPT_CHILD");
  EXPECT_EQ(policy->decide(at_exit(0, 0.69)), ExitDecision::Continue);
  EXPECT_EQ(policy->decide(at_exit(0, 0.7)), ExitDecision::Exit);
}

TEST(ExitBayesOpt, ModelWithoutIntermediateExitsNeedsNoTuning) {
  ModelProfile model = three_exit_model();
  model.exits.clear();
  auto policy = make_bayesopt(model, "policy = \"bayesopt\"");
  ExitContext ctx;
  ctx.num_exits = 0;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit);
}

TEST(ExitBayesOpt, TuningNeedsTheScenario) {
  const auto model = three_exit_model();
  try {
    make_bayesopt(model, "policy = \"bayesopt\"");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("exits.policy"), std::string::npos) << e.what();
  }
}

TEST(ExitBayesOpt, BadKeysAreInputErrorsNamingTheKey) {
  const auto model = three_exit_model();
  const std::pair<const char*, const char*> cases[] = {
      {"bogus = 1", "exits.bogus"},
      {"iterations = 0", "exits.iterations"},
      {"iterations = 2.5", "exits.iterations"},
      {"initial = 0", "exits.initial"},
      {"iterations = 4\ninitial = 5", "exits.initial"},
      {"sim_duration = \"-1s\"", "exits.sim_duration"},
      {"sim_duration = \"soon\"", "exits.sim_duration"},
      {"sim_requests = 0", "exits.sim_requests"},
      {"target_loss = 1.5", "exits.target_loss"},
      {"loss_penalty = -1", "exits.loss_penalty"},
      {"bounds = [0.9, 0.3]", "exits.bounds"},
      {"bounds = [0.3]", "exits.bounds"},
      {"bounds = [0.3, 1.2]", "exits.bounds"},
      {"bounds = 0.5", "exits.bounds"},
      {"acquisition = \"pi\"", "exits.acquisition"},
      {"kappa = 1", "exits.kappa"}, // only with ucb
      {"acquisition = \"ucb\"\nkappa = -1", "exits.kappa"},
      {"common_random_numbers = 1", "exits.common_random_numbers"},
      {"trace = \"\"", "exits.trace"},
  };
  for (const auto& [line, key] : cases) {
    try {
      make_bayesopt(model, std::string("policy = \"bayesopt\"\n") + line);
      ADD_FAILURE() << "no error for: " << line;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << line << " -> " << e.what();
    }
  }
}

TEST(ExitBayesOpt, ValidKeysAreAccepted) {
  const auto model = three_exit_model();
  EXPECT_NO_THROW(make_bayesopt(model, "policy = \"bayesopt\"\niterations = 10\ninitial = 3\nsim_duration = \"30s\"\n"
                                       "sim_requests = 500\ntarget_loss = 0.05\nloss_penalty = 2\nbounds = [0.6, 0.6]\n"
                                       "acquisition = \"ucb\"\nkappa = 1.5\ncommon_random_numbers = false"));
}

} // namespace
} // namespace edgesim
