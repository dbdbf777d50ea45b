#pragma once
// Exact stationary solution of a single FCFS server with a finite buffer shared by
// several Poisson classes with exponential service of class-dependent rate
// (M/M_c/1/K, FCFS, one K for all classes together). The state is the ordered sequence
// of classes in system (the head is in service), so the chain has sum_{n<=K} C^n states;
// it is solved directly. The reference for shared device stations (ChainNet's device
// model) in tests and `validate`.
#include <cstddef>
#include <span>
#include <vector>

namespace edgesim::queueing {

struct MulticlassResult {
  double loss = 0;                    // P(K in system): every class is lost then (PASTA)
  std::vector<double> throughput;     // per class, served per second
  std::vector<double> mean_in_system; // per class
  std::vector<double> response_time;  // per class, mean time in system of a served request
};

/// `arrival_rates[c]` and `service_rates[c]` (1 / mean service) per class; K >= 1.
/// Throws std::invalid_argument when the state space would exceed `max_states`.
[[nodiscard]] MulticlassResult solve_multiclass_fcfs(std::span<const double> arrival_rates,
                                                     std::span<const double> service_rates, int K,
                                                     std::size_t max_states = 20000);

} // namespace edgesim::queueing
