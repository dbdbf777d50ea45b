// `queueing-lp` exit policy: the LP on hand-solved cases, the loss-constrained optimum
// against brute force and the exact M/G/1/K solver, its response to load, the epoch
// re-planning from measured arrivals, and configuration errors.
#include "config/toml_config.hpp"
#include "policies/exit/queueing_lp.hpp"

#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>

#include "queueing/mg1k.hpp"
#include "queueing/service_distribution.hpp"
#include "queueing/smith_approx.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace {

using edgesim::queueing::ServiceDistribution;
using edgesim::queueing::solve_mg1k;
using edgesim::queueing_lp::max_accuracy_lp;
using edgesim::queueing_lp::optimal_exit_probabilities;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Two exits and the final classifier of an early-exit network (cumulative times, s).
constexpr std::array<double, 3> kTimes{0.004, 0.008, 0.014};
constexpr std::array<double, 3> kAccuracy{0.6, 0.8, 0.9};

double accuracy_of(std::span<const double> q, std::span<const double> accuracies) {
  double total = 0;
  for (std::size_t i = 0; i < q.size(); ++i)
    total += q[i] * accuracies[i];
  return total;
}

// Loss straight from the exact solver, independent of the policy's own helper.
double exact_loss(std::span<const double> times, std::span<const double> q, double lambda, int K) {
  std::vector<double> segments(times.size());
  for (std::size_t i = 0; i < times.size(); ++i)
    segments[i] = i == 0 ? times[0] : times[i] - times[i - 1];
  return solve_mg1k(lambda, ServiceDistribution::mixture_of_deterministic(q, segments), K).loss_probability;
}

void expect_distribution(std::span<const double> q) {
  double total = 0;
  for (double p : q) {
    EXPECT_GE(p, 0.0);
    total += p;
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
}

// ------------------------------------------------------------------------- the LP

TEST(QueueingLpSolver, LpMatchesHandSolvedTwoExitOptimum) {
  // max 0.6 q0 + 0.9 q1, q0 + q1 = 1, q0 + 2 q1 <= 1.5: the mean bound binds at q = (1/2, 1/2).
  const std::array<double, 2> times{1.0, 2.0};
  const std::array<double, 2> accuracy{0.6, 0.9};
  auto q = max_accuracy_lp(times, accuracy, 1.5, kInf);
  ASSERT_EQ(q.size(), 2U);
  EXPECT_NEAR(q[0], 0.5, 1e-9);
  EXPECT_NEAR(q[1], 0.5, 1e-9);
  // A bound below the fastest exit leaves nothing feasible.
  EXPECT_TRUE(max_accuracy_lp(times, accuracy, 0.9, kInf).empty());
  // A slack bound: everything at the most accurate exit.
  q = max_accuracy_lp(times, accuracy, 5.0, kInf);
  EXPECT_NEAR(q[1], 1.0, 1e-9);
}

TEST(QueueingLpSolver, LpSkipsExitsBelowTheConcaveHullAndHonoursTheSecondMoment) {
  // Exit 1 lies below the chord from exit 0 to the final exit, so with only the mean
  // bound the optimum mixes exits 0 and 2: q = (1/2, 0, 1/2), accuracy 0.7.
  const std::array<double, 3> times{1.0, 2.0, 3.0};
  const std::array<double, 3> accuracy{0.5, 0.6, 0.9};
  auto q = max_accuracy_lp(times, accuracy, 2.0, kInf);
  ASSERT_EQ(q.size(), 3U);
  EXPECT_NEAR(q[0], 0.5, 1e-9);
  EXPECT_NEAR(q[1], 0.0, 1e-9);
  EXPECT_NEAR(q[2], 0.5, 1e-9);
  // Adding E[S^2] <= 4.5: with q0 = 1 - q1 - q2 the constraints read q1 + 2 q2 <= 1 and
  // 3 q1 + 8 q2 <= 3.5; the objective 0.5 + 0.1 q1 + 0.4 q2 peaks at the vertex
  // (q1, q2) = (0, 7/16), accuracy 0.675.
  q = max_accuracy_lp(times, accuracy, 2.0, 4.5);
  EXPECT_NEAR(q[0], 9.0 / 16.0, 1e-9);
  EXPECT_NEAR(q[1], 0.0, 1e-9);
  EXPECT_NEAR(q[2], 7.0 / 16.0, 1e-9);
  EXPECT_NEAR(accuracy_of(q, accuracy), 0.675, 1e-9);
}

// ------------------------------------------------------ loss-constrained optimum

TEST(QueueingLpSolver, TwoExitOptimumIsTheLargestFeasibleMixture) {
  // With two exits the feasible q are (1 - p, p), and the loss grows with p; the
  // optimum is the largest p meeting the bound, found here by bisection on the exact solver.
  const std::array<double, 2> times{0.005, 0.015};
  const std::array<double, 2> accuracy{0.7, 0.9};
  const int K = 5;
  const double max_loss = 0.01;
  for (double lambda : {60.0, 80.0, 100.0}) {
    auto loss_at = [&](double p) {
      const std::array<double, 2> q{1 - p, p};
      return exact_loss(times, q, lambda, K);
    };
    ASSERT_LE(loss_at(0.0), max_loss) << "lambda=" << lambda;
    ASSERT_GT(loss_at(1.0), max_loss) << "lambda=" << lambda;
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < 60; ++i)
      (loss_at(0.5 * (lo + hi)) <= max_loss ? lo : hi) = 0.5 * (lo + hi);
    const auto q = optimal_exit_probabilities(times, accuracy, lambda, K, max_loss, true);
    expect_distribution(q);
    EXPECT_NEAR(q[1], lo, 1e-6) << "lambda=" << lambda;
    EXPECT_LE(exact_loss(times, q, lambda, K), max_loss);
  }
}

TEST(QueueingLpSolver, ChosenMixtureMeetsTheLossBoundAndMatchesBruteForce) {
  // Brute force over the simplex in steps of 0.01: the best feasible accuracy on that
  // grid is a lower bound on the true optimum, which the solver must reach, and the
  // solver's answer must itself be feasible.
  for (double max_loss : {0.01, 0.05}) {
    for (int K : {2, 5, 10}) {
      for (double rho : {0.2, 0.4, 0.6, 0.9, 1.2}) {
        const double lambda = rho / kTimes[0];
        double brute = -1;
        for (int a = 0; a <= 100; ++a) {
          for (int b = 0; a + b <= 100; ++b) {
            const std::array<double, 3> q{a / 100.0, b / 100.0, (100 - a - b) / 100.0};
            if (exact_loss(kTimes, q, lambda, K) <= max_loss)
              brute = std::max(brute, accuracy_of(q, kAccuracy));
          }
        }
        const auto q = optimal_exit_probabilities(kTimes, kAccuracy, lambda, K, max_loss, true);
        expect_distribution(q);
        if (brute < 0) {
          // Nothing is feasible: the policy falls back to the fastest exit.
          EXPECT_DOUBLE_EQ(q[0], 1.0) << "K=" << K << " rho=" << rho;
          continue;
        }
        EXPECT_LE(exact_loss(kTimes, q, lambda, K), max_loss * (1 + 1e-9)) << "K=" << K << " rho=" << rho;
        // Observed: the solver is at least as accurate as the grid, by up to ~2e-3.
        EXPECT_GE(accuracy_of(q, kAccuracy), brute - 1e-9) << "K=" << K << " rho=" << rho;
      }
    }
  }
}

TEST(QueueingLpSolver, ExitBelowTheHullMatchesBruteForce) {
  // Exit 1 lies below the chord from exit 0 to exit 2: a mean-only LP never uses it,
  // but as a low-variance option it can lose less; the second-moment caps find it.
  const std::array<double, 4> times{0.004, 0.008, 0.010, 0.014};
  const std::array<double, 4> accuracy{0.6, 0.7, 0.85, 0.9};
  const int K = 4;
  for (double max_loss : {0.01, 0.03}) {
    for (double lambda : {40.0, 70.0, 100.0, 130.0}) {
      double brute = -1;
      for (int a = 0; a <= 50; ++a)
        for (int b = 0; a + b <= 50; ++b)
          for (int c = 0; a + b + c <= 50; ++c) {
            const std::array<double, 4> q{a / 50.0, b / 50.0, c / 50.0, (50 - a - b - c) / 50.0};
            if (exact_loss(times, q, lambda, K) <= max_loss)
              brute = std::max(brute, accuracy_of(q, accuracy));
          }
      const auto q = optimal_exit_probabilities(times, accuracy, lambda, K, max_loss, true);
      expect_distribution(q);
      if (brute < 0)
        continue;
      EXPECT_LE(exact_loss(times, q, lambda, K), max_loss * (1 + 1e-9)) << "lambda=" << lambda;
      EXPECT_GE(accuracy_of(q, accuracy), brute - 1e-9) << "lambda=" << lambda << " eps=" << max_loss;
    }
  }
}

TEST(QueueingLpSolver, LowLoadGoesDeepHighLoadGoesShallow) {
  const int K = 5;
  const double max_loss = 0.01;
  const auto light = optimal_exit_probabilities(kTimes, kAccuracy, 1.0, K, max_loss, true);
  EXPECT_NEAR(light[2], 1.0, 1e-9);
  EXPECT_NEAR(accuracy_of(light, kAccuracy), kAccuracy[2], 1e-9);

  const auto heavy = optimal_exit_probabilities(kTimes, kAccuracy, 150.0, K, max_loss, true);
  EXPECT_GT(heavy[0], 0.5);
  EXPECT_LT(accuracy_of(heavy, kAccuracy), 0.7);

  // In between, accuracy falls as the load grows and the bound always holds.
  double previous = 1.0;
  for (int step = 1; step <= 20; ++step) {
    const double lambda = 10.0 * step;
    const auto q = optimal_exit_probabilities(kTimes, kAccuracy, lambda, K, max_loss, true);
    const double accuracy = accuracy_of(q, kAccuracy);
    EXPECT_LE(accuracy, previous + 1e-6) << "lambda=" << lambda;
    previous = accuracy;
    if (exact_loss(kTimes, std::array<double, 3>{1, 0, 0}, lambda, K) <= max_loss) {
      EXPECT_LE(exact_loss(kTimes, q, lambda, K), max_loss * (1 + 1e-9)) << "lambda=" << lambda;
    }
  }
}

TEST(QueueingLpSolver, InfeasibleLoadFallsBackToTheFirstExit) {
  const auto q = optimal_exit_probabilities(kTimes, kAccuracy, 1000.0, 3, 0.01, true);
  EXPECT_DOUBLE_EQ(q[0], 1.0);
  EXPECT_DOUBLE_EQ(q[1] + q[2], 0.0);
}

TEST(QueueingLpSolver, NoArrivalsMeansBestAccuracy) {
  const auto q = optimal_exit_probabilities(kTimes, kAccuracy, 0.0, 5, 0.01, true);
  EXPECT_NEAR(q[2], 1.0, 1e-9);
}

TEST(QueueingLpSolver, SmithLossModelMeetsItsOwnBound) {
  const int K = 8;
  const double max_loss = 0.02;
  for (double lambda : {60.0, 100.0, 140.0}) {
    const auto q = optimal_exit_probabilities(kTimes, kAccuracy, lambda, K, max_loss, false);
    expect_distribution(q);
    std::vector<double> segments{kTimes[0], kTimes[1] - kTimes[0], kTimes[2] - kTimes[1]};
    const auto service = ServiceDistribution::mixture_of_deterministic(q, segments);
    const double rho = lambda * service.mean();
    ASSERT_TRUE(edgesim::queueing::smith_formula_applicable(rho, service.scv()));
    EXPECT_LE(edgesim::queueing::smith_loss_probability(rho, service.scv(), K), max_loss * (1 + 1e-9));
    // The approximation should not stray far from the exact answer on these laws.
    EXPECT_LT(exact_loss(kTimes, q, lambda, K), 3 * max_loss);
  }
}

// ------------------------------------------------------------------ the policy

struct PolicyFixture {
  explicit PolicyFixture(const std::string& toml_text) : table(toml::parse(toml_text)) {
    model.name = "ee";
    model.layers = {{"a", 4e6, 0, 0}, {"b", 4e6, 0, 0}, {"c", 6e6, 0, 0}};
    model.exits = {{0, 0, kAccuracy[0]}, {1, 0, kAccuracy[1]}};
    model.final_accuracy = kAccuracy[2];
  }
  std::unique_ptr<edgesim::ExitPolicy> make(double rate, int K = 5, std::uint64_t seed = 7) const {
    const edgesim::ConfigView config = edgesim::config_view(table, "test.toml", "exits");
    edgesim::ExitPolicyArgs args{config, model, seed, {kTimes.begin(), kTimes.end()}};
    args.station_capacity = K;
    args.mean_arrival_rate = rate;
    args.slo = kInf;
    const auto* entry = edgesim::Registry::instance().exit_policy("queueing-lp");
    if (entry == nullptr)
      throw std::runtime_error("queueing-lp is not registered");
    return entry->factory(args);
  }
  toml::table table;
  edgesim::ModelProfile model;
};

// Fraction of requests leaving at exit 0 over `draws` decisions at time `now`.
double first_exit_share(edgesim::ExitPolicy& policy, double now, int draws) {
  int left = 0;
  for (int i = 0; i < draws; ++i) {
    edgesim::ExitContext ctx;
    ctx.request_id = static_cast<std::uint64_t>(i);
    ctx.exit_index = 0;
    ctx.num_exits = 2;
    ctx.now = now;
    left += policy.decide(ctx) == edgesim::ExitDecision::Exit ? 1 : 0;
  }
  return static_cast<double>(left) / draws;
}

TEST(QueueingLpPolicy, DrawsTheSolvedMixture) {
  PolicyFixture fixture("policy = \"queueing-lp\"\nmax_loss = 0.01\n");
  const double lambda = 100.0;
  const auto q = optimal_exit_probabilities(kTimes, kAccuracy, lambda, 5, 0.01, true);
  auto policy = fixture.make(lambda);
  const int draws = 200000;
  const double share = first_exit_share(*policy, 0.0, draws);
  EXPECT_NEAR(share, q[0], 5 * std::sqrt(q[0] * (1 - q[0]) / draws) + 1e-9);
  // Conditional draw at exit 1: P(leave | reached) = q1 / (1 - q0).
  int left = 0;
  for (int i = 0; i < draws; ++i) {
    edgesim::ExitContext ctx;
    ctx.exit_index = 1;
    ctx.num_exits = 2;
    left += policy->decide(ctx) == edgesim::ExitDecision::Exit ? 1 : 0;
  }
  const double conditional = q[0] < 1 ? std::clamp(q[1] / (1 - q[0]), 0.0, 1.0) : 1.0;
  EXPECT_NEAR(static_cast<double>(left) / draws, conditional,
              5 * std::sqrt(conditional * (1 - conditional) / draws) + 1e-9);
}

TEST(QueueingLpPolicy, ReplansFromTheMeasuredRateEveryEpoch) {
  PolicyFixture fixture("policy = \"queueing-lp\"\nepoch = \"10s\"\nburst_sigmas = 0\n");
  // Planned for a light load: nothing leaves early.
  auto policy = fixture.make(1.0);
  EXPECT_DOUBLE_EQ(first_exit_share(*policy, 0.0, 1000), 0.0);
  // 150 requests/s for one epoch (outcomes count every arrival, lost ones included).
  for (int i = 0; i < 1500; ++i)
    policy->on_outcome(edgesim::ExitOutcome{static_cast<std::uint64_t>(i), i % 10 != 0, 0, true, 0.01, i / 150.0});
  EXPECT_DOUBLE_EQ(first_exit_share(*policy, 9.99, 1000), 0.0); // still the first epoch
  EXPECT_GT(first_exit_share(*policy, 10.0, 20000), 0.5);       // re-planned for ~150/s
  // A quiet epoch brings the deep exits back.
  for (int i = 0; i < 10; ++i)
    policy->on_outcome(edgesim::ExitOutcome{static_cast<std::uint64_t>(i), true, 2, true, 0.01, 10.0 + i});
  EXPECT_DOUBLE_EQ(first_exit_share(*policy, 20.0, 1000), 0.0);
}

TEST(QueueingLpPolicy, ABurstEndsTheEpochEarly) {
  PolicyFixture fixture("policy = \"queueing-lp\"\nepoch = \"10s\"\n");
  auto policy = fixture.make(1.0);
  // 150/s where 1/s was planned: with m = 1 x t expected, the count passes m + 3 sqrt(m)
  // (and the 10-arrival floor) after 10 arrivals, at t = 0.06 s, and the plan follows.
  for (int i = 0; i < 10; ++i)
    policy->on_outcome(edgesim::ExitOutcome{static_cast<std::uint64_t>(i), true, 0, true, 0.01, i / 150.0});
  EXPECT_GT(first_exit_share(*policy, 0.07, 20000), 0.5);
  // Poisson-like counts at the planned rate do not trigger it.
  auto steady = fixture.make(100.0);
  for (int i = 0; i < 900; ++i)
    steady->on_outcome(edgesim::ExitOutcome{static_cast<std::uint64_t>(i), true, 0, true, 0.01, i / 100.0});
  const double share = first_exit_share(*steady, 9.0, 20000);
  auto reference = fixture.make(100.0);
  EXPECT_NEAR(share, first_exit_share(*reference, 9.0, 20000), 0.02) << "no re-plan within the epoch";
}

TEST(QueueingLpPolicy, DeterministicForASeed) {
  PolicyFixture fixture("policy = \"queueing-lp\"\n");
  auto a = fixture.make(100.0, 5, 42);
  auto b = fixture.make(100.0, 5, 42);
  for (int i = 0; i < 1000; ++i) {
    edgesim::ExitContext ctx;
    ctx.exit_index = static_cast<std::size_t>(i % 2);
    ctx.num_exits = 2;
    ASSERT_EQ(a->decide(ctx), b->decide(ctx));
  }
}

TEST(QueueingLpPolicy, RejectsInvalidKeys) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"max_loss = 0.0", "max_loss"},
      {"max_loss = 1.5", "max_loss"},
      {"max_loss = \"low\"", "max_loss"},
      {"epoch = \"-1s\"", "epoch"},
      {"epoch = 0", "epoch"},
      {"epoch = \"soon\"", "epoch"},
      {"loss_model = \"magic\"", "loss_model"},
      {"rate_margin = -1", "rate_margin"},
      {"burst_sigmas = -0.5", "burst_sigmas"},
      {"thresholds = [0.5]", "thresholds"},
  };
  for (const auto& [line, key] : cases) {
    PolicyFixture fixture("policy = \"queueing-lp\"\n" + line + "\n");
    try {
      (void)fixture.make(10.0);
      ADD_FAILURE() << "accepted: " << line;
    } catch (const edgesim::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("exits." + key), std::string::npos) << e.what();
    }
  }
  PolicyFixture good("policy = \"queueing-lp\"\nmax_loss = 0.05\nepoch = \"2s\"\nloss_model = \"approx\"\n");
  EXPECT_NO_THROW((void)good.make(10.0));
}

} // namespace
