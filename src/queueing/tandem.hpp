#pragma once
// Open Jackson tandem of M/M/1 stations with infinite buffers: Poisson(lambda) arrivals
// visit every station in order; station i serves at exponential rate mu_i. By Burke's
// theorem each station behaves as an independent M/M/1 queue, so its mean number in
// system is rho_i / (1 - rho_i) = lambda / (mu_i - lambda) and its mean sojourn
// 1 / (mu_i - lambda). A fixed delay (e.g. a network link's propagation time) adds to the
// end-to-end response time without queueing.
#include <span>
#include <vector>

namespace edgesim::queueing {

// sum_i 1 / (mu_i - lambda) + fixed_delay. Throws std::invalid_argument unless lambda is
// finite and > 0, every mu_i is finite and > lambda (stability) and fixed_delay is finite
// and >= 0.
[[nodiscard]] double jackson_tandem_mean_response(double lambda, std::span<const double> service_rates,
                                                  double fixed_delay = 0);

// Mean number in system at each station, lambda / (mu_i - lambda); same validation.
[[nodiscard]] std::vector<double> jackson_tandem_mean_in_system(double lambda, std::span<const double> service_rates);

} // namespace edgesim::queueing
