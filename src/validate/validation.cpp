#include "validate/validation.hpp"

#include "validate/table_files.hpp"

#include <edgesim/error.hpp>

#include "io/hdf5_support.hpp"
#include "io/schema.hpp"
#include "queueing/mg1k.hpp"
#include "queueing/smith_approx.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <fmt/format.h>

#include <H5Cpp.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>

namespace edgesim::io {

// The /validation table: one column per ValidationRow field, in this order. pack_row()
// and compound_type() derive the file layout from this list alone.
template <> struct TableSchema<validate::ValidationRow> {
  using Row = validate::ValidationRow;
  static constexpr std::string_view dataset = "/validation";
  static constexpr std::tuple columns{
      Column{"dist", &Row::dist},
      Column{"rho", &Row::rho},
      Column{"K", &Row::K},
      Column{"reps", &Row::reps},
      Column{"requests", &Row::requests},
      Column{"lambda", &Row::lambda},
      Column{"mean_service", &Row::mean_service},
      Column{"scv", &Row::scv},
      Column{"offered", &Row::offered},
      Column{"lost", &Row::lost},
      Column{"sim_loss", &Row::sim_loss},
      Column{"sim_loss_hw95", &Row::sim_loss_hw95},
      Column{"sim_loss_lo", &Row::sim_loss_lo},
      Column{"sim_loss_hi", &Row::sim_loss_hi},
      Column{"exact_loss", &Row::exact_loss},
      Column{"smith_loss", &Row::smith_loss},
      Column{"loss_abs_err", &Row::loss_abs_err},
      Column{"loss_in_ci", &Row::loss_in_ci},
      Column{"sim_response", &Row::sim_response},
      Column{"sim_response_hw95", &Row::sim_response_hw95},
      Column{"sim_response_lo", &Row::sim_response_lo},
      Column{"sim_response_hi", &Row::sim_response_hi},
      Column{"exact_response", &Row::exact_response},
      Column{"response_abs_err", &Row::response_abs_err},
      Column{"response_in_ci", &Row::response_in_ci},
  };
};

} // namespace edgesim::io

namespace edgesim::validate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

} // namespace

// ----- service laws ------------------------------------------------------------------

std::string ServiceSpec::name() const {
  switch (kind) {
  case Kind::Deterministic:
    return "det";
  case Kind::Exponential:
    return "exp";
  case Kind::Erlang:
    return fmt::format("erlang{}", stages);
  case Kind::Hyperexponential:
    return "h2";
  case Kind::Exits:
    return "exits";
  }
  return "?";
}

queueing::ServiceDistribution ServiceSpec::distribution() const {
  switch (kind) {
  case Kind::Deterministic:
    return queueing::ServiceDistribution::deterministic(kMeanService);
  case Kind::Exponential:
    return queueing::ServiceDistribution::exponential(kMeanService);
  case Kind::Erlang:
    return queueing::ServiceDistribution::erlang(stages, kMeanService);
  case Kind::Hyperexponential: {
    // The balanced-means H2 the simulator draws (policies/work/phase_type.cpp):
    // p / mu1 = (1 - p) / mu2 with overall mean 1, scaled by E[S].
    const double p = 0.5 * (1.0 + std::sqrt((kH2Scv - 1.0) / (kH2Scv + 1.0)));
    return queueing::ServiceDistribution::hyperexponential2(p, kMeanService / (2.0 * p),
                                                            kMeanService / (2.0 * (1.0 - p)));
  }
  case Kind::Exits:
    return queueing::ServiceDistribution::mixture_of_deterministic(kExitProbabilities, kExitSegments);
  }
  throw std::logic_error("unknown service kind");
}

ServiceSpec parse_service(std::string_view text) {
  ServiceSpec spec;
  if (text == "det" || text == "deterministic") {
    spec.kind = ServiceSpec::Kind::Deterministic;
  } else if (text == "exp" || text == "exponential") {
    spec.kind = ServiceSpec::Kind::Exponential;
  } else if (text == "h2") {
    spec.kind = ServiceSpec::Kind::Hyperexponential;
  } else if (text == "exits") {
    spec.kind = ServiceSpec::Kind::Exits;
  } else if (text.starts_with("erlang")) {
    const std::string_view digits = text.substr(6);
    int k = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || k < 1 || k > 1000)
      throw InputError(fmt::format("--dist: expected erlang<k> with an integer k in 1..1000, got \"{}\"", text));
    spec.kind = ServiceSpec::Kind::Erlang;
    spec.stages = k;
  } else {
    throw InputError(
        fmt::format("--dist: expected one of det, exp, erlang<k> (e.g. erlang4), h2, exits; got \"{}\"", text));
  }
  return spec;
}

std::vector<double> parse_rho_list(const std::vector<std::string>& tokens) {
  std::vector<double> values;
  for (const auto& value : split_commas(tokens)) {
    double rho = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), rho);
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(rho) || !(rho > 0))
      throw InputError(fmt::format("--rho: expected loads > 0 (comma-separated numbers), got \"{}\"", value));
    values.push_back(rho);
  }
  if (values.empty())
    throw InputError("--rho: expected at least one load > 0");
  return values;
}

std::vector<int> parse_k_list(const std::vector<std::string>& tokens) {
  std::vector<int> values;
  for (const auto& value : split_commas(tokens)) {
    long long k = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), k);
    if (ec != std::errc() || end != value.data() + value.size() || k < 1 || k > 100000)
      throw InputError(
          fmt::format("--K: expected capacities >= 1 (comma-separated integers up to 100000), got \"{}\"", value));
    values.push_back(static_cast<int>(k));
  }
  if (values.empty())
    throw InputError("--K: expected at least one capacity >= 1");
  return values;
}

// ----- generated inputs --------------------------------------------------------------

std::filesystem::path write_point_scenario(const std::filesystem::path& dir, const std::string& tag,
                                           const ServiceSpec& service, double lambda, int K, std::uint64_t requests) {
  const auto platform = dir / "station.xml";
  if (!std::filesystem::exists(platform))
    write_text(platform, R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<!-- One 1 Gflop/s single-core station: a layer of F flops takes F / 1e9 seconds. -->
<platform version="4.1">
  <zone id="lab" routing="Full">
    <host id="s1" speed="1Gf" core="1">
      <prop id="wattage_per_state" value="1:2:2"/>
      <prop id="wattage_off" value="0"/>
    </host>
  </zone>
</platform>
)");

  std::string model;
  std::string exits = "[exits]\npolicy = \"none\"\n";
  std::string work = "\"deterministic\"";
  if (service.kind == ServiceSpec::Kind::Exits) {
    // Layer flops are the segment times minus the exit classifiers' (1 Mflop each).
    model = fmt::format(R"(name = "ee"
input_bytes = 0
final = {{ accuracy = 0.9 }}
layers = [ {{ name = "a", flops = {}, out_bytes = 0 }}, {{ name = "b", flops = {}, out_bytes = 0 }}, {{ name = "c", flops = {}, out_bytes = 0 }} ]
exits = [ {{ after = "a", flops = 1e6, accuracy = 0.6 }}, {{ after = "b", flops = 1e6, accuracy = 0.8 }} ]
)",
                        number(kExitSegments[0] * kHostSpeed - 1e6), number(kExitSegments[1] * kHostSpeed - 1e6),
                        number(kExitSegments[2] * kHostSpeed));
    exits = fmt::format("[exits]\npolicy = \"probabilities\"\nprobabilities = [{}, {}, {}]\n",
                        number(kExitProbabilities[0]), number(kExitProbabilities[1]), number(kExitProbabilities[2]));
  } else {
    model = fmt::format(R"(name = "one"
input_bytes = 0
final = {{ accuracy = 0.9 }}
layers = [ {{ name = "l", flops = {}, out_bytes = 0 }} ]
)",
                        number(kMeanService * kHostSpeed));
    switch (service.kind) {
    case ServiceSpec::Kind::Exponential:
      work = "\"exponential\"";
      break;
    case ServiceSpec::Kind::Erlang:
      work = fmt::format("{{ distribution = \"erlang\", stages = {} }}", service.stages);
      break;
    case ServiceSpec::Kind::Hyperexponential:
      work = fmt::format("{{ distribution = \"hyperexponential\", scv = {} }}", number(kH2Scv));
      break;
    default:
      break;
    }
  }
  const auto model_file = dir / fmt::format("{}.model.toml", tag);
  write_text(model_file, model);

  const double mean_service = service.distribution().mean();
  const double warmup = std::min(200 * mean_service, 0.1 * static_cast<double>(requests) / lambda);
  const std::string text = fmt::format(R"([simulation]
seed = 1
requests = {}
warmup = {}
sample_every = "1000s"
trace_requests = false

[platform]
file = {}

[hosts.default]
buffer = {}

[[tenants]]
name = "station"
source = "s1"
work = {}
arrival = {{ process = "poisson", rate = {} }}
model = {}

{})",
                                       requests, number(warmup), toml_string(platform.string()), K, work,
                                       number(lambda), toml_string(model_file.string()), exits);
  auto scenario = dir / fmt::format("{}.toml", tag);
  write_text(scenario, text);
  return scenario;
}

// ----- statistics --------------------------------------------------------------------

double student_t_quantile(double level, int dof) {
  if (!(level > 0 && level < 1) || dof < 1)
    throw std::invalid_argument("student_t_quantile: level in (0, 1) and dof >= 1 required");
  const boost::math::students_t_distribution<double> t(static_cast<double>(dof));
  return boost::math::quantile(t, 0.5 + 0.5 * level);
}

Interval t_interval(const std::vector<double>& samples, double level) {
  if (samples.size() < 2)
    throw std::invalid_argument("t_interval: at least two samples required");
  const auto n = static_cast<double>(samples.size());
  const double mean = std::accumulate(samples.begin(), samples.end(), 0.0) / n;
  double ss = 0;
  for (double x : samples)
    ss += (x - mean) * (x - mean);
  const double t = student_t_quantile(level, static_cast<int>(samples.size()) - 1);
  return {mean, t * std::sqrt(ss / (n - 1) / n)};
}

std::pair<double, double> clopper_pearson(std::uint64_t successes, std::uint64_t trials, double level) {
  if (trials == 0)
    return {0.0, 1.0};
  const double alpha = 1 - level;
  const auto k = static_cast<double>(successes);
  const auto n = static_cast<double>(trials);
  const double lower = successes == 0 ? 0.0 : boost::math::ibeta_inv(k, n - k + 1, alpha / 2);
  const double upper = successes >= trials ? 1.0 : boost::math::ibeta_inv(k + 1, n - k, 1 - alpha / 2);
  return {lower, upper};
}

ValidationRow evaluate_point(const ServiceSpec& service, double rho, int K, std::uint64_t requests,
                             const std::vector<Replication>& replications, double pass_level) {
  const auto law = service.distribution();
  ValidationRow row;
  row.dist = service.name();
  row.rho = rho;
  row.K = K;
  row.reps = static_cast<std::uint32_t>(replications.size());
  row.requests = requests;
  row.mean_service = law.mean();
  row.scv = law.scv();
  row.lambda = rho / row.mean_service;

  const auto exact = queueing::solve_mg1k(row.lambda, law, K);
  row.exact_loss = exact.loss_probability;
  row.exact_response = exact.mean_response_time;
  row.smith_loss =
      queueing::smith_formula_applicable(rho, row.scv) ? queueing::smith_loss_probability(rho, row.scv, K) : kNaN;

  std::vector<double> loss;
  std::vector<double> response;
  for (const auto& rep : replications) {
    loss.push_back(rep.loss_ratio);
    response.push_back(rep.response_mean);
    row.offered += rep.offered;
    row.lost += rep.lost;
  }

  const Interval loss95 = t_interval(loss, kTableLevel);
  const Interval loss_pass = t_interval(loss, pass_level);
  const auto [cp_lo, cp_hi] = clopper_pearson(row.lost, row.offered, pass_level);
  row.sim_loss = loss95.mean;
  row.sim_loss_hw95 = loss95.half_width;
  // A probability: the interval is clipped to [0, 1].
  row.sim_loss_lo = std::max(0.0, std::min({loss_pass.mean - loss_pass.half_width, cp_lo, loss_pass.mean - 1e-9}));
  row.sim_loss_hi = std::min(1.0, std::max({loss_pass.mean + loss_pass.half_width, cp_hi, loss_pass.mean + 1e-9}));
  row.loss_abs_err = std::abs(row.exact_loss - row.sim_loss);
  row.loss_in_ci = row.exact_loss >= row.sim_loss_lo && row.exact_loss <= row.sim_loss_hi;

  const Interval response95 = t_interval(response, kTableLevel);
  const Interval response_pass = t_interval(response, pass_level);
  const double half_width = std::max(response_pass.half_width, 1e-9 * std::abs(row.exact_response));
  row.sim_response = response95.mean;
  row.sim_response_hw95 = response95.half_width;
  row.sim_response_lo = response_pass.mean - half_width;
  row.sim_response_hi = response_pass.mean + half_width;
  row.response_abs_err = std::abs(row.exact_response - row.sim_response);
  row.response_in_ci = row.exact_response >= row.sim_response_lo && row.exact_response <= row.sim_response_hi;
  return row;
}

Replication replication_of(const SummaryRow& all, std::uint64_t seed) {
  Replication rep;
  rep.seed = seed;
  rep.offered = all.offered;
  rep.lost = all.lost;
  rep.loss_ratio = all.loss_ratio;
  rep.response_mean = all.latency_mean;
  return rep;
}

// ----- output ------------------------------------------------------------------------

const std::vector<std::string>& validation_columns() {
  static const std::vector<std::string> columns = table_columns<ValidationRow>();
  return columns;
}

void write_validation_hdf5(const std::filesystem::path& path, const std::vector<ValidationRow>& rows,
                           const ValidationMeta& meta) {
  write_table_hdf5(path, rows, [&](H5::DataSet& dataset) { write_validation_meta(dataset, meta); });
}

void write_validation_meta(H5::DataSet& dataset, const ValidationMeta& meta) {
  io::write_string_attribute(dataset, "command_line", meta.command_line);
  io::write_string_attribute(dataset, "dist", meta.dist);
  io::write_u64_attribute(dataset, "seed", meta.seed);
  io::write_u32_attribute(dataset, "reps", meta.reps);
  io::write_u64_attribute(dataset, "requests", meta.requests);
  io::write_f64_attribute(dataset, "pass_level", meta.pass_level);
  io::write_f64_attribute(dataset, "table_level", kTableLevel);
  io::write_u8_attribute(dataset, "passed", meta.passed ? 1 : 0);
  io::write_string_attribute(dataset, "created_at", meta.created_at);
  io::write_string_attribute(dataset, "edgesim_version", EDGESIM_VERSION);
  io::write_string_attribute(dataset, "git_describe", EDGESIM_GIT_DESCRIBE);
}

std::vector<ValidationRow> read_validation_hdf5(const std::filesystem::path& path) {
  return read_table_hdf5<ValidationRow>(path);
}

ValidationMeta read_validation_meta(const std::filesystem::path& path) {
  io::quiet_hdf5_errors();
  return io::translate_hdf5_errors(path.string(), [&] {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    H5::DataSet dataset = file.openDataSet("validation");
    ValidationMeta meta;
    meta.command_line = io::read_string_attribute(dataset, "command_line");
    meta.dist = io::read_string_attribute(dataset, "dist");
    meta.seed = io::read_u64_attribute(dataset, "seed");
    meta.reps = static_cast<std::uint32_t>(io::read_u64_attribute(dataset, "reps"));
    meta.requests = io::read_u64_attribute(dataset, "requests");
    meta.pass_level = io::read_f64_attribute(dataset, "pass_level");
    meta.passed = io::read_u64_attribute(dataset, "passed") != 0;
    meta.created_at = io::read_string_attribute(dataset, "created_at");
    return meta;
  });
}

void write_validation_csv(const std::filesystem::path& path, const std::vector<ValidationRow>& rows) {
  write_table_csv(path, rows);
}

} // namespace edgesim::validate
