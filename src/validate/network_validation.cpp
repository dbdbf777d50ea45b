#include "validate/network_validation.hpp"

#include <edgesim/error.hpp>

#include "validate/table_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgesim::io {

// The /validation_network table: one column per NetworkValidationRow field, in order.
template <> struct TableSchema<validate::NetworkValidationRow> {
  using Row = validate::NetworkValidationRow;
  static constexpr std::string_view dataset = "/validation_network";
  static constexpr std::tuple columns{
      Column{"dist", &Row::dist},
      Column{"stations", &Row::stations},
      Column{"K", &Row::K},
      Column{"rho", &Row::rho},
      Column{"classes", &Row::classes},
      Column{"station", &Row::station},
      Column{"reps", &Row::reps},
      Column{"arrival_rate", &Row::arrival_rate},
      Column{"sim_loss", &Row::sim_loss},
      Column{"sim_loss_hw95", &Row::sim_loss_hw95},
      Column{"exact_loss", &Row::exact_loss},
      Column{"poisson_loss", &Row::poisson_loss},
      Column{"qna_loss", &Row::qna_loss},
      Column{"loss_in_ci", &Row::loss_in_ci},
      Column{"sim_throughput", &Row::sim_throughput},
      Column{"sim_throughput_hw95", &Row::sim_throughput_hw95},
      Column{"exact_throughput", &Row::exact_throughput},
      Column{"poisson_throughput", &Row::poisson_throughput},
      Column{"qna_throughput", &Row::qna_throughput},
      Column{"throughput_in_ci", &Row::throughput_in_ci},
      Column{"sim_response", &Row::sim_response},
      Column{"sim_response_hw95", &Row::sim_response_hw95},
      Column{"exact_response", &Row::exact_response},
      Column{"poisson_response", &Row::poisson_response},
      Column{"qna_response", &Row::qna_response},
      Column{"response_in_ci", &Row::response_in_ci},
      Column{"sim_latency", &Row::sim_latency},
      Column{"sim_latency_hw95", &Row::sim_latency_hw95},
      Column{"tandem", &Row::tandem},
  };
};

} // namespace edgesim::io

namespace edgesim::validate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double station_scale(int i) {
  return kStationScale[static_cast<std::size_t>(i) % std::size(kStationScale)];
}

double class_scale(int c) {
  return kClassScale[static_cast<std::size_t>(c) % std::size(kClassScale)];
}

/// The law of a per-visit work factor (mean 1) times `mean`.
queueing::ServiceDistribution scaled(const queueing::ServiceDistribution& unit_mean_law, double mean) {
  std::vector<queueing::ServiceComponent> components(unit_mean_law.components().begin(),
                                                     unit_mean_law.components().end());
  const double factor = mean / unit_mean_law.mean();
  for (auto& c : components)
    c.mean *= factor;
  return queueing::ServiceDistribution(std::move(components));
}

std::string work_value(const ServiceSpec& service) {
  switch (service.kind) {
  case ServiceSpec::Kind::Deterministic:
    return "\"deterministic\"";
  case ServiceSpec::Kind::Exponential:
    return "\"exponential\"";
  case ServiceSpec::Kind::Erlang:
    return fmt::format("{{ distribution = \"erlang\", stages = {} }}", service.stages);
  case ServiceSpec::Kind::Hyperexponential:
    return fmt::format("{{ distribution = \"hyperexponential\", scv = {} }}", number(kH2Scv));
  case ServiceSpec::Kind::Exits:
    break;
  }
  throw InputError("--dist exits: the network validation takes det, exp, erlang<k> or h2");
}

double mean_service(int station, int cls) {
  return kMeanService * station_scale(station) * class_scale(cls);
}

struct Summary {
  double mean = kNaN;
  double hw95 = kNaN;
  double lo = kNaN;
  double hi = kNaN;
};

Summary summarise(const std::vector<double>& x, double pass_level, double exact) {
  const Interval table = t_interval(x, kTableLevel);
  const Interval pass = t_interval(x, pass_level);
  const double widen = std::isfinite(exact) ? 0.01 * std::abs(exact) : 0.0;
  const double half = std::max(pass.half_width, 1e-9 * std::abs(pass.mean)) + widen;
  return {table.mean, table.half_width, pass.mean - half, pass.mean + half};
}

bool holds(const Summary& s, double exact) {
  return !std::isfinite(exact) || (exact >= s.lo && exact <= s.hi);
}

} // namespace

std::string NetworkPoint::describe() const {
  std::string text;
  for (std::size_t i = 0; i < services.size(); ++i)
    text += fmt::format("{}{}:{}", i > 0 ? " " : "", services[i].name(), capacities[i]);
  return text;
}

NetworkPoint NetworkPoint::uniform(const ServiceSpec& service, int stations, int K, double rho, int classes) {
  NetworkPoint p;
  p.services.assign(static_cast<std::size_t>(stations), service);
  p.capacities.assign(static_cast<std::size_t>(stations), K);
  p.rho = rho;
  p.classes = classes;
  return p;
}

queueing::LossTandem network_of(const NetworkPoint& point) {
  if (point.services.empty() || point.services.size() != point.capacities.size())
    throw InputError("a network needs a law and a K for every station");
  queueing::LossTandem net;
  const double total = network_arrival_rate(point);
  net.arrival_rates.assign(static_cast<std::size_t>(point.classes), total / point.classes);
  for (int i = 0; i < point.stations(); ++i) {
    const ServiceSpec& service = point.services[static_cast<std::size_t>(i)];
    (void)work_value(service); // rejects `exits`
    const auto unit = service.distribution();
    net.service.emplace_back();
    for (int c = 0; c < point.classes; ++c)
      net.service.back().push_back(scaled(unit, mean_service(i, c)));
    net.capacity.push_back(point.capacities[static_cast<std::size_t>(i)]);
  }
  return net;
}

double network_arrival_rate(const NetworkPoint& point) {
  double mean_first = 0; // classes have equal rates: the mean service at station 1
  for (int c = 0; c < point.classes; ++c)
    mean_first += mean_service(0, c) / point.classes;
  return point.rho / mean_first;
}

std::filesystem::path write_network_scenario(const std::filesystem::path& dir, const std::string& tag,
                                             const NetworkPoint& point, std::uint64_t requests) {
  (void)network_of(point); // validates the laws and the capacities
  const bool one_law = std::all_of(point.services.begin(), point.services.end(),
                                   [&](const ServiceSpec& s) { return s.name() == point.services.front().name(); });
  std::string work = "work = " + work_value(point.services.front());
  if (!one_law) {
    work = "fragment_work = [";
    for (std::size_t i = 0; i < point.services.size(); ++i)
      work += (i > 0 ? ", " : " ") + work_value(point.services[i]);
    work += " ]";
  }
  const int stations = point.stations();
  const auto platform = dir / fmt::format("tandem{}.xml", stations);
  if (!std::filesystem::exists(platform)) {
    std::string xml = fmt::format(R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<!-- {} single-core 1 Gflop/s stations: a layer of F flops takes F / 1e9 s; activations
     of 0 bytes are handed over without a transfer. -->
<platform version="4.1">
  <zone id="tandem" routing="Full">
)",
                                  stations);
    for (int i = 1; i <= stations; ++i)
      xml += fmt::format("    <host id=\"s{}\" speed=\"1Gf\" core=\"1\">\n      <prop id=\"wattage_per_state\" "
                         "value=\"1:2:2\"/>\n    </host>\n",
                         i);
    std::string routes;
    for (int i = 1; i <= stations; ++i)
      for (int j = i + 1; j <= stations; ++j) {
        xml += fmt::format("    <link id=\"l{}_{}\" bandwidth=\"10Gbps\" latency=\"0\"/>\n", i, j);
        routes += fmt::format("    <route src=\"s{0}\" dst=\"s{1}\"><link_ctn id=\"l{0}_{1}\"/></route>\n", i, j);
      }
    xml += routes;
    xml += "  </zone>\n</platform>\n";
    write_text(platform, xml);
  }
  const double rate = network_arrival_rate(point) / point.classes;
  const auto per_class = std::max<std::uint64_t>(1, requests / static_cast<std::uint64_t>(std::max(1, point.classes)));
  std::string tenants;
  for (int c = 0; c < point.classes; ++c) {
    std::string layers;
    for (int i = 0; i < stations; ++i)
      layers += fmt::format("{}{{ name = \"l{}\", flops = {}, out_bytes = 0 }}", i > 0 ? ", " : "", i + 1,
                            number(mean_service(i, c) * kHostSpeed));
    const auto model = dir / fmt::format("{}.c{}.model.toml", tag, c);
    write_text(
        model,
        fmt::format("name = \"class{}\"\ninput_bytes = 0\nfinal = {{ accuracy = 0.9 }}\nlayers = [ {} ]\n", c, layers));
    tenants += fmt::format("\n[[tenants]]\nname = \"c{}\"\nsource = \"s1\"\n{}\narrival = {{ process = "
                           "\"poisson\", rate = {} }}\nmodel = {}\n",
                           c, work, number(rate), toml_string(model.string()));
  }
  std::string fragments;
  std::string capacities;
  for (int i = 0; i < stations; ++i)
    capacities += fmt::format("\n[hosts.s{}]\nbuffer = {}\n", i + 1, point.capacities[static_cast<std::size_t>(i)]);
  for (int i = 0; i < stations; ++i)
    fragments += fmt::format("{}{{ layers = \"{}-{}\", host = \"s{}\" }}", i > 0 ? ", " : "", i, i, i + 1);
  const std::string text = fmt::format(R"([simulation]
seed = 1
requests = {}
warmup = 0
sample_every = "1e6s"
trace_requests = false

[platform]
file = {}

[hosts.default]
station = "shared"
{}{}
[placement]
policy = "manual"
fragments = [ {} ]
)",
                                       per_class, toml_string(platform.string()), capacities, tenants, fragments);
  auto scenario = dir / fmt::format("{}.toml", tag);
  write_text(scenario, text);
  return scenario;
}

NetworkReplication network_replication(const RunSummary& run, const std::vector<int>& station_hosts,
                                       std::uint64_t seed) {
  const std::vector<HostRecord>& hosts = run.hosts;
  for (int h : station_hosts)
    if (h < 0 || static_cast<std::size_t>(h) >= hosts.size())
      throw RuntimeError(fmt::format("run summary has {} hosts, a station is host {}", hosts.size(), h));
  const double seconds = run.simulated_seconds;
  const SummaryRow& all = run.rows.back();
  NetworkReplication rep;
  rep.seed = seed;
  rep.loss = all.loss_ratio;
  rep.offered = all.offered;
  rep.offered_lost = all.lost;
  rep.throughput = all.throughput;
  rep.latency_mean = all.latency_mean;
  for (int host : station_hosts) {
    const HostRecord& h = hosts[static_cast<std::size_t>(host)];
    const auto arrived = static_cast<double>(h.served + h.lost);
    queueing::TandemStationMetrics s;
    s.arrival_rate = seconds > 0 ? arrived / seconds : 0;
    s.loss = arrived > 0 ? static_cast<double>(h.lost) / arrived : 0;
    s.throughput = seconds > 0 ? static_cast<double>(h.served) / seconds : 0;
    s.mean_in_system = h.mean_queue;
    s.response = s.throughput > 0 ? s.mean_in_system / s.throughput : 0;
    rep.response += s.response;
    rep.stations.push_back(s);
    rep.arrived.push_back(h.served + h.lost);
    rep.lost.push_back(h.lost);
  }
  return rep;
}

namespace {

/// What a reference (the chain, a decomposition) says of each station and end to end.
struct Reference {
  std::vector<queueing::TandemStationMetrics> stations;
  double loss = kNaN;
  double throughput = kNaN;
  double response = kNaN;
};

Reference reference_of(const queueing::TandemMetrics& m) {
  return Reference{m.stations, m.loss, m.throughput, m.response};
}

/// How the rows are labelled; station_dist/station_K per station, then the end-to-end row's.
struct RowLabels {
  std::vector<std::string> station_dist;
  std::vector<int> station_K;
  std::string e2e_dist;
  int e2e_K = 0;
  std::string tandem;
  double rho = kNaN;
  int classes = 0;
  double arrival_rate = 0; // entering the network
};

/// N station rows and the end-to-end row. `e2e_from_latency`: the end-to-end response
/// compared is the served requests' mean latency (a scenario network), not the sum of the
/// stations' means (a tandem).
std::vector<NetworkValidationRow> build_rows(const RowLabels& labels, const std::optional<Reference>& exact,
                                             const Reference& poisson, const Reference& qna,
                                             const std::vector<NetworkReplication>& replications, double pass_level,
                                             bool e2e_from_latency) {
  std::vector<NetworkValidationRow> rows;
  const auto n = static_cast<int>(labels.station_dist.size());
  for (int station = 1; station <= n + 1; ++station) {
    const bool end_to_end = station == n + 1;
    const auto i = static_cast<std::size_t>(station - 1);
    auto pick = [&](const Reference& m, auto member, double whole) {
      return end_to_end ? whole : m.stations[i].*member;
    };
    NetworkValidationRow row;
    row.dist = end_to_end ? labels.e2e_dist : labels.station_dist[i];
    row.stations = n;
    row.K = end_to_end ? labels.e2e_K : labels.station_K[i];
    row.tandem = labels.tandem;
    row.rho = labels.rho;
    row.classes = labels.classes;
    row.station = end_to_end ? 0 : station;
    row.reps = static_cast<std::uint32_t>(replications.size());
    row.arrival_rate = end_to_end ? labels.arrival_rate : poisson.stations[i].arrival_rate;
    using M = queueing::TandemStationMetrics;
    row.exact_loss = exact ? pick(*exact, &M::loss, exact->loss) : kNaN;
    row.exact_throughput = exact ? pick(*exact, &M::throughput, exact->throughput) : kNaN;
    row.exact_response = exact ? pick(*exact, &M::response, exact->response) : kNaN;
    row.poisson_loss = pick(poisson, &M::loss, poisson.loss);
    row.poisson_throughput = pick(poisson, &M::throughput, poisson.throughput);
    row.poisson_response = pick(poisson, &M::response, poisson.response);
    row.qna_loss = pick(qna, &M::loss, qna.loss);
    row.qna_throughput = pick(qna, &M::throughput, qna.throughput);
    row.qna_response = pick(qna, &M::response, qna.response);
    std::vector<double> loss, throughput, response, latency;
    std::uint64_t trials = 0, losses = 0;
    for (const auto& rep : replications) {
      trials += end_to_end ? rep.offered : rep.arrived[i];
      losses += end_to_end ? rep.offered_lost : rep.lost[i];
      loss.push_back(end_to_end ? rep.loss : rep.stations[i].loss);
      throughput.push_back(end_to_end ? rep.throughput : rep.stations[i].throughput);
      response.push_back(end_to_end ? (e2e_from_latency ? rep.latency_mean : rep.response) : rep.stations[i].response);
      latency.push_back(rep.latency_mean);
    }
    Summary l = summarise(loss, pass_level, row.exact_loss);
    const auto [cp_lo, cp_hi] = clopper_pearson(losses, trials, pass_level);
    l.lo = std::max(0.0, std::min(l.lo, cp_lo));
    l.hi = std::min(1.0, std::max(l.hi, cp_hi));
    const Summary x = summarise(throughput, pass_level, row.exact_throughput);
    const Summary w = summarise(response, pass_level, row.exact_response);
    row.sim_loss = l.mean;
    row.sim_loss_hw95 = l.hw95;
    row.loss_in_ci = holds(l, row.exact_loss);
    row.sim_throughput = x.mean;
    row.sim_throughput_hw95 = x.hw95;
    row.throughput_in_ci = holds(x, row.exact_throughput);
    row.sim_response = w.mean;
    row.sim_response_hw95 = w.hw95;
    row.response_in_ci = holds(w, row.exact_response);
    if (end_to_end) {
      const Summary t = summarise(latency, pass_level, kNaN);
      row.sim_latency = t.mean;
      row.sim_latency_hw95 = t.hw95;
    } else {
      row.sim_latency = kNaN;
      row.sim_latency_hw95 = kNaN;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

/// A scenario network's reference: stations as computed, end to end over all classes
/// (response: the throughput-weighted mean over classes of their visit means plus
/// transfers, an estimate of the served requests' latency, hence not "exact").
Reference reference_of(const queueing::NetworkMetrics& m, const std::vector<double>& transfer_delay) {
  Reference r;
  r.stations = m.stations;
  double offered = 0;
  double served = 0;
  double weighted_response = 0;
  for (std::size_t c = 0; c < m.classes.size(); ++c) {
    offered += m.classes[c].arrival_rate;
    served += m.classes[c].throughput;
    weighted_response += m.classes[c].throughput * (m.classes[c].response + transfer_delay[c]);
  }
  r.throughput = served;
  r.loss = 1.0 - served / offered;
  r.response = served > 0 ? weighted_response / served : kNaN;
  return r;
}

} // namespace

std::vector<NetworkValidationRow> evaluate_network_point(const NetworkPoint& point,
                                                         const std::vector<NetworkReplication>& replications,
                                                         double pass_level) {
  const queueing::LossTandem net = network_of(point);
  const auto exact = queueing::solve_loss_tandem_ctmc(net);
  RowLabels labels;
  std::string laws;
  bool one_law = true;
  bool one_k = true;
  for (std::size_t s = 0; s < point.services.size(); ++s) {
    laws += (s > 0 ? "," : "") + point.services[s].name();
    one_law = one_law && point.services[s].name() == point.services.front().name();
    one_k = one_k && point.capacities[s] == point.capacities.front();
    labels.station_dist.push_back(point.services[s].name());
    labels.station_K.push_back(point.capacities[s]);
  }
  labels.e2e_dist = one_law ? point.services.front().name() : laws;
  labels.e2e_K = one_k ? point.capacities.front() : 0;
  labels.tandem = point.describe();
  labels.rho = point.rho;
  labels.classes = point.classes;
  labels.arrival_rate = network_arrival_rate(point);
  return build_rows(labels, exact ? std::optional<Reference>(reference_of(*exact)) : std::nullopt,
                    reference_of(queueing::decompose_poisson(net)), reference_of(queueing::decompose_two_moment(net)),
                    replications, pass_level, false);
}

std::vector<NetworkValidationRow> evaluate_scenario_network(const ScenarioNetwork& network,
                                                            const std::vector<NetworkReplication>& replications,
                                                            double pass_level) {
  const auto exact = queueing::solve_loss_network_ctmc(network.network);
  RowLabels labels;
  for (std::size_t s = 0; s < network.station_names.size(); ++s) {
    labels.station_dist.push_back(network.station_names[s]);
    labels.station_K.push_back(network.network.capacity[s]);
  }
  labels.e2e_dist = "scenario";
  labels.tandem = network.description;
  labels.classes = static_cast<int>(network.network.classes.size());
  for (const auto& c : network.network.classes)
    labels.arrival_rate += c.arrival_rate;
  std::optional<Reference> exact_reference;
  if (exact) {
    exact_reference = reference_of(*exact, network.transfer_delay);
    exact_reference->response = kNaN; // the served requests' mean latency has no closed form here
  }
  return build_rows(labels, exact_reference,
                    reference_of(queueing::decompose_poisson(network.network), network.transfer_delay),
                    reference_of(queueing::decompose_two_moment(network.network), network.transfer_delay), replications,
                    pass_level, true);
}

void write_network_validation_hdf5(const std::filesystem::path& path, const std::vector<NetworkValidationRow>& rows,
                                   const ValidationMeta& meta) {
  write_table_hdf5(path, rows, [&](H5::DataSet& dataset) { write_validation_meta(dataset, meta); });
}

std::vector<NetworkValidationRow> read_network_validation_hdf5(const std::filesystem::path& path) {
  return read_table_hdf5<NetworkValidationRow>(path);
}

void write_network_validation_csv(const std::filesystem::path& path, const std::vector<NetworkValidationRow>& rows) {
  write_table_csv(path, rows);
}

std::vector<std::string> network_validation_columns() {
  return table_columns<NetworkValidationRow>();
}

} // namespace edgesim::validate
