#pragma once
// Exact M/G/1/K queue: Poisson arrivals, one server, general service (a
// ServiceDistribution), room for K requests in the system including the one in service;
// arrivals that find K requests are lost.
//
// Method: the embedded Markov chain at departure epochs (states 0..K-1, the number left
// behind) is solved through its cut equations: the probability flow across the cut
// between levels j and j+1 balances, which gives
//     pi_{j+1} a_0 = pi_0 P(A > j) + sum_{i=1..j} pi_i P(A > j - i + 1),
// with A the number of arrivals during one service and a_0 = P(A = 0). Unlike the usual
// recursion pi_{j+1} = (pi_j - ...) / a_0 every term is positive, so nothing cancels even
// when a_0 is tiny (heavy load); a_0 is carried in log space and the unnormalised
// solution is rescaled whenever it grows large. Departure-epoch probabilities become
// time averages through p_n = pi_n / (pi_0 + rho), n < K, rho = lambda E[S]; the full-system
// probability p_K = 1 - 1/(pi_0 + rho) is evaluated in an equivalent cancellation-free form
// (a positive combination of pi_n and E[(A - m - 1)^+]), so small loss probabilities keep
// their relative accuracy. Cost O(K^2) time, O(K) memory.
#include "queueing/queue_metrics.hpp"
#include "queueing/service_distribution.hpp"

namespace edgesim::queueing {

// Throws std::invalid_argument unless lambda is finite and > 0 and K >= 1.
QueueMetrics solve_mg1k(double lambda, const ServiceDistribution& service, int K);

} // namespace edgesim::queueing
