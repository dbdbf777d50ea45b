#include "config/toml_config.hpp"
#include <edgesim/policy.hpp>

#include <gtest/gtest.h>

#include <toml++/toml.h>

namespace edgesim {
namespace {

std::unique_ptr<ExitPolicy> make_threshold(const ModelProfile& model, const char* text) {
  static toml::table table;
  table = toml::parse(text);
  const ConfigView config = edgesim::config_view(table, "t.toml", "exits");
  return Registry::instance().exit_policy("threshold")->factory(ExitPolicyArgs{config, model, 1, {}});
}

ModelProfile two_exit_model() {
  ModelProfile model;
  model.layers = {{"a", 1, 0, 0}, {"b", 1, 0, 0}, {"c", 1, 0, 0}};
  model.exits = {{0, 0, 0.5}, {1, 0, 0.7}};
  model.final_accuracy = 0.8;
  return model;
}

TEST(ExitThreshold, LeavesAtTheFirstConfidentExit) {
  const auto model = two_exit_model();
  auto policy = make_threshold(model, "policy = \"threshold\"\nthresholds = [0.9, 0.8]");
  ExitContext ctx;
  ctx.num_exits = 2;
  ctx.exit_index = 0;
  ctx.confidence = 0.85;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
  ctx.exit_index = 1;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit);
}

TEST(ExitThreshold, SmallerCpuShareAcceptsProportionallyMoreDoubt) {
  const auto model = two_exit_model();
  auto policy = make_threshold(model, "policy = \"threshold\"\nthresholds = 0.9");
  ExitContext ctx;
  ctx.num_exits = 2;
  ctx.confidence = 0.85;
  ctx.cpu_share = 1.0;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
  ctx.cpu_share = 0.5; // threshold 1 - 0.1 / 0.5 = 0.8
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit);
  ctx.confidence = 0.79;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
}

} // namespace
} // namespace edgesim
