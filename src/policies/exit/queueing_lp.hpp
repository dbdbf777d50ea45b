#pragma once
// The optimisation behind the `queueing-lp` exit policy: exit probabilities that
// maximise expected accuracy subject to a station's M/G/1/K loss bound, solved with
// GLPK LPs over a grid of service-time moments (docs/exit-policies-queueing-pareto.md).
#include <span>
#include <vector>

namespace edgesim::queueing_lp {

/// max sum q_i acc_i  s.t. sum q = 1, q >= 0, sum q_i t_i <= mean_bound and, when
/// second_moment_bound is finite, sum q_i t_i^2 <= second_moment_bound.
std::vector<double> max_accuracy_lp(std::span<const double> exit_times, std::span<const double> accuracies,
                                    double mean_bound, double second_moment_bound);
/// Loss probability of a station whose service is the exit mixture q (exact M/G/1/K,
/// or Smith's approximation when exact is false).
double station_loss(std::span<const double> exit_times, std::span<const double> q, double lambda, int K, bool exact);
/// The most accurate mixture whose loss stays within max_loss (all at exit 0 if none).
std::vector<double> optimal_exit_probabilities(std::span<const double> exit_times, std::span<const double> accuracies,
                                               double lambda, int K, double max_loss, bool exact);

} // namespace edgesim::queueing_lp
