#pragma once
// `edgesim validate --network`: the simulator against queueing-network results for
// tandems of finite-buffer stations (docs/validate.md, "Networks").
//
// A point is (service law, N stations, K, rho, C classes). Its network: C Poisson classes
// of equal rate enter station 1 and visit stations 1..N in order; station i is one FCFS
// server with capacity K shared by all classes (`station = "shared"`), a request finding
// it full is lost. Class c's mean service at station i is
//     E[S] x kStationScale[i] x kClassScale[c],  E[S] = 10 ms,
// so the stations differ (station 2 is the bottleneck) and, with C > 1, the classes too.
// rho = the load offered to station 1 (total arrival rate x mean service there).
// The generated scenario runs it on N single-core 1 Gflop/s hosts (no network time: the
// activations are 0 bytes). Per replication the simulator's /hosts counters give each
// station's loss, throughput, mean number in system and (Little) mean response time;
// the summary gives the end-to-end values. They are set side by side with
//   exact     the continuous-time Markov chain (queueing/loss_tandem), where the laws are
//             phase-type and the chain small enough; NaN otherwise,
//   poisson   the Poisson decomposition (each station M/G/1/K with thinned input),
//   qna       the two-moment decomposition (departure scv propagated, Smith's loss).
#include <edgesim/results.hpp>

#include "queueing/loss_tandem.hpp"
#include "validate/scenario_network.hpp"
#include "validate/validation.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace edgesim::validate {

constexpr double kStationScale[] = {1.0, 1.25, 0.8, 1.1, 0.9, 1.2, 0.85, 1.05};
constexpr double kClassScale[] = {1.0, 2.0, 0.5, 1.5};
constexpr int kMaxStations = 8;
constexpr int kMaxClasses = 4;

struct NetworkPoint {
  std::vector<ServiceSpec> services; // the law of every station (its mean set by the scales)
  std::vector<int> capacities;       // K of every station
  double rho = 0.5;
  int classes = 1;

  [[nodiscard]] int stations() const { return static_cast<int>(services.size()); }
  /// "exp:2 det:5 ...": each station's law and K.
  [[nodiscard]] std::string describe() const;
  /// N stations of one law and one K.
  [[nodiscard]] static NetworkPoint uniform(const ServiceSpec& service, int stations, int K, double rho, int classes);
};

/// The queueing network of a point: per class rates, per (station, class) laws, K.
/// Throws InputError for a law the network validation does not support (`exits`).
[[nodiscard]] queueing::LossTandem network_of(const NetworkPoint& point);
/// Total arrival rate of a point.
[[nodiscard]] double network_arrival_rate(const NetworkPoint& point);

/// Writes the N-host platform (once per N), the C models and the scenario of a point into
/// `dir`; `requests` arrivals per replication over all classes; no warm-up (the /hosts
/// counters cover the whole run).
std::filesystem::path write_network_scenario(const std::filesystem::path& dir, const std::string& tag,
                                             const NetworkPoint& point, std::uint64_t requests);

/// One replication, read from the run's --json summary and its /hosts table.
struct NetworkReplication {
  std::uint64_t seed = 0;
  std::vector<queueing::TandemStationMetrics> stations;
  std::vector<std::uint64_t> arrived, lost; // per station counts (a binomial interval needs them)
  std::uint64_t offered = 0;                // end to end
  std::uint64_t offered_lost = 0;
  double loss = 0;         // end to end
  double throughput = 0;   // served per second
  double response = 0;     // sum of the stations' mean response times
  double latency_mean = 0; // mean end-to-end latency of served requests
};

/// Builds a replication from a run's summary (its "all" row, simulated time and host
/// records; `station_hosts`: the host row of each station). Throws RuntimeError when a
/// station's host is not in the summary.
[[nodiscard]] NetworkReplication network_replication(const RunSummary& run, const std::vector<int>& station_hosts,
                                                     std::uint64_t seed);

/// One row per (point, station); station 0 is the end-to-end row. `dist` and `K` are the
/// station's (end-to-end row: the common law or the laws joined by commas, and the
/// common K or 0); `tandem` describes the whole network.
struct NetworkValidationRow {
  std::string dist;
  std::int32_t stations = 0;
  std::int32_t K = 0;
  double rho = 0;
  std::int32_t classes = 0;
  std::int32_t station = 0;
  std::uint32_t reps = 0;
  double arrival_rate = 0; // reaching the station (end-to-end row: entering the network)
  double sim_loss = 0;
  double sim_loss_hw95 = 0;
  double exact_loss = 0;
  double poisson_loss = 0;
  double qna_loss = 0;
  bool loss_in_ci = false; // true where there is no exact value
  double sim_throughput = 0;
  double sim_throughput_hw95 = 0;
  double exact_throughput = 0;
  double poisson_throughput = 0;
  double qna_throughput = 0;
  bool throughput_in_ci = false;
  double sim_response = 0; // station: mean time in it; end to end: sum over the stations
  double sim_response_hw95 = 0;
  double exact_response = 0;
  double poisson_response = 0;
  double qna_response = 0;
  bool response_in_ci = false;
  double sim_latency = 0; // end-to-end row: mean latency of served requests; NaN otherwise
  double sim_latency_hw95 = 0;
  std::string tandem; // NetworkPoint::describe(): every station's law and K
};

/// The rows of one point (N station rows, then the end-to-end row). Decision intervals:
/// Student t at `pass_level` over the replications, widened by 1 % of the exact value
/// for the finite runs' start-up bias (they start empty and count from time 0); for a
/// loss, also the exact binomial interval of the pooled counts (rare losses, where few
/// or none were seen and the t interval collapses).
[[nodiscard]] std::vector<NetworkValidationRow>
evaluate_network_point(const NetworkPoint& point, const std::vector<NetworkReplication>& replications,
                       double pass_level);

/// The rows of a scenario's network (`validate --network --scenario`): a row per host
/// station (dist = the host's name) and the end-to-end row (dist "scenario"; its exact
/// response is NaN: the decompositions' value is the throughput-weighted mean of the
/// classes' visit means plus transfers, compared with the served requests' latency).
[[nodiscard]] std::vector<NetworkValidationRow>
evaluate_scenario_network(const ScenarioNetwork& network, const std::vector<NetworkReplication>& replications,
                          double pass_level);

void write_network_validation_hdf5(const std::filesystem::path& path, const std::vector<NetworkValidationRow>& rows,
                                   const ValidationMeta& meta);
[[nodiscard]] std::vector<NetworkValidationRow> read_network_validation_hdf5(const std::filesystem::path& path);
void write_network_validation_csv(const std::filesystem::path& path, const std::vector<NetworkValidationRow>& rows);
[[nodiscard]] std::vector<std::string> network_validation_columns();

} // namespace edgesim::validate
