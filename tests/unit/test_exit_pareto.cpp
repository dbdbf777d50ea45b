// `pareto` exit policy: the frontier against brute force, the grid evaluation against a
// direct replay of the profile, each objective's choice, the switch to the cheap point
// on a low battery, and configuration errors.
#include "config/toml_config.hpp"
#include "policies/exit/pareto_frontier.hpp"

#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>
#include <edgesim/random.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {

using edgesim::pareto::Candidate;
using edgesim::pareto::Goal;
using edgesim::pareto::Metrics;
using edgesim::pareto::Objective;

constexpr double kInf = std::numeric_limits<double>::infinity();

edgesim::ModelProfile three_exit_model() {
  edgesim::ModelProfile model;
  model.name = "ee3";
  model.layers = {{"a", 2e6, 0, 0}, {"b", 3e6, 0, 0}, {"c", 3e6, 0, 0}, {"d", 4e6, 0, 0}};
  model.exits = {{0, 1e5, 0.55}, {1, 1e5, 0.7}, {2, 1e5, 0.8}};
  model.final_accuracy = 0.88;
  return model;
}

// Cumulative compute times on a 1 Gflop/s host: Gflop to each exit, classifiers included.
std::vector<double> times_of(const edgesim::ModelProfile& model) {
  return edgesim::pareto::exit_energy(model);
}

bool covered(const std::vector<Metrics>& points, const std::vector<std::size_t>& front, const Metrics& p) {
  return std::any_of(front.begin(), front.end(), [&](std::size_t k) {
    const Metrics& f = points[k];
    return edgesim::pareto::dominates(f, p) ||
           (f.accuracy == p.accuracy && f.latency == p.latency && f.energy == p.energy);
  });
}

void expect_valid_frontier(const std::vector<Metrics>& points, const std::vector<std::size_t>& front) {
  ASSERT_FALSE(front.empty());
  for (std::size_t k : front)
    for (const Metrics& other : points)
      EXPECT_FALSE(edgesim::pareto::dominates(other, points[k])) << "frontier point " << k << " is dominated";
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (std::find(front.begin(), front.end(), i) != front.end())
      continue;
    EXPECT_TRUE(covered(points, front, points[i])) << "point " << i << " is neither on nor below the frontier";
  }
}

TEST(ParetoFrontier, MatchesBruteForceOnRandomPoints) {
  edgesim::Rng rng(3);
  std::vector<Metrics> points;
  points.reserve(400);
  for (int i = 0; i < 400; ++i) {
    // Coarse values so that ties and exact duplicates occur.
    points.push_back({std::round(rng.uniform() * 20) / 20, std::round(rng.uniform() * 20) / 20,
                      std::round(rng.uniform() * 20) / 20});
  }
  points.push_back(points[5]); // an exact duplicate
  const auto front = edgesim::pareto::frontier(points);
  expect_valid_frontier(points, front);
  // Brute force: the distinct non-dominated points, each exactly once.
  std::size_t distinct_non_dominated = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    bool seen_before = false;
    for (std::size_t j = 0; j < points.size(); ++j) {
      dominated = dominated || edgesim::pareto::dominates(points[j], points[i]);
      seen_before = seen_before || (j < i && points[j].accuracy == points[i].accuracy &&
                                    points[j].latency == points[i].latency && points[j].energy == points[i].energy);
    }
    distinct_non_dominated += !dominated && !seen_before ? 1 : 0;
  }
  EXPECT_EQ(front.size(), distinct_non_dominated);
}

TEST(ParetoFrontier, GridFrontierMatchesBruteForce) {
  const auto model = three_exit_model();
  const auto profile = edgesim::pareto::profile_exits(model, 11, 500);
  const std::vector<std::vector<double>> grid{{0.6, 0.8, 1.01}, {0.5, 0.9, 1.01}, {0.7, 1.01}};
  const auto times = times_of(model);
  const auto candidates = edgesim::pareto::evaluate_grid(profile, grid, times, edgesim::pareto::exit_energy(model));
  ASSERT_EQ(candidates.size(), 18U);

  // Each candidate's metrics replayed directly from the profile.
  for (const Candidate& c : candidates) {
    double correct = 0;
    double time = 0;
    for (std::size_t s = 0; s < profile.samples; ++s) {
      std::size_t exit = 3;
      for (std::size_t i = 0; i < 3; ++i) {
        if (profile.confidence[s * 4 + i] >= c.thresholds[i]) {
          exit = i;
          break;
        }
      }
      correct += profile.correct[s * 4 + exit];
      time += times[exit];
    }
    EXPECT_NEAR(c.metrics.accuracy, correct / 500.0, 1e-12);
    EXPECT_NEAR(c.metrics.latency, time / 500.0, 1e-12);
    EXPECT_NEAR(c.metrics.energy, time / 500.0, 1e-12); // energy in Gflop == time at 1 Gflop/s
  }
  // Thresholds above 1 everywhere: everything reaches the final classifier.
  const auto all_final = std::find_if(candidates.begin(), candidates.end(), [](const Candidate& c) {
    return c.thresholds == std::vector<double>{1.01, 1.01, 1.01};
  });
  ASSERT_NE(all_final, candidates.end());
  EXPECT_NEAR(all_final->metrics.latency, times[3], 1e-12);

  std::vector<Metrics> points;
  points.reserve(candidates.size());
  for (const auto& c : candidates)
    points.push_back(c.metrics);
  expect_valid_frontier(points, edgesim::pareto::frontier(points));
}

TEST(ParetoSelect, EachObjectivePicksItsPoint) {
  // A small frontier: accuracy rises with latency and energy.
  const std::vector<Metrics> front{{0.60, 0.010, 1.0}, {0.70, 0.020, 2.0}, {0.78, 0.030, 3.0}, {0.80, 0.050, 5.0}};
  EXPECT_EQ(edgesim::pareto::select(front, Goal{Objective::MaxAccuracy, kInf, 0}), 3U);
  EXPECT_EQ(edgesim::pareto::select(front, Goal{Objective::MaxAccuracy, 0.025, 0}), 1U);
  EXPECT_EQ(edgesim::pareto::select(front, Goal{Objective::MaxAccuracy, 0.005, 0}), 0U); // none fits: fastest
  EXPECT_EQ(edgesim::pareto::select(front, Goal{Objective::MinEnergy, kInf, 0.0}), 0U);
  EXPECT_EQ(edgesim::pareto::select(front, Goal{Objective::MinEnergy, kInf, 0.75}), 2U);
  EXPECT_EQ(edgesim::pareto::select(front, Goal{Objective::MinEnergy, kInf, 0.95}), 3U); // unreachable: most accurate
  // Balanced: each axis scaled to [0, 1], squared distances to the utopia point
  // (0.80, 0.010, 1.0) are 1, 0.375, 0.51 and 2: the knee (0.70, 0.020, 2.0) is nearest.
  EXPECT_EQ(edgesim::pareto::select(front, Goal{Objective::Balanced, kInf, 0}), 1U);
  // Within a budget that excludes the knee, the nearest of the rest.
  EXPECT_EQ(edgesim::pareto::select(front, Goal{Objective::Balanced, 0.015, 0}), 0U);
}

// ------------------------------------------------------------------ the policy

struct PolicyFixture {
  explicit PolicyFixture(const std::string& toml_text) : table(toml::parse(toml_text)), model(three_exit_model()) {}
  std::unique_ptr<edgesim::ExitPolicy> make(double slo = kInf, std::uint64_t seed = 5) const {
    const edgesim::ConfigView config = edgesim::config_view(table, "test.toml", "exits");
    edgesim::ExitPolicyArgs args{config, model, seed, times_of(model)};
    args.slo = slo;
    const auto* entry = edgesim::Registry::instance().exit_policy("pareto");
    if (entry == nullptr)
      throw std::runtime_error("pareto is not registered");
    return entry->factory(args);
  }
  toml::table table;
  edgesim::ModelProfile model;
};

// The threshold the policy applies at `exit`, found by bisection on its decisions.
double effective_threshold(edgesim::ExitPolicy& policy, std::size_t exit, double battery) {
  auto leaves = [&](double confidence) {
    edgesim::ExitContext ctx;
    ctx.exit_index = exit;
    ctx.num_exits = 3;
    ctx.confidence = confidence;
    ctx.battery_soc = battery;
    return policy.decide(ctx) == edgesim::ExitDecision::Exit;
  };
  if (!leaves(1.0))
    return kInf;
  double lo = 0;
  double hi = 1;
  if (leaves(0.0))
    return 0.0;
  for (int i = 0; i < 50; ++i)
    (leaves(0.5 * (lo + hi)) ? hi : lo) = 0.5 * (lo + hi);
  return hi;
}

// The point the profile assigns to a threshold vector (> 1 thresholds kept as given).
Metrics metrics_of(const edgesim::ModelProfile& model, const std::vector<double>& thresholds) {
  const auto profile = edgesim::pareto::profile_exits(model, edgesim::stream_seed(5, "pareto-profile"), 2000);
  std::vector<std::vector<double>> grid;
  grid.reserve(thresholds.size());
  for (double t : thresholds)
    grid.push_back({t});
  return edgesim::pareto::evaluate_grid(profile, grid, times_of(model), edgesim::pareto::exit_energy(model))
      .front()
      .metrics;
}

std::vector<double> thresholds_in_use(edgesim::ExitPolicy& policy, double battery) {
  std::vector<double> thresholds;
  for (std::size_t i = 0; i < 3; ++i) {
    const double t = effective_threshold(policy, i, battery);
    thresholds.push_back(std::isinf(t) ? 1.01 : t);
  }
  return thresholds;
}

TEST(ParetoPolicy, ChosenPointRespectsTheLatencyBudget) {
  const auto model = three_exit_model();
  const auto times = times_of(model);
  // A budget between the fastest and the slowest exit, given directly and through the SLO.
  const double budget = 0.5 * (times[0] + times[3]);
  PolicyFixture explicit_budget("policy = \"pareto\"\nlatency_budget = " + std::to_string(budget) + "\n");
  PolicyFixture from_slo("policy = \"pareto\"\n");
  PolicyFixture unbounded("policy = \"pareto\"\n");
  std::vector<std::unique_ptr<edgesim::ExitPolicy>> budgeted;
  budgeted.push_back(explicit_budget.make());
  budgeted.push_back(from_slo.make(budget));
  for (const auto& policy : budgeted) {
    const auto thresholds = thresholds_in_use(*policy, 1.0);
    const Metrics m = metrics_of(model, thresholds);
    EXPECT_LE(m.latency, budget);
    EXPECT_GT(m.latency, times[0]); // it uses the room it has
  }
  // Without a budget, the most accurate point of the whole grid (not necessarily "never
  // leave early": a confident early exit can be right where the final one is wrong).
  auto policy = unbounded.make();
  const Metrics chosen = metrics_of(model, thresholds_in_use(*policy, 1.0));
  const auto profile = edgesim::pareto::profile_exits(model, edgesim::stream_seed(5, "pareto-profile"), 2000);
  const std::vector<double> defaults{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01};
  double best = 0;
  for (const auto& c : edgesim::pareto::evaluate_grid(profile, {defaults, defaults, defaults}, times,
                                                      edgesim::pareto::exit_energy(model)))
    best = std::max(best, c.metrics.accuracy);
  EXPECT_DOUBLE_EQ(chosen.accuracy, best);
}

TEST(ParetoPolicy, SwitchesToTheCheapPointOnLowBattery) {
  const auto model = three_exit_model();
  PolicyFixture fixture("policy = \"pareto\"\nobjective = \"max-accuracy\"\nlow_battery = 0.3\nmin_accuracy = 0.6\n");
  auto policy = fixture.make();
  const auto full = thresholds_in_use(*policy, 0.9);
  const auto above = thresholds_in_use(*policy, 0.31);
  const auto low = thresholds_in_use(*policy, 0.29);
  EXPECT_EQ(full, above);
  EXPECT_NE(full, low);
  const Metrics normal = metrics_of(model, full);
  const Metrics saving = metrics_of(model, low);
  EXPECT_LT(saving.energy, normal.energy);
  EXPECT_LT(saving.latency, normal.latency);
  EXPECT_GE(saving.accuracy, 0.6);
  // Back above the level (a recharged battery), the normal point again.
  EXPECT_EQ(thresholds_in_use(*policy, 0.5), full);
  // The final classifier always answers.
  edgesim::ExitContext ctx;
  ctx.exit_index = 3;
  ctx.num_exits = 3;
  EXPECT_EQ(policy->decide(ctx), edgesim::ExitDecision::Exit);
}

TEST(ParetoPolicy, PerExitGridAndDeterminism) {
  PolicyFixture fixture("policy = \"pareto\"\nobjective = \"balanced\"\ngrid = [[0.6, 0.9], [0.7, 1.01], [0.8]]\n");
  auto a = fixture.make();
  auto b = fixture.make();
  const auto ta = thresholds_in_use(*a, 1.0);
  EXPECT_EQ(ta, thresholds_in_use(*b, 1.0));
  // Bisection on the decisions recovers each threshold to ~1e-15.
  EXPECT_TRUE(std::abs(ta[0] - 0.6) < 1e-12 || std::abs(ta[0] - 0.9) < 1e-12) << ta[0];
  EXPECT_TRUE(std::abs(ta[1] - 0.7) < 1e-12 || ta[1] > 1) << ta[1];
  EXPECT_NEAR(ta[2], 0.8, 1e-12);
}

TEST(ParetoPolicy, RejectsInvalidKeys) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"profile_samples = 0", "profile_samples"},
      {"grid = []", "grid"},
      {"grid = [[0.5], [0.6]]", "grid"},
      {"grid = [-0.1, 0.5]", "grid"},
      {"grid = \"fine\"", "grid"},
      {"objective = \"fastest\"", "objective"},
      {"latency_budget = \"-5ms\"", "latency_budget"},
      {"min_accuracy = 1.5", "min_accuracy"},
      {"low_battery = 2", "low_battery"},
      {"battery = 0.2", "battery"},
  };
  for (const auto& [line, key] : cases) {
    PolicyFixture fixture("policy = \"pareto\"\n" + line + "\n");
    try {
      (void)fixture.make();
      ADD_FAILURE() << "accepted: " << line;
    } catch (const edgesim::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("exits." + key), std::string::npos) << e.what();
    }
  }
}

} // namespace
