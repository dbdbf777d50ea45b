#include "policies/exit/gaussian_process.hpp"

#include <edgesim/error.hpp>
#include <edgesim/random.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace edgesim::bo {

struct GaussianProcess::State {
  std::vector<Point> x;
  Eigen::LLT<Eigen::MatrixXd> llt;
  Eigen::VectorXd alpha; // (K + noise I)^-1 y_normalised
  double y_mean = 0;
  double y_scale = 1;
};

namespace {

// Mean and standard deviation used to normalise outputs; a scale of 1 when they are
// (nearly) constant, so that a flat objective does not blow up.
std::pair<double, double> output_normalisation(const std::vector<double>& y) {
  const auto n = static_cast<double>(y.size());
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double ss = 0;
  for (double v : y)
    ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / n);
  return {mean, sd > 1e-12 * std::max(1.0, std::abs(mean)) ? sd : 1.0};
}

} // namespace

GaussianProcess::GaussianProcess(std::vector<double> length_scales, double noise)
    : length_scales_(std::move(length_scales)), noise_(noise) {
  if (length_scales_.empty())
    throw RuntimeError("GaussianProcess: no length scale");
  for (double l : length_scales_)
    if (!(l > 0) || !std::isfinite(l))
      throw RuntimeError("GaussianProcess: length scales must be positive and finite");
  if (!(noise_ >= 0) || !std::isfinite(noise_))
    throw RuntimeError("GaussianProcess: noise must be a non-negative variance");
}

GaussianProcess::~GaussianProcess() = default;
GaussianProcess::GaussianProcess(GaussianProcess&&) noexcept = default;
GaussianProcess& GaussianProcess::operator=(GaussianProcess&&) noexcept = default;

double GaussianProcess::kernel(const Point& a, const Point& b) const {
  double r2 = 0;
  for (std::size_t d = 0; d < a.size(); ++d) {
    const double l = length_scales_.size() == 1 ? length_scales_[0] : length_scales_[d];
    const double u = (a[d] - b[d]) / l;
    r2 += u * u;
  }
  return std::exp(-0.5 * r2);
}

void GaussianProcess::fit(const std::vector<Point>& x, const std::vector<double>& y) {
  if (x.empty() || x.size() != y.size())
    throw RuntimeError("GaussianProcess::fit: needs as many outputs as inputs, at least one");
  const std::size_t dim = x.front().size();
  if (length_scales_.size() != 1 && length_scales_.size() != dim)
    throw RuntimeError(
        fmt::format("GaussianProcess::fit: {} length scales for {}-dimensional inputs", length_scales_.size(), dim));
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].size() != dim)
      throw RuntimeError("GaussianProcess::fit: inputs of different dimensions");
    if (!std::isfinite(y[i]))
      throw RuntimeError("GaussianProcess::fit: non-finite output");
  }

  auto state = std::make_unique<State>();
  state->x = x;
  std::tie(state->y_mean, state->y_scale) = output_normalisation(y);
  const auto n = static_cast<Eigen::Index>(x.size());
  Eigen::MatrixXd k(n, n);
  Eigen::VectorXd yn(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    yn(i) = (y[i] - state->y_mean) / state->y_scale;
    for (Eigen::Index j = 0; j <= i; ++j)
      k(i, j) = k(j, i) = kernel(x[i], x[j]);
  }
  // The fixed noise keeps K positive definite unless points coincide numerically; add
  // jitter in decades until the factorisation succeeds.
  double jitter = noise_;
  for (int attempt = 0;; ++attempt) {
    Eigen::MatrixXd kn = k;
    kn.diagonal().array() += jitter;
    state->llt.compute(kn);
    if (state->llt.info() == Eigen::Success)
      break;
    if (attempt == 8)
      throw RuntimeError("GaussianProcess::fit: kernel matrix is not positive definite");
    jitter = std::max(jitter * 10, 1e-10);
  }
  state->alpha = state->llt.solve(yn);
  state_ = std::move(state);
}

GaussianProcess::Prediction GaussianProcess::predict(const Point& x) const {
  if (!state_)
    return {0.0, 1.0}; // the prior
  const auto n = static_cast<Eigen::Index>(state_->x.size());
  Eigen::VectorXd ks(n);
  for (Eigen::Index i = 0; i < n; ++i)
    ks(i) = kernel(state_->x[i], x);
  const double mean = ks.dot(state_->alpha);
  const Eigen::VectorXd v = state_->llt.matrixL().solve(ks);
  const double variance = std::max(0.0, 1.0 - v.squaredNorm());
  return {state_->y_mean + state_->y_scale * mean, variance * state_->y_scale * state_->y_scale};
}

std::size_t GaussianProcess::size() const {
  return state_ ? state_->x.size() : 0;
}

double normal_pdf(double z) {
  return std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
}

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double expected_improvement(double mean, double sd, double best, double xi) {
  const double gain = mean - best - xi;
  if (!(sd > 0))
    return std::max(0.0, gain);
  const double z = gain / sd;
  return std::max(0.0, gain * normal_cdf(z) + sd * normal_pdf(z));
}

double upper_confidence_bound(double mean, double sd, double kappa) {
  return mean + kappa * sd;
}

OptimizationResult maximize(const Objective& objective, const Box& bounds, std::size_t iterations, std::uint64_t seed,
                            const OptimizerOptions& options) {
  if (iterations == 0)
    throw RuntimeError("bo::maximize: at least one iteration");
  for (const auto& b : bounds)
    if (!std::isfinite(b.lo) || !std::isfinite(b.hi) || b.lo > b.hi)
      throw RuntimeError("bo::maximize: bounds must be finite with lo <= hi");
  const std::size_t dim = bounds.size();
  Rng rng(seed);

  OptimizationResult result;
  std::vector<Point> xs;
  std::vector<double> ys;
  auto evaluate = [&](Point x) {
    const double y = objective(x);
    if (!std::isfinite(y))
      throw RuntimeError("bo::maximize: the objective returned a non-finite value");
    xs.push_back(x);
    ys.push_back(y);
    result.history.push_back({std::move(x), y});
  };
  auto at = [&](std::size_t d, double u) { return bounds[d].lo + u * (bounds[d].hi - bounds[d].lo); };

  // Latin hypercube: each coordinate's range cut into n0 strata, one point per stratum,
  // strata paired across coordinates by independent random permutations.
  const std::size_t n0 = std::clamp<std::size_t>(options.initial, 1, iterations);
  std::vector<std::vector<std::size_t>> strata(dim, std::vector<std::size_t>(n0));
  for (auto& perm : strata) {
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    for (std::size_t i = n0; i > 1; --i)
      std::swap(perm[i - 1], perm[rng.below(i)]);
  }
  for (std::size_t k = 0; k < n0; ++k) {
    Point x(dim);
    for (std::size_t d = 0; d < dim; ++d)
      x[d] = at(d, (static_cast<double>(strata[d][k]) + rng.uniform()) / static_cast<double>(n0));
    evaluate(std::move(x));
  }

  std::vector<double> length_scales(std::max<std::size_t>(dim, 1), 1.0);
  for (std::size_t d = 0; d < dim; ++d)
    if (bounds[d].hi > bounds[d].lo)
      length_scales[d] = options.length_scale * (bounds[d].hi - bounds[d].lo);
  GaussianProcess gp(length_scales, options.noise);
  const std::size_t local = options.candidates / 4;

  for (std::size_t it = n0; it < iterations; ++it) {
    gp.fit(xs, ys);
    const auto best_it = std::max_element(ys.begin(), ys.end());
    const double best = *best_it;
    const Point incumbent = xs[static_cast<std::size_t>(best_it - ys.begin())];
    const double y_scale = output_normalisation(ys).second;

    Point chosen;
    double chosen_score = -std::numeric_limits<double>::infinity();
    Point candidate(dim);
    for (std::size_t c = 0; c < options.candidates + local; ++c) {
      for (std::size_t d = 0; d < dim; ++d) {
        if (c < options.candidates) {
          candidate[d] = at(d, rng.uniform());
        } else {
          const double sd = 0.05 * (bounds[d].hi - bounds[d].lo);
          candidate[d] = std::clamp(incumbent[d] + sd * rng.normal(), bounds[d].lo, bounds[d].hi);
        }
      }
      const auto p = gp.predict(candidate);
      const double sd = std::sqrt(p.variance);
      const double score = options.acquisition == Acquisition::ExpectedImprovement
                               ? expected_improvement(p.mean, sd, best, options.xi * y_scale)
                               : upper_confidence_bound(p.mean, sd, options.kappa);
      if (score > chosen_score) {
        chosen_score = score;
        chosen = candidate;
      }
    }
    if (chosen.size() != dim) // no candidate (candidates = 0): a uniform point
      for (std::size_t d = 0; d < dim; ++d)
        chosen.push_back(at(d, rng.uniform()));
    evaluate(std::move(chosen));
  }

  const auto best_it = std::max_element(ys.begin(), ys.end());
  const auto best_index = static_cast<std::size_t>(best_it - ys.begin());
  result.best_x = xs[best_index];
  result.best_y = ys[best_index];
  return result;
}

OptimizationResult minimize(const Objective& objective, const Box& bounds, std::size_t iterations, std::uint64_t seed,
                            const OptimizerOptions& options) {
  OptimizationResult result =
      maximize([&](const Point& x) { return -objective(x); }, bounds, iterations, seed, options);
  result.best_y = -result.best_y;
  for (auto& e : result.history)
    e.y = -e.y;
  return result;
}

} // namespace edgesim::bo
