#pragma once
// Closed-form M/M/1/K queue (K = capacity including the request in service):
//     p_n = (1 - rho) rho^n / (1 - rho^{K+1}),  rho = lambda / mu,  n = 0..K,
// and p_n = 1 / (K + 1) when rho = 1. Evaluated with expm1 on log(rho), and with the
// mirror identity p_n(rho) = p_{K-n}(1/rho) above saturation, so it neither overflows for
// large K nor loses digits for rho close to 1.
#include "queueing/queue_metrics.hpp"

namespace edgesim::queueing {

// Throws std::invalid_argument unless lambda and mu are finite and > 0 and K >= 1.
QueueMetrics solve_mm1k(double lambda, double mu, int K);

} // namespace edgesim::queueing
