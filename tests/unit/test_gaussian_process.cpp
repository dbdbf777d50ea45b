// The Gaussian process and Bayesian optimiser behind the `bayesopt` exit policy:
// interpolation of the training data, posterior variance, expected improvement, and
// optimisation of analytic functions without any simulation.
#include "policies/exit/gaussian_process.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

using edgesim::bo::Acquisition;
using edgesim::bo::Box;
using edgesim::bo::GaussianProcess;
using edgesim::bo::OptimizerOptions;
using edgesim::bo::Point;

TEST(GaussianProcess, InterpolatesItsTrainingPoints) {
  GaussianProcess gp({0.2}, 1e-6);
  const std::vector<Point> x{{0.1}, {0.3}, {0.5}, {0.8}};
  const std::vector<double> y{2.0, -1.0, 0.5, 3.0};
  gp.fit(x, y);
  EXPECT_EQ(gp.size(), 4U);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto p = gp.predict(x[i]);
    EXPECT_NEAR(p.mean, y[i], 1e-3) << "at x = " << x[i][0];
    EXPECT_LT(p.variance, 1e-4) << "at x = " << x[i][0];
    EXPECT_GE(p.variance, 0.0);
  }
}

TEST(GaussianProcess, VarianceGrowsAwayFromTheData) {
  GaussianProcess gp({0.2}, 1e-4);
  gp.fit({{0.4}, {0.5}}, {1.0, 2.0});
  double previous = gp.predict({0.5}).variance;
  for (double x : {0.55, 0.6, 0.7, 0.9, 1.5}) {
    const double v = gp.predict({x}).variance;
    EXPECT_GT(v, previous) << "at x = " << x;
    previous = v;
  }
  // Far from every point the posterior is the prior: the mean of the data, and the
  // variance of the normalised outputs (sd 0.5 here) times the signal variance 1.
  const auto far = gp.predict({10.0});
  EXPECT_NEAR(far.mean, 1.5, 1e-9);
  EXPECT_NEAR(far.variance, 0.25, 1e-9);
}

TEST(GaussianProcess, ArdLengthScalesWeighDimensionsSeparately) {
  // Long length scale in dimension 1: moving along it changes the prediction little.
  GaussianProcess gp({0.1, 10.0}, 1e-4);
  gp.fit({{0.5, 0.5}}, {1.0});
  EXPECT_NEAR(gp.kernel({0.5, 0.5}, {0.5, 0.9}), std::exp(-0.5 * 0.0016), 1e-12);
  EXPECT_NEAR(gp.kernel({0.5, 0.5}, {0.9, 0.5}), std::exp(-0.5 * 16.0), 1e-12);
  EXPECT_LT(gp.predict({0.5, 0.9}).variance, gp.predict({0.9, 0.5}).variance);
}

TEST(GaussianProcess, CoincidingPointsDoNotBreakTheFactorisation) {
  GaussianProcess gp({0.2}, 0.0);
  gp.fit({{0.3}, {0.3}, {0.7}}, {1.0, 1.0, 2.0});
  EXPECT_NEAR(gp.predict({0.3}).mean, 1.0, 1e-3);
  EXPECT_THROW(gp.fit({{0.1, 0.2}}, {1.0, 2.0}), edgesim::RuntimeError);
  EXPECT_THROW(GaussianProcess({-1.0}), edgesim::RuntimeError);
}

TEST(ExpectedImprovement, IsNonNegativeAndGrowsWithMeanAndVariance) {
  using edgesim::bo::expected_improvement;
  for (double mean : {-3.0, -0.5, 0.0, 0.5, 3.0})
    for (double sd : {0.0, 1e-9, 0.1, 1.0, 5.0})
      EXPECT_GE(expected_improvement(mean, sd, 0.0), 0.0) << mean << " " << sd;
  EXPECT_GT(expected_improvement(0.5, 0.3, 0.0), expected_improvement(0.2, 0.3, 0.0));
  EXPECT_GT(expected_improvement(-0.5, 0.3, 0.0), expected_improvement(-0.8, 0.3, 0.0));
  EXPECT_GT(expected_improvement(0.0, 1.0, 0.0), expected_improvement(0.0, 0.5, 0.0));
  EXPECT_GT(expected_improvement(-1.0, 2.0, 0.0), expected_improvement(-1.0, 0.1, 0.0));
  // Closed form at mean = best: sd * phi(0).
  EXPECT_NEAR(expected_improvement(1.0, 2.0, 1.0), 2.0 / std::sqrt(2 * M_PI), 1e-12);
  // Without uncertainty it is the plain improvement.
  EXPECT_DOUBLE_EQ(expected_improvement(1.5, 0.0, 1.0), 0.5);
  EXPECT_DOUBLE_EQ(expected_improvement(0.5, 0.0, 1.0), 0.0);
  EXPECT_NEAR(edgesim::bo::normal_cdf(1.96), 0.9750021048517795, 1e-12);
  EXPECT_NEAR(edgesim::bo::normal_pdf(0.0), 0.3989422804014327, 1e-15);
}

TEST(BayesianOptimisation, FindsTheMaximumOfAOneDimensionalFunction) {
  int calls = 0;
  const auto f = [&](const Point& x) {
    ++calls;
    return -(x[0] - 0.7) * (x[0] - 0.7);
  };
  const auto result = edgesim::bo::maximize(f, Box{{0.0, 1.0}}, 20, 7);
  EXPECT_EQ(calls, 20);
  ASSERT_EQ(result.history.size(), 20U);
  EXPECT_NEAR(result.best_x[0], 0.7, 0.05);
  EXPECT_NEAR(result.best_y, f(result.best_x), 0.0);
  for (const auto& e : result.history) {
    EXPECT_GE(e.x[0], 0.0);
    EXPECT_LE(e.x[0], 1.0);
    EXPECT_LE(e.y, result.best_y);
  }
}

TEST(BayesianOptimisation, FindsTheMaximumOfATwoDimensionalFunction) {
  const auto f = [](const Point& x) {
    return -(x[0] - 0.7) * (x[0] - 0.7) - 2 * (x[1] - 0.45) * (x[1] - 0.45) + 0.1 * std::sin(3 * x[0]);
  };
  // The maximiser of f: x1 = 0.45 and x0 = 0.7 + 0.15 cos(3 x0) = 0.6461 (first-order condition).
  for (std::uint64_t seed : {1U, 2U, 3U}) {
    const auto result = edgesim::bo::maximize(f, Box{{0.3, 1.0}, {0.0, 1.0}}, 20, seed);
    EXPECT_NEAR(result.best_x[0], 0.6461, 0.05) << "seed " << seed;
    EXPECT_NEAR(result.best_x[1], 0.45, 0.05) << "seed " << seed;
  }
}

TEST(BayesianOptimisation, MinimiseWithUcbAndFixedCoordinates) {
  const auto f = [](const Point& x) { return (x[0] - 0.2) * (x[0] - 0.2) + std::abs(x[1] - 0.5); };
  OptimizerOptions options;
  options.acquisition = Acquisition::UpperConfidenceBound;
  options.kappa = 2;
  options.initial = 4;
  const auto result = edgesim::bo::minimize(f, Box{{0.0, 1.0}, {0.5, 0.5}}, 20, 11, options);
  EXPECT_NEAR(result.best_x[0], 0.2, 0.05);
  EXPECT_DOUBLE_EQ(result.best_x[1], 0.5); // lo == hi fixes the coordinate
  EXPECT_NEAR(result.best_y, f(result.best_x), 0.0);
  for (const auto& e : result.history)
    EXPECT_GE(e.y, result.best_y); // the history holds the objective's own values
}

TEST(BayesianOptimisation, IsDeterministicGivenTheSeed) {
  const auto f = [](const Point& x) { return std::sin(5 * x[0]) * std::cos(3 * x[1]); };
  const Box box{{0.0, 1.0}, {0.0, 1.0}};
  const auto a = edgesim::bo::maximize(f, box, 12, 5);
  const auto b = edgesim::bo::maximize(f, box, 12, 5);
  const auto c = edgesim::bo::maximize(f, box, 12, 6);
  ASSERT_EQ(a.history.size(), b.history.size());
  for (std::size_t i = 0; i < a.history.size(); ++i)
    EXPECT_EQ(a.history[i].x, b.history[i].x);
  EXPECT_NE(a.history.front().x, c.history.front().x);
}

TEST(BayesianOptimisation, InitialDesignIsALatinHypercube) {
  std::vector<Point> seen;
  const auto f = [&](const Point& x) {
    seen.push_back(x);
    return 0.0;
  };
  OptimizerOptions options;
  options.initial = 8;
  edgesim::bo::maximize(f, Box{{0.0, 1.0}, {2.0, 4.0}}, 8, 3, options);
  ASSERT_EQ(seen.size(), 8U);
  // Every coordinate has exactly one point in each of the 8 strata of its range.
  for (std::size_t d = 0; d < 2; ++d) {
    std::vector<int> strata(8, 0);
    for (const auto& x : seen) {
      const double u = d == 0 ? x[0] : (x[1] - 2.0) / 2.0;
      strata[static_cast<std::size_t>(u * 8)]++;
    }
    for (int count : strata)
      EXPECT_EQ(count, 1);
  }
}

TEST(BayesianOptimisation, RejectsBadArguments) {
  const auto f = [](const Point&) { return 0.0; };
  EXPECT_THROW(edgesim::bo::maximize(f, Box{{0.0, 1.0}}, 0, 1), edgesim::RuntimeError);
  EXPECT_THROW(edgesim::bo::maximize(f, Box{{1.0, 0.0}}, 5, 1), edgesim::RuntimeError);
  const auto nan = [](const Point&) { return std::nan(""); };
  EXPECT_THROW(edgesim::bo::maximize(nan, Box{{0.0, 1.0}}, 5, 1), edgesim::RuntimeError);
}

} // namespace
