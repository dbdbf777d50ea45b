// The `criteria` exit policy and its rule language: truth tables of valid rules
// (precedence, parentheses, units) and the column and message of invalid ones.
#include "config/toml_config.hpp"
#include "policies/exit/criteria_expression.hpp"

#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using namespace edgesim;
using criteria::Expression;
using criteria::ParseError;

ExitContext context() {
  ExitContext ctx;
  ctx.exit_index = 1;
  ctx.num_exits = 3;
  ctx.confidence = 0.75;
  ctx.elapsed = 0.040; // 40 ms
  ctx.exit_accuracy = 0.62;
  ctx.energy_so_far = 0.002; // 2 mJ
  ctx.flops_so_far = 1.5e9;
  ctx.battery_soc = 0.25;
  ctx.queue_length = 3;
  return ctx;
}

struct Valid {
  const char* rule;
  bool expected;
};

TEST(CriteriaExpression, EvaluatesValidRules) {
  const std::vector<Valid> table{
      {"confidence > 0.7", true},
      {"confidence > 0.8", false},
      {"confidence >= 0.75", true},
      {"confidence <= 0.75", true},
      {"confidence < 0.75", false},
      {"confidence == 0.75", true},
      {"confidence != 0.75", false},
      {"confidence > 70%", true},
      {"response_time > 50ms", false},
      {"response_time > 30ms", true},
      {"response_time < 0.1s", true},
      {"response_time < 30000us", false},
      {"response_time < 1min", true},
      {"accuracy >= 0.6", true},
      {"energy > 1mJ", true},
      {"energy > 2.5mJ", false},
      {"energy < 1Wh", true},
      {"energy < 0.001J", false},
      {"flops > 1e9", true},
      {"flops > 2GFLOP", false},
      {"flops > 1500MFLOP", false},
      {"flops >= 1.5e+9", true},
      {"battery < 30%", true},
      {"battery < 0.2", false},
      {"queue >= 3", true},
      {"queue > 3", false},
      {"exit == 1", true},
      // AND binds tighter than OR: true OR (false AND false), not (true OR false) AND false.
      {"confidence > 0.7 OR queue > 5 AND battery > 50%", true},
      {"(confidence > 0.7 OR queue > 5) AND battery > 50%", false},
      // false AND false OR true  ==  (false AND false) OR true
      {"queue > 5 AND battery > 50% OR confidence > 0.7", true},
      {"queue > 5 AND (battery > 50% OR confidence > 0.7)", false},
      {"NOT confidence > 0.8", true},
      {"NOT (confidence > 0.7 OR queue > 5)", false},
      {"not confidence > 0.7 or queue == 3", true},
      {"!(queue < 3) && battery < 0.3 || exit > 2", true},
      {"confidence > 0.8 or response_time > 30ms and battery < 30%", true},
      {"((confidence > 0.8))", false},
      {"  confidence>0.7 AND queue>=3  ", true},
  };
  for (const auto& [rule, expected] : table) {
    SCOPED_TRACE(rule);
    EXPECT_EQ(Expression::parse(rule).evaluate(context()), expected);
  }
}

struct Invalid {
  const char* rule;
  std::size_t column;
  const char* fragment;
};

TEST(CriteriaExpression, RejectsInvalidRulesAtTheirColumn) {
  const std::vector<Invalid> table{
      {"", 1, "the rule is empty"},
      {"   ", 1, "the rule is empty"},
      {"confidence > 0.8 OR > 3", 21, "a metric name"},
      {"conf > 0.8", 1, "instead of \"conf\""},
      {"Confidence > 0.8", 1, "a metric name"},
      {"confidence > 0.8 OR", 20, "instead of the end of the rule"},
      {"confidence 0.8", 12, "a comparison"},
      {"confidence >", 13, "a number after \">\""},
      {"confidence > battery", 14, "a number"},
      {"(confidence > 0.8", 18, "\")\" to close the \"(\" at column 1"},
      {"confidence > 0.8)", 17, "closes no \"(\""},
      {"((queue > 1) AND (queue < 3)", 29, "\")\""},
      {"confidence > 0.8 battery < 0.3", 18, "AND, OR or the end of the rule instead of \"battery\""},
      {"confidence > 0.8 0.9", 18, "AND, OR or the end"},
      {"confidence > 50ms", 14, "a fraction in [0, 1] or a percentage"},
      {"battery < 30", 11, "a fraction in [0, 1]"},
      {"response_time > 50", 17, "a duration with its unit"},
      {"response_time > 50%", 17, "a duration"},
      {"response_time > 50xs", 19, "a unit (durations"},
      {"energy > 5", 10, "an energy with its unit"},
      {"energy > 5ms", 10, "an energy"},
      {"flops > 2GB", 10, "a unit"},
      {"flops > 2ms", 9, "a flop count"},
      {"queue > 3ms", 9, "a plain number for queue"},
      {"confidence = 0.8", 12, "\"==\" instead of \"=\""},
      {"confidence > 0.8 & queue > 1", 18, "\"&&\""},
      {"confidence > 0.8 @", 18, "instead of \"@\""},
      {"confidence > 0.7AND queue > 1", 17, "a unit (durations"},
      {"NOT", 4, "a metric name"},
      {"()", 2, "a metric name"},
  };
  for (const auto& [rule, column, fragment] : table) {
    SCOPED_TRACE(rule);
    try {
      (void)Expression::parse(rule);
      ADD_FAILURE() << "accepted";
    } catch (const ParseError& e) {
      EXPECT_EQ(e.column(), column) << e.what();
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(fmt::format("at column {} in \"{}\"", column, rule)), std::string::npos)
          << e.what();
    }
  }
}

// ----- the policy ---------------------------------------------------------------------

std::unique_ptr<ExitPolicy> make(const std::string& toml_text) {
  static const ModelProfile model = [] {
    ModelProfile m;
    m.layers.resize(4);
    m.exits = {{0, 1e6, 0.5}, {1, 1e6, 0.6}, {2, 1e6, 0.7}};
    return m;
  }();
  toml::table table = toml::parse(toml_text);
  const ConfigView view = edgesim::config_view(table, "scenario.toml", "tenants.0.exits");
  ExitPolicyArgs args{view, model, 3, {0.01, 0.02, 0.03, 0.04}};
  return Registry::instance().exit_policy("criteria")->factory(args);
}

std::string error_of(const std::string& toml_text) {
  try {
    make(toml_text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(CriteriaExitPolicy, LeavesWhereTheRuleHolds) {
  auto policy = make("policy = \"criteria\"\nrule = \"confidence > 0.8 OR battery < 20%\"");
  ExitContext ctx = context();
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Continue);
  ctx.battery_soc = 0.1; // a draining battery trades accuracy for lifetime
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit);
  ctx.battery_soc = 0.9;
  ctx.confidence = 0.85;
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit);
  ctx.confidence = 0.1;
  ctx.exit_index = 3; // the final classifier always answers
  EXPECT_EQ(policy->decide(ctx), ExitDecision::Exit);
}

TEST(CriteriaExitPolicy, SyntaxErrorsNameFileKeyAndColumn) {
  const std::string message = error_of("policy = \"criteria\"\nrule = \"confidence > 0.8 OR > 3\"");
  EXPECT_NE(message.find("scenario.toml:2: tenants.0.exits.rule: expected a metric name"), std::string::npos)
      << message;
  EXPECT_NE(message.find("at column 21 in \"confidence > 0.8 OR > 3\""), std::string::npos) << message;
  EXPECT_NE(error_of("policy = \"criteria\"").find("tenants.0.exits.rule"), std::string::npos);
  EXPECT_NE(error_of("policy = \"criteria\"\nrule = 3").find("a string"), std::string::npos);
  EXPECT_NE(error_of("policy = \"criteria\"\nrule = \"queue > 1\"\nrules = 1").find("unknown key"), std::string::npos);
}

} // namespace
