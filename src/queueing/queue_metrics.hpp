#pragma once
// Steady-state metrics of a single-server finite-capacity queue, shared by the exact
// M/M/1/K and M/G/1/K solvers so that their outputs compare field by field.
#include <vector>

namespace edgesim::queueing {

struct QueueMetrics {
  double loss_probability;       // P(an arrival finds the system full) = p_K (PASTA)
  double throughput;             // accepted requests per unit time, lambda (1 - p_K)
  double mean_in_system;         // L = sum_n n p_n, the request in service included
  double mean_response_time;     // W = L / throughput (Little's law on accepted requests)
  double utilisation;            // P(server busy) = throughput * E[S]
  std::vector<double> occupancy; // time-average p_n, n = 0..K
};

// Derives every metric from the time-average occupancy p_0..p_K. The accepted fraction is
// summed as p_0 + ... + p_{K-1} rather than taken as 1 - p_K, so it stays accurate when
// nearly every request is lost.
QueueMetrics metrics_from_occupancy(double lambda, double mean_service_time, std::vector<double> occupancy);

} // namespace edgesim::queueing
