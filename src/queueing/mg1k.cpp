#include "queueing/mg1k.hpp"

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

namespace edgesim::queueing {
namespace {

// The unnormalised chain solution is kept below this size; beyond it the values computed
// so far are scaled down, which changes nothing once the result is normalised.
constexpr double kRescaleAbove = 1e200;

} // namespace

QueueMetrics solve_mg1k(double lambda, const ServiceDistribution& service, int K) {
  if (!std::isfinite(lambda) || lambda <= 0)
    throw std::invalid_argument("solve_mg1k: arrival rate lambda must be finite and > 0");
  if (K < 1)
    throw std::invalid_argument("solve_mg1k: capacity K must be >= 1 (it counts the request in service)");
  const double mean_service = service.mean();
  const double rho = lambda * mean_service;
  if (!std::isfinite(rho))
    throw std::invalid_argument("solve_mg1k: offered load lambda * E[S] overflows");

  if (K == 1) {
    // Pure loss system: each departure leaves it empty, pi_0 = 1, whatever the service law.
    return metrics_from_occupancy(lambda, mean_service, {1 / (1 + rho), rho / (1 + rho)});
  }

  const auto capacity = static_cast<std::size_t>(K);
  const auto arrivals = service.arrivals_during_service(lambda, K - 1);
  const auto& tail = arrivals.tail;                        // tail[m] = P(A > m)
  const auto& excess = arrivals.excess;                    // excess[m] = E[(A - m - 1)^+]
  const double pmf_zero = std::exp(arrivals.log_pmf_zero); // may underflow to 0; the log is kept

  // Unnormalised departure-epoch probabilities, x[0] = 1 up to the rescaling.
  std::vector<double> x(capacity, 0.0);
  x[0] = 1;
  for (std::size_t j = 0; j + 1 < capacity; ++j) {
    double upward_flow = x[0] * tail[j];
    for (std::size_t i = 1; i <= j; ++i)
      upward_flow += x[i] * tail[j - i + 1];
    if (upward_flow == 0) {
      x[j + 1] = 0;
    } else if (upward_flow <= kRescaleAbove * pmf_zero) {
      x[j + 1] = upward_flow / pmf_zero;
    } else {
      const double shrink = std::exp(arrivals.log_pmf_zero - std::log(upward_flow));
      for (std::size_t i = 0; i <= j; ++i)
        x[i] *= shrink;
      x[j + 1] = 1;
    }
  }

  // Summing the cut equations shows x_0 - (1 - rho) sum_n x_n equals the positive
  // combination below; divided by x_0 + rho sum_n x_n it is p_K = 1 - 1/(pi_0 + rho).
  double departure_mass = 0;
  for (double value : x)
    departure_mass += value;
  double full_mass = x[capacity - 1] * excess[0] + x[0] * excess[capacity - 2];
  for (std::size_t i = 1; i + 1 < capacity; ++i)
    full_mass += x[i] * excess[capacity - 1 - i];

  // departure_mass + full_mass = x_0 + rho sum_n x_n in exact arithmetic; normalising by
  // the left side makes the occupancy sum to 1 to rounding.
  const double normaliser = departure_mass + full_mass;
  std::vector<double> occupancy(capacity + 1);
  for (std::size_t n = 0; n < capacity; ++n)
    occupancy[n] = x[n] / normaliser;
  occupancy[capacity] = full_mass / normaliser;
  return metrics_from_occupancy(lambda, mean_service, std::move(occupancy));
}

} // namespace edgesim::queueing
