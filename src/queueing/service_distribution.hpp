#pragma once
// Service-time laws for the analytical queueing models that validate the simulator.
//
// A ServiceDistribution is a finite mixture of deterministic, exponential and Erlang
// components. That family covers what the simulator produces (fixed per-layer latencies,
// early-exit networks whose service time depends on the exit taken) plus the textbook
// laws used to cross-check the solvers, and it keeps "number of Poisson arrivals during
// one service" analytic per component, which is all the M/G/1/K solver needs.
#include <span>
#include <vector>

namespace edgesim::queueing {

struct ServiceComponent {
  enum class Kind { Deterministic, Exponential, Erlang };
  Kind kind;
  double weight;  // mixing weight, > 0; normalised by ServiceDistribution
  double mean;    // mean service time of this component, > 0
  int stages = 1; // number of exponential phases; only read for Kind::Erlang
};

// Law of A = number of Poisson(lambda) arrivals during one service, truncated at n_max.
// The tail quantities are computed directly (never as 1 - cumulative sum) so that
// tiny blocking probabilities keep their relative accuracy.
struct ArrivalCountDistribution {
  std::vector<double> pmf;    // pmf[k] = P(A = k), k = 0..n_max
  std::vector<double> tail;   // tail[m] = P(A > m), m = 0..n_max
  std::vector<double> excess; // excess[m] = E[(A - m - 1)^+] = sum_{j > m} tail[j], m = 0..n_max
  double log_pmf_zero = 0;    // log P(A = 0): at heavy load P(A = 0) underflows, its log does not
};

class ServiceDistribution {
public:
  // Throws std::invalid_argument unless there is at least one component and every
  // component has a finite weight > 0, a finite mean > 0 and (Erlang) stages >= 1.
  explicit ServiceDistribution(std::vector<ServiceComponent> components);

  static ServiceDistribution deterministic(double mean);
  static ServiceDistribution exponential(double mean);
  static ServiceDistribution erlang(int stages, double mean);
  // Exponential(mean1) with probability p, exponential(mean2) with probability 1 - p; p in [0, 1].
  static ServiceDistribution hyperexponential2(double p, double mean1, double mean2);
  // Early-exit network: the request leaves at exit i with probability exit_probabilities[i]
  // and its service time is segment_times[0] + ... + segment_times[i] (the time to run
  // the network up to that exit). Probabilities must be >= 0 with a positive sum (they are
  // normalised); exits with probability 0 are dropped; segment times must be >= 0.
  static ServiceDistribution mixture_of_deterministic(std::span<const double> exit_probabilities,
                                                      std::span<const double> segment_times);

  [[nodiscard]] std::span<const ServiceComponent> components() const noexcept { return components_; }
  [[nodiscard]] double mean() const noexcept;
  [[nodiscard]] double second_moment() const noexcept;
  // Squared coefficient of variation Var[S] / E[S]^2 (0 for deterministic, 1 for exponential).
  [[nodiscard]] double scv() const noexcept;

  // a_k = P(k Poisson(lambda) arrivals during one service), k = 0..n_max. Per component:
  // Poisson(lambda d) for deterministic d, geometric for exponential, negative binomial
  // for Erlang; evaluated in log space so lambda * mean in the hundreds or more is fine.
  [[nodiscard]] std::vector<double> arrivals_during_service_pmf(double lambda, int n_max) const;
  // Same law with its tails, as needed by the M/G/1/K solver.
  [[nodiscard]] ArrivalCountDistribution arrivals_during_service(double lambda, int n_max) const;

private:
  std::vector<ServiceComponent> components_;
};

} // namespace edgesim::queueing
