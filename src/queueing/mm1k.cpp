#include "queueing/mm1k.hpp"

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

namespace edgesim::queueing {

QueueMetrics solve_mm1k(double lambda, double mu, int K) {
  if (!std::isfinite(lambda) || lambda <= 0)
    throw std::invalid_argument("solve_mm1k: arrival rate lambda must be finite and > 0");
  if (!std::isfinite(mu) || mu <= 0)
    throw std::invalid_argument("solve_mm1k: service rate mu must be finite and > 0");
  if (K < 1)
    throw std::invalid_argument("solve_mm1k: capacity K must be >= 1 (it counts the request in service)");

  const auto capacity = static_cast<std::size_t>(K);
  const double log_rho = std::log(lambda / mu);
  std::vector<double> occupancy(capacity + 1);
  if (log_rho == 0) {
    for (auto& p : occupancy)
      p = 1 / static_cast<double>(capacity + 1);
  } else {
    // With r = min(rho, 1/rho) < 1: p = (1 - r) r^m / (1 - r^{K+1}), m = n below
    // saturation and m = K - n above it.
    const double log_r = -std::abs(log_rho);
    const double scale = std::expm1(log_r) / std::expm1(static_cast<double>(capacity + 1) * log_r);
    for (std::size_t n = 0; n <= capacity; ++n) {
      const std::size_t power = log_rho < 0 ? n : capacity - n;
      occupancy[n] = scale * std::exp(static_cast<double>(power) * log_r);
    }
  }
  return metrics_from_occupancy(lambda, 1 / mu, std::move(occupancy));
}

} // namespace edgesim::queueing
