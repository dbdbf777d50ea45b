#include "queueing/tandem.hpp"

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace edgesim::queueing {
namespace {

void validate_tandem(double lambda, std::span<const double> service_rates) {
  if (!std::isfinite(lambda) || lambda <= 0)
    throw std::invalid_argument("jackson tandem: arrival rate lambda must be finite and > 0");
  for (std::size_t station = 0; station < service_rates.size(); ++station) {
    const double mu = service_rates[station];
    if (!std::isfinite(mu) || !(mu > lambda))
      throw std::invalid_argument("jackson tandem: station " + std::to_string(station) +
                                  " is unstable (service rate must be finite and exceed the arrival rate)");
  }
}

} // namespace

double jackson_tandem_mean_response(double lambda, std::span<const double> service_rates, double fixed_delay) {
  validate_tandem(lambda, service_rates);
  if (!std::isfinite(fixed_delay) || fixed_delay < 0)
    throw std::invalid_argument("jackson tandem: fixed delay must be finite and >= 0");
  double response = fixed_delay;
  for (double mu : service_rates)
    response += 1 / (mu - lambda);
  return response;
}

std::vector<double> jackson_tandem_mean_in_system(double lambda, std::span<const double> service_rates) {
  validate_tandem(lambda, service_rates);
  std::vector<double> mean_in_system;
  mean_in_system.reserve(service_rates.size());
  for (double mu : service_rates)
    mean_in_system.push_back(lambda / (mu - lambda));
  return mean_in_system;
}

} // namespace edgesim::queueing
