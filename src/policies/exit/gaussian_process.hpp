#pragma once
// A small Gaussian-process regressor and a Bayesian optimiser over a box, for policies
// that tune their parameters offline (`bayesopt`). The interface uses standard types
// only, so callers and tests need no linear-algebra headers; the implementation uses
// Eigen (Cholesky factorisation, triangular solves).
//
// Model: zero-mean GP on outputs normalised to mean 0 and standard deviation 1, with a
// squared-exponential kernel k(x, x') = exp(-1/2 sum_d ((x_d - x'_d) / l_d)^2) (ARD:
// one length scale per dimension; give one value for an isotropic kernel) and a fixed
// noise variance added to the diagonal. Hyperparameters are fixed, not fitted.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace edgesim::bo {

using Point = std::vector<double>;

class GaussianProcess {
public:
  /// `length_scales`: one per input dimension, or a single value used for all of them.
  /// `noise`: variance added to the kernel diagonal, in normalised output units.
  explicit GaussianProcess(std::vector<double> length_scales, double noise = 1e-4);
  ~GaussianProcess();
  GaussianProcess(GaussianProcess&&) noexcept;
  GaussianProcess& operator=(GaussianProcess&&) noexcept;
  GaussianProcess(const GaussianProcess&) = delete;
  GaussianProcess& operator=(const GaussianProcess&) = delete;

  /// Conditions the GP on observations y_i = f(x_i) (replacing earlier ones). Needs at
  /// least one point; every point must have the kernel's dimension (when it has more
  /// than one length scale).
  void fit(const std::vector<Point>& x, const std::vector<double>& y);

  struct Prediction {
    double mean = 0;     // posterior mean of f(x), in the units of y
    double variance = 0; // posterior variance of f(x) (noise-free), in units of y squared
  };
  [[nodiscard]] Prediction predict(const Point& x) const;
  [[nodiscard]] std::size_t size() const;

  /// Kernel value between two points (signal variance 1).
  [[nodiscard]] double kernel(const Point& a, const Point& b) const;

private:
  struct State;
  std::vector<double> length_scales_;
  double noise_;
  std::unique_ptr<State> state_;
};

/// Standard normal density and distribution function.
double normal_pdf(double z);
double normal_cdf(double z);

/// Expected improvement over `best` of a Gaussian N(mean, sd^2), for maximisation:
/// (mean - best - xi) Phi(z) + sd phi(z), z = (mean - best - xi) / sd; max(0, mean -
/// best - xi) when sd = 0. Always >= 0.
double expected_improvement(double mean, double sd, double best, double xi = 0);

/// Upper confidence bound mean + kappa sd.
double upper_confidence_bound(double mean, double sd, double kappa);

struct Interval {
  double lo = 0;
  double hi = 1;
};
using Box = std::vector<Interval>;

enum class Acquisition { ExpectedImprovement, UpperConfidenceBound };

struct OptimizerOptions {
  /// Evaluations at Latin-hypercube points before the GP drives the search (clamped to
  /// the number of iterations).
  std::size_t initial = 5;
  Acquisition acquisition = Acquisition::ExpectedImprovement;
  double kappa = 2; // UCB exploration weight (normalised outputs)
  double xi = 0;    // EI margin (normalised outputs)
  /// Candidates scored per iteration: this many uniform in the box, plus a quarter as
  /// many Gaussian perturbations of the best point so far (sd 5 % of the range).
  std::size_t candidates = 2000;
  double length_scale = 0.2; // kernel length scale as a fraction of each bound's range
  double noise = 1e-4;       // kernel noise variance (normalised outputs)
};

struct Evaluation {
  Point x;
  double y = 0;
};

struct OptimizationResult {
  Point best_x;
  double best_y = 0;
  std::vector<Evaluation> history; // in evaluation order
};

using Objective = std::function<double(const Point&)>;

/// Maximises `objective` over `bounds` with `iterations` evaluations in all: the
/// initial design, then one point per iteration maximising the acquisition function
/// over random candidates. Deterministic given `seed`. A bound with lo == hi fixes that
/// coordinate. Returns the best evaluated point.
OptimizationResult maximize(const Objective& objective, const Box& bounds, std::size_t iterations, std::uint64_t seed,
                            const OptimizerOptions& options = {});

/// The same for minimisation; best_y and the history hold the objective's own values.
OptimizationResult minimize(const Objective& objective, const Box& bounds, std::size_t iterations, std::uint64_t seed,
                            const OptimizerOptions& options = {});

} // namespace edgesim::bo
