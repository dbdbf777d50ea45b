#pragma once
// `edgesim validate`: the simulator against the exact M/G/1/K queue, point by point.
//
// A point is (service law, rho, K). Its single-station scenario (one 1 Gflop/s host,
// Poisson arrivals at rate rho / E[S], capacity K, E[S] = 10 ms) is written to a temporary
// directory, simulated in R independent replications (child processes, one SimGrid
// engine each), and the replication means of the loss ratio and of the mean response time
// are compared with solve_mg1k(). This header holds everything but the process handling:
// the service laws, the generated input files, the statistics and the output tables.
#include <edgesim/results.hpp>

#include "queueing/service_distribution.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace H5 {
class DataSet;
} // namespace H5

namespace edgesim::validate {

constexpr double kHostSpeed = 1e9;          // flop/s of the generated host (one core)
constexpr double kMeanService = 0.01;       // E[S] of the one-layer model, seconds
constexpr double kH2Scv = 4.0;              // squared coefficient of variation of `h2`
constexpr double kTableLevel = 0.95;        // level of the half-widths printed in the table
constexpr double kDefaultPassLevel = 0.999; // level of the intervals that decide pass/fail
// Early-exit service (`exits`): segment times (layers + classifier, seconds) and the
// probability of leaving at each of the two exits and at the final classifier.
constexpr double kExitSegments[] = {0.004, 0.004, 0.006};
constexpr double kExitProbabilities[] = {0.3, 0.3, 0.4};

/// One of the service laws `--dist` names.
struct ServiceSpec {
  enum class Kind { Deterministic, Exponential, Erlang, Hyperexponential, Exits };
  Kind kind = Kind::Exponential;
  int stages = 1; // Erlang only

  /// Canonical name: det, exp, erlang<k>, h2, exits.
  [[nodiscard]] std::string name() const;
  /// The exact law of the simulated service time (mean kMeanService except `exits`).
  [[nodiscard]] queueing::ServiceDistribution distribution() const;
};

/// Parses det|deterministic, exp|exponential, erlang<k> (k >= 1), h2, exits; throws
/// InputError naming the accepted values otherwise.
[[nodiscard]] ServiceSpec parse_service(std::string_view text);

/// Comma-separated lists; each value must be finite and > 0 (rho) or an integer >= 1
/// (K). Throws InputError naming the option and the offending value.
[[nodiscard]] std::vector<double> parse_rho_list(const std::vector<std::string>& tokens);
[[nodiscard]] std::vector<int> parse_k_list(const std::vector<std::string>& tokens);

/// Writes the one-host platform, the model and the scenario of a point into `dir` (file
/// names carry `tag`) and returns the scenario's path. `requests` arrivals per run; the
/// first min(200 E[S], 10 % of the arrival window) seconds are warm-up.
std::filesystem::path write_point_scenario(const std::filesystem::path& dir, const std::string& tag,
                                           const ServiceSpec& service, double lambda, int K, std::uint64_t requests);

// ----- statistics --------------------------------------------------------------------

/// Two-sided Student t quantile: t such that P(|T_dof| <= t) = level.
[[nodiscard]] double student_t_quantile(double level, int dof);

struct Interval {
  double mean = 0;
  double half_width = 0;
};

/// Mean of the samples and the two-sided Student t half-width at `level` (n >= 2).
[[nodiscard]] Interval t_interval(const std::vector<double>& samples, double level);

/// Exact (Clopper-Pearson) two-sided binomial interval for `successes` out of `trials`.
[[nodiscard]] std::pair<double, double> clopper_pearson(std::uint64_t successes, std::uint64_t trials, double level);

/// What one replication (one `edgesim run --json`) reported for the whole run.
struct Replication {
  std::uint64_t seed = 0;
  std::uint64_t offered = 0;
  std::uint64_t lost = 0;
  double loss_ratio = 0;
  double response_mean = 0; // mean latency of served requests, s
};

/// One validation point: simulation against the exact M/G/1/K values.
struct ValidationRow {
  std::string dist;
  double rho = 0;
  int K = 0;
  std::uint32_t reps = 0;
  std::uint64_t requests = 0;
  double lambda = 0;
  double mean_service = 0;
  double scv = 0;
  std::uint64_t offered = 0; // over all replications, after warm-up
  std::uint64_t lost = 0;
  double sim_loss = 0;
  double sim_loss_hw95 = 0; // Student t, 95 %
  double sim_loss_lo = 0;   // decision interval at the pass level
  double sim_loss_hi = 0;
  double exact_loss = 0;
  double smith_loss = 0; // NaN where the approximation is not defined
  double loss_abs_err = 0;
  bool loss_in_ci = false;
  double sim_response = 0;
  double sim_response_hw95 = 0;
  double sim_response_lo = 0;
  double sim_response_hi = 0;
  double exact_response = 0;
  double response_abs_err = 0;
  bool response_in_ci = false;
};

/// Builds a point's row from its replications. Decision intervals at `pass_level`:
/// - response time: the Student t interval, widened to at least 1e-9 relative (a
///   deterministic K = 1 station has no variance at all);
/// - loss: the hull of the Student t interval and the Clopper-Pearson interval of the
///   pooled counts (lost / offered), widened to at least 1e-9 absolute. The binomial
///   interval only matters when losses are so rare that few or none were seen, where
///   the t interval collapses to a point.
[[nodiscard]] ValidationRow evaluate_point(const ServiceSpec& service, double rho, int K, std::uint64_t requests,
                                           const std::vector<Replication>& replications, double pass_level);

/// The replication a run's "all" summary row describes.
[[nodiscard]] Replication replication_of(const SummaryRow& all, std::uint64_t seed);

// ----- output ------------------------------------------------------------------------

/// Attributes stored on /validation.
struct ValidationMeta {
  std::string command_line;
  std::string dist;
  std::uint64_t seed = 1;
  std::uint32_t reps = 0;
  std::uint64_t requests = 0;
  double pass_level = kDefaultPassLevel;
  bool passed = false;
  std::string created_at;
};

/// Writes the compound dataset /validation (one row per point, columns as ValidationRow)
/// with `meta` as its attributes, atomically: OUT.tmp.PID, then rename.
void write_validation_hdf5(const std::filesystem::path& path, const std::vector<ValidationRow>& rows,
                           const ValidationMeta& meta);
[[nodiscard]] std::vector<ValidationRow> read_validation_hdf5(const std::filesystem::path& path);
[[nodiscard]] ValidationMeta read_validation_meta(const std::filesystem::path& path);

/// The ValidationMeta attributes (plus table_level, edgesim_version, git_describe) on a
/// validation table's dataset.
void write_validation_meta(H5::DataSet& dataset, const ValidationMeta& meta);

/// CSV with a header line and the same columns (booleans 0/1, NaN as `nan`), atomically.
void write_validation_csv(const std::filesystem::path& path, const std::vector<ValidationRow>& rows);

/// The column names, in file order.
[[nodiscard]] const std::vector<std::string>& validation_columns();

} // namespace edgesim::validate
