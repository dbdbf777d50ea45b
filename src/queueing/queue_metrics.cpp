#include "queueing/queue_metrics.hpp"

#include <cstddef>
#include <stdexcept>
#include <utility>

namespace edgesim::queueing {

QueueMetrics metrics_from_occupancy(double lambda, double mean_service_time, std::vector<double> occupancy) {
  if (occupancy.size() < 2)
    throw std::invalid_argument("metrics_from_occupancy: occupancy must cover states 0..K with K >= 1");
  const std::size_t capacity = occupancy.size() - 1;
  double accepted_fraction = 0;
  double mean_in_system = 0;
  for (std::size_t n = 0; n < occupancy.size(); ++n) {
    if (n < capacity)
      accepted_fraction += occupancy[n];
    mean_in_system += static_cast<double>(n) * occupancy[n];
  }
  const double throughput = lambda * accepted_fraction;
  QueueMetrics metrics{};
  metrics.loss_probability = occupancy[capacity];
  metrics.throughput = throughput;
  metrics.mean_in_system = mean_in_system;
  metrics.mean_response_time = mean_in_system / throughput;
  metrics.utilisation = throughput * mean_service_time;
  metrics.occupancy = std::move(occupancy);
  return metrics;
}

} // namespace edgesim::queueing
