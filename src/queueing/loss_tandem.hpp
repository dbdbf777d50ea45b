#pragma once
// Open tandem of finite-buffer stations with loss: Poisson arrivals of one or more classes
// enter station 0 and visit stations 0, 1, ..., N-1 in order. Station i is one FCFS
// server with capacity K_i (requests in system, including the one in service) shared by
// all classes; a request arriving at a full station is lost (no blocking of the station
// before it). Class c's service at station i follows its own law.
//
// Three ways to evaluate it:
// - solve_loss_tandem_ctmc: the exact continuous-time Markov chain. A station's state is
//   the FCFS sequence of classes in it and the service phase of its head (each law as a
//   phase-type distribution); the chain is their product, solved with Eigen (a Debian
//   package; GLPK solves LPs, not linear systems): sparse LU, exact to rounding, up to
//   5,000 states, then BiCGSTAB with a Jacobi preconditioner to a relative residual of
//   1e-13 (checked), since the product structure fills a direct factorisation in
//   (30,000 states: a minute by LU, 0.03 s this way). Only for phase-type
//   laws (no deterministic part) and up to `max_states` states.
// - decompose_poisson: each station an M/G/1/K (solve_mg1k, exact for Poisson input) fed
//   by the Poisson stream the stations before it let through, thinned by their losses;
//   classes are merged into one stream whose service law is their rate-weighted mixture.
// - decompose_two_moment: QNA-style. The arrival stream of a station is described by its
//   rate and squared coefficient of variation c_a^2 (1 at station 0). The station is
//   evaluated as a Poisson-input M/G/1/K whose service scv is c_a^2 + c_s^2 - 1 (so its
//   heavy-traffic variability (1 + scv) / 2 equals the GI/G/1 one, (c_a^2 + c_s^2) / 2;
//   clamped at 0), its loss taken from Smith's closed-form (diffusion-type) approximation
//   with that scv where it is defined (smith_approx.hpp), else from that M/G/1/K. The
//   departure scv passed on is Whitt's c_d^2 = u^2 c_s^2 + (1 - u^2) c_a^2, u = the
//   carried utilisation (throughput x mean service).
#include "queueing/service_distribution.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace edgesim::queueing {

struct LossTandem {
  std::vector<double> arrival_rates;                     // per class, into station 0
  std::vector<std::vector<ServiceDistribution>> service; // [station][class]
  std::vector<int> capacity;                             // K per station, >= 1
};

struct TandemStationMetrics {
  double arrival_rate = 0;   // requests/s reaching the station (all classes)
  double loss = 0;           // fraction of those lost there
  double throughput = 0;     // served per second
  double mean_in_system = 0; // time average
  double response = 0;       // mean time in the station of a request served there
};

struct TandemMetrics {
  std::vector<TandemStationMetrics> stations;
  double loss = 0;       // end to end: 1 - throughput / total arrival rate
  double throughput = 0; // leaving the last station
  double response = 0;   // sum of the stations' mean response times
};

/// The general case: class c arrives (Poisson) at station route[0] and visits its route in
/// order (stations may repeat), taking service[v] at its v-th visit; each station is one
/// FCFS server with capacity K shared by everything in it, loss when full. A tandem is
/// the network in which every class has the route 0, 1, ..., N-1.
struct LossNetwork {
  struct Class {
    double arrival_rate = 0;
    std::vector<std::size_t> route;           // station of each visit
    std::vector<ServiceDistribution> service; // law of each visit
  };
  std::vector<Class> classes;
  std::vector<int> capacity; // K per station
};

struct ClassMetrics {
  double arrival_rate = 0;
  double throughput = 0;              // completing its last visit
  double loss = 0;                    // 1 - throughput / arrival rate
  double response = 0;                // sum over its visits of the visit's mean response time
  std::vector<double> visit_response; // mean time at each visit of a request served there
};

struct NetworkMetrics {
  std::vector<TandemStationMetrics> stations;
  std::vector<ClassMetrics> classes;
};

/// Throws std::invalid_argument on an inconsistent network (sizes, K < 1, rates <= 0).
void check_loss_tandem(const LossTandem& network);
void check_loss_network(const LossNetwork& network);

/// The tandem as a LossNetwork (every class on route 0..N-1).
[[nodiscard]] LossNetwork as_network(const LossTandem& tandem);

/// The three evaluations for the general network (see the tandem versions below).
[[nodiscard]] std::optional<NetworkMetrics> solve_loss_network_ctmc(const LossNetwork& network,
                                                                    std::size_t max_states = 200000);
[[nodiscard]] NetworkMetrics decompose_poisson(const LossNetwork& network);
[[nodiscard]] NetworkMetrics decompose_two_moment(const LossNetwork& network);

/// nullopt when a law has a deterministic component or the chain would exceed max_states.
[[nodiscard]] std::optional<TandemMetrics> solve_loss_tandem_ctmc(const LossTandem& network,
                                                                  std::size_t max_states = 200000);
[[nodiscard]] TandemMetrics decompose_poisson(const LossTandem& network);
[[nodiscard]] TandemMetrics decompose_two_moment(const LossTandem& network);

} // namespace edgesim::queueing
