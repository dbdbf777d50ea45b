#include "queueing/loss_tandem.hpp"

#include "queueing/mg1k.hpp"
#include "queueing/phase_type.hpp"
#include "queueing/smith_approx.hpp"

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/Sparse>
#include <Eigen/SparseLU>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace edgesim::queueing {

void check_loss_tandem(const LossTandem& network) {
  const std::size_t classes = network.arrival_rates.size();
  if (classes == 0 || network.service.empty() || network.capacity.size() != network.service.size())
    throw std::invalid_argument("loss tandem: at least one class and one station, a capacity per station");
  for (double rate : network.arrival_rates)
    if (!(rate > 0) || !std::isfinite(rate))
      throw std::invalid_argument("loss tandem: arrival rates must be finite and > 0");
  for (std::size_t i = 0; i < network.service.size(); ++i) {
    if (network.service[i].size() != classes)
      throw std::invalid_argument("loss tandem: one service law per class at every station");
    if (network.capacity[i] < 1)
      throw std::invalid_argument("loss tandem: K >= 1 at every station");
  }
}

void check_loss_network(const LossNetwork& network) {
  if (network.classes.empty() || network.capacity.empty())
    throw std::invalid_argument("loss network: at least one class and one station");
  for (int K : network.capacity)
    if (K < 1)
      throw std::invalid_argument("loss network: K >= 1 at every station");
  for (const auto& c : network.classes) {
    if (!(c.arrival_rate > 0) || !std::isfinite(c.arrival_rate))
      throw std::invalid_argument("loss network: arrival rates must be finite and > 0");
    if (c.route.empty() || c.service.size() != c.route.size())
      throw std::invalid_argument("loss network: a non-empty route with a service law per visit");
    for (std::size_t s : c.route)
      if (s >= network.capacity.size())
        throw std::invalid_argument("loss network: a route names a station without a capacity");
  }
}

LossNetwork as_network(const LossTandem& tandem) {
  check_loss_tandem(tandem);
  LossNetwork net;
  net.capacity = tandem.capacity;
  for (std::size_t c = 0; c < tandem.arrival_rates.size(); ++c) {
    LossNetwork::Class cls;
    cls.arrival_rate = tandem.arrival_rates[c];
    for (std::size_t i = 0; i < tandem.service.size(); ++i) {
      cls.route.push_back(i);
      cls.service.push_back(tandem.service[i][c]);
    }
    net.classes.push_back(std::move(cls));
  }
  return net;
}

namespace {

constexpr std::size_t kDirectSolveStates = 5000; // sparse LU up to here, BiCGSTAB above
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

/// A visit type: class c at its v-th visit. Requests in a station are a FCFS sequence of
/// visit types; the type says where the request goes next and which law it is served by.
struct VisitTypes {
  std::vector<std::size_t> cls, station, next; // next: the type of its following visit, or kNone
  std::vector<std::size_t> first;              // the type of each class's first visit
  std::vector<std::vector<std::size_t>> at;    // types that visit each station
  std::vector<const ServiceDistribution*> law;

  explicit VisitTypes(const LossNetwork& net) : at(net.capacity.size()) {
    for (std::size_t c = 0; c < net.classes.size(); ++c) {
      const auto& route = net.classes[c].route;
      first.push_back(cls.size());
      for (std::size_t v = 0; v < route.size(); ++v) {
        const std::size_t k = cls.size(); // the visits of a class are consecutive types
        at[route[v]].push_back(k);
        cls.push_back(c);
        station.push_back(route[v]);
        next.push_back(v + 1 < route.size() ? k + 1 : kNone);
        law.push_back(&net.classes[c].service[v]);
      }
    }
  }
  [[nodiscard]] std::size_t size() const { return cls.size(); }
};

/// One station's states: empty, or a FCFS sequence of visit types with the head's phase.
struct LocalState {
  std::vector<std::size_t> sequence;
  int phase = -1; // of sequence.front(); -1 when empty
};

struct StationStates {
  std::vector<LocalState> states;
  std::map<std::pair<std::vector<std::size_t>, int>, std::size_t> index;

  std::size_t at(const std::vector<std::size_t>& sequence, int phase) const { return index.at({sequence, phase}); }
};

StationStates enumerate_station(const std::vector<std::size_t>& types, int K, const std::vector<PhaseType>& laws) {
  StationStates out;
  std::vector<std::vector<std::size_t>> sequences{{}};
  for (std::size_t at = 0; at < sequences.size(); ++at) {
    if (sequences[at].size() == static_cast<std::size_t>(K))
      continue;
    for (std::size_t k : types) {
      auto next = sequences[at];
      next.push_back(k);
      sequences.push_back(std::move(next));
    }
  }
  for (const auto& seq : sequences) {
    const int phases = seq.empty() ? 1 : static_cast<int>(laws[seq.front()].phases());
    for (int p = 0; p < phases; ++p) {
      const int phase = seq.empty() ? -1 : p;
      out.index.emplace(std::make_pair(seq, phase), out.states.size());
      out.states.push_back(LocalState{seq, phase});
    }
  }
  return out;
}

/// (local state, probability) pairs a station moves to when `sequence` becomes its
/// content with a new head (if any), whose service starts in a phase drawn from its law.
std::vector<std::pair<std::size_t, double>> entering(const StationStates& station, const std::vector<PhaseType>& laws,
                                                     const std::vector<std::size_t>& sequence) {
  if (sequence.empty())
    return {{station.at(sequence, -1), 1.0}};
  std::vector<std::pair<std::size_t, double>> out;
  const PhaseType& law = laws[sequence.front()];
  for (std::size_t p = 0; p < law.phases(); ++p)
    if (law.initial[p] > 0)
      out.emplace_back(station.at(sequence, static_cast<int>(p)), law.initial[p]);
  return out;
}

/// The rate-weighted mixture of the visit types' laws at a station.
ServiceDistribution mixture(const VisitTypes& types, const std::vector<std::size_t>& at,
                            const std::vector<double>& rates) {
  std::vector<ServiceComponent> components;
  double total = 0;
  for (std::size_t k : at)
    total += rates[k];
  for (std::size_t k : at) {
    if (rates[k] <= 0)
      continue;
    double weight_sum = 0;
    for (const auto& other : types.law[k]->components())
      weight_sum += other.weight;
    for (ServiceComponent component : types.law[k]->components()) {
      component.weight = component.weight / weight_sum * rates[k] / total;
      components.push_back(component);
    }
  }
  return ServiceDistribution(std::move(components));
}

/// Class metrics from per-type throughputs and mean times.
void fill_classes(const LossNetwork& net, const VisitTypes& types, const std::vector<double>& throughput,
                  const std::vector<double>& visit_response, NetworkMetrics& m) {
  m.classes.clear();
  for (std::size_t c = 0; c < net.classes.size(); ++c) {
    ClassMetrics cm;
    cm.arrival_rate = net.classes[c].arrival_rate;
    for (std::size_t k = types.first[c]; k != kNone; k = types.next[k]) {
      cm.visit_response.push_back(visit_response[k]);
      cm.response += visit_response[k];
      if (types.next[k] == kNone)
        cm.throughput = throughput[k];
    }
    cm.loss = 1.0 - cm.throughput / cm.arrival_rate;
    m.classes.push_back(std::move(cm));
  }
}

TandemMetrics tandem_metrics(const LossTandem& tandem, const NetworkMetrics& m) {
  TandemMetrics t;
  t.stations = m.stations;
  double total = 0;
  for (double r : tandem.arrival_rates)
    total += r;
  t.throughput = t.stations.back().throughput;
  t.loss = 1.0 - t.throughput / total;
  for (const auto& s : t.stations)
    t.response += s.response;
  return t;
}

/// Fixed point of a decomposition: `station_pass(s, rates, scv)` evaluates station s for
/// its types' entering rates (and arrival scv) and returns its loss and departure scv;
/// the entering rates of the following visits are then thinned by that loss. Repeats
/// until nothing changes (one pass suffices for feed-forward routes in station order).
template <class Pass> void decompose(const LossNetwork& net, const VisitTypes& types, Pass station_pass) {
  std::vector<double> rates(types.size(), 0.0);
  std::vector<double> scv(types.size(), 1.0);
  for (std::size_t c = 0; c < net.classes.size(); ++c)
    rates[types.first[c]] = net.classes[c].arrival_rate;
  for (int iteration = 0; iteration < 1000; ++iteration) {
    double change = 0;
    for (std::size_t s = 0; s < net.capacity.size(); ++s) {
      const auto [loss, departure_scv] = station_pass(s, rates, scv);
      for (std::size_t k : types.at[s]) {
        const std::size_t n = types.next[k];
        if (n == kNone)
          continue;
        const double rate = rates[k] * (1.0 - loss);
        change =
            std::max({change, std::abs(rate - rates[n]) / std::max(rate, 1e-300), std::abs(departure_scv - scv[n])});
        rates[n] = rate;
        scv[n] = departure_scv;
      }
    }
    if (change < 1e-13)
      break;
  }
}

NetworkMetrics decompose_network(const LossNetwork& net, bool two_moment) {
  check_loss_network(net);
  const VisitTypes types(net);
  NetworkMetrics m;
  m.stations.assign(net.capacity.size(), TandemStationMetrics{});
  std::vector<double> throughput(types.size(), 0.0);
  std::vector<double> visit_response(types.size(), 0.0);
  decompose(net, types, [&](std::size_t s, const std::vector<double>& rates, const std::vector<double>& scv) {
    double total = 0;
    double weighted_scv = 0;
    for (std::size_t k : types.at[s]) {
      total += rates[k];
      weighted_scv += rates[k] * scv[k];
    }
    TandemStationMetrics& st = m.stations[s];
    st = TandemStationMetrics{};
    if (total <= 0)
      return std::pair{0.0, 1.0};
    const ServiceDistribution law = mixture(types, types.at[s], rates);
    const int K = net.capacity[s];
    double loss = 0;
    double departure_scv = 1.0;
    if (!two_moment) {
      const QueueMetrics q = solve_mg1k(total, law, K);
      loss = q.loss_probability;
      st = TandemStationMetrics{.arrival_rate = total,
                                .loss = loss,
                                .throughput = q.throughput,
                                .mean_in_system = q.mean_in_system,
                                .response = q.mean_response_time};
    } else {
      const double arrival_scv = weighted_scv / total;
      const double mean = law.mean();
      const double service_scv = law.scv();
      const double equivalent_scv = std::max(0.0, arrival_scv + service_scv - 1.0);
      const QueueMetrics q = solve_mg1k(total, law_with_scv(mean, equivalent_scv), K);
      const double rho = total * mean;
      loss = q.loss_probability;
      if (smith_formula_applicable(rho, equivalent_scv))
        loss = smith_loss_probability(rho, equivalent_scv, K);
      const double carried = total * (1.0 - loss);
      st = TandemStationMetrics{.arrival_rate = total,
                                .loss = loss,
                                .throughput = carried,
                                .mean_in_system = q.mean_response_time * carried,
                                .response = q.mean_response_time};
      const double u = std::min(1.0, carried * mean);
      departure_scv = u * u * service_scv + (1.0 - u * u) * arrival_scv;
    }
    for (std::size_t k : types.at[s]) {
      throughput[k] = rates[k] * (1.0 - loss);
      visit_response[k] = st.response;
    }
    return std::pair{loss, departure_scv};
  });
  fill_classes(net, types, throughput, visit_response, m);
  return m;
}

} // namespace

std::optional<NetworkMetrics> solve_loss_network_ctmc(const LossNetwork& net, std::size_t max_states) {
  check_loss_network(net);
  const VisitTypes types(net);
  const std::size_t stations = net.capacity.size();
  std::vector<PhaseType> laws;
  for (const ServiceDistribution* law : types.law) {
    auto ph = as_phase_type(*law);
    if (!ph)
      return std::nullopt;
    laws.push_back(std::move(*ph));
  }
  std::vector<StationStates> local;
  std::vector<std::size_t> stride(stations, 1);
  std::size_t total = 1;
  for (std::size_t i = 0; i < stations; ++i) {
    local.push_back(enumerate_station(types.at[i], net.capacity[i], laws));
    stride[i] = total;
    if (total > max_states / local.back().states.size())
      return std::nullopt;
    total *= local.back().states.size();
  }
  auto decode = [&](std::size_t s) {
    std::vector<std::size_t> idx(stations);
    for (std::size_t i = 0; i < stations; ++i)
      idx[i] = (s / stride[i]) % local[i].states.size();
    return idx;
  };
  auto encode = [&](const std::vector<std::size_t>& idx) {
    std::size_t s = 0;
    for (std::size_t i = 0; i < stations; ++i)
      s += idx[i] * stride[i];
    return s;
  };
  const auto full = [&](std::size_t station, const std::vector<std::size_t>& content) {
    return content.size() == static_cast<std::size_t>(net.capacity[station]);
  };

  // Q^T as triplets.
  std::vector<Eigen::Triplet<double>> triplets;
  std::vector<double> diagonal(total, 0.0);
  auto add = [&](std::size_t from, std::size_t to, double rate) {
    if (to == from || rate <= 0)
      return;
    triplets.emplace_back(static_cast<int>(to), static_cast<int>(from), rate);
    diagonal[from] -= rate;
  };
  // The state after request type `k` joins station `to` whose content is then `content`
  // (phase unchanged unless it was empty), from `next` (other stations as they are).
  auto join = [&](std::vector<std::size_t> next, std::size_t to, const std::vector<std::size_t>& content, int phase,
                  std::size_t k, double rate, std::size_t from) {
    auto seq = content;
    seq.push_back(k);
    if (content.empty()) {
      for (auto [state, p] : entering(local[to], laws, seq)) {
        next[to] = state;
        add(from, encode(next), rate * p);
      }
    } else {
      next[to] = local[to].at(seq, phase);
      add(from, encode(next), rate);
    }
  };
  for (std::size_t s = 0; s < total; ++s) {
    const auto idx = decode(s);
    // Arrivals of each class at the station of its first visit.
    for (std::size_t c = 0; c < net.classes.size(); ++c) {
      const std::size_t k = types.first[c];
      const std::size_t to = types.station[k];
      const LocalState& there = local[to].states[idx[to]];
      if (!full(to, there.sequence))
        join(idx, to, there.sequence, there.phase, k, net.classes[c].arrival_rate, s);
    }
    // Service at each busy station: phase moves, completions (to the next visit or out).
    for (std::size_t i = 0; i < stations; ++i) {
      const LocalState& here = local[i].states[idx[i]];
      if (here.sequence.empty())
        continue;
      const std::size_t k = here.sequence.front();
      const PhaseType& law = laws[k];
      const auto phase = static_cast<std::size_t>(here.phase);
      for (auto [to_phase, rate] : law.next[phase]) {
        auto next = idx;
        next[i] = local[i].at(here.sequence, to_phase);
        add(s, encode(next), rate);
      }
      const double done = law.completion[phase];
      if (done <= 0)
        continue;
      const std::vector<std::size_t> rest(here.sequence.begin() + 1, here.sequence.end());
      const std::size_t n = types.next[k];
      const std::size_t to = n == kNone ? kNone : types.station[n];
      if (to == i) {
        // The next visit is at the same station: the request rejoins its tail (there is
        // room: it has just left).
        if (rest.empty()) {
          join(idx, i, rest, -1, n, done, s);
        } else {
          for (auto [state_here, p_here] : entering(local[i], laws, rest)) {
            auto next = idx;
            next[i] = state_here;
            join(next, i, rest, local[i].states[state_here].phase, n, done * p_here, s);
          }
        }
        continue;
      }
      for (auto [state_here, p_here] : entering(local[i], laws, rest)) {
        auto next = idx;
        next[i] = state_here;
        if (n == kNone || full(to, local[to].states[idx[to]].sequence)) {
          add(s, encode(next), done * p_here); // leaves the network, or is lost at its next station
          continue;
        }
        const LocalState& there = local[to].states[idx[to]];
        join(next, to, there.sequence, there.phase, n, done * p_here, s);
      }
    }
  }
  for (std::size_t s = 0; s < total; ++s)
    triplets.emplace_back(static_cast<int>(s), static_cast<int>(s), diagonal[s]);
  // Replace the balance equation of state 0 by the normalisation sum(pi) = 1.
  std::vector<Eigen::Triplet<double>> kept;
  kept.reserve(triplets.size() + total);
  for (const auto& t : triplets)
    if (t.row() != 0)
      kept.push_back(t);
  for (std::size_t s = 0; s < total; ++s)
    kept.emplace_back(0, static_cast<int>(s), 1.0);
  const auto size = static_cast<Eigen::Index>(total);
  Eigen::SparseMatrix<double> qt(size, size);
  qt.setFromTriplets(kept.begin(), kept.end());
  qt.makeCompressed();
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(size);
  rhs(0) = 1.0;
  Eigen::VectorXd pi;
  if (total <= kDirectSolveStates) {
    Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
    lu.compute(qt);
    if (lu.info() != Eigen::Success)
      throw std::runtime_error("loss network: the sparse LU factorisation failed");
    pi = lu.solve(rhs);
  } else {
    // The product structure fills a direct factorisation in (30,000 states took a minute;
    // an incomplete-LU preconditioner nine seconds): BiCGSTAB with Jacobi preconditioning
    // (milliseconds), to a relative residual of 1e-13, checked afterwards.
    Eigen::BiCGSTAB<Eigen::SparseMatrix<double>> solver;
    solver.setTolerance(1e-13);
    solver.setMaxIterations(20000);
    solver.compute(qt);
    pi = solver.solve(rhs);
    if (solver.info() != Eigen::Success || (qt * pi - rhs).norm() > 1e-10)
      throw std::runtime_error("loss network: the iterative solver did not converge");
  }

  std::vector<double> throughput(types.size(), 0.0);
  std::vector<double> in_system(types.size(), 0.0);
  std::vector<double> blocked(types.size(), 0.0); // entering flow of each type that found its station full
  for (std::size_t s = 0; s < total; ++s) {
    const double p = pi(static_cast<Eigen::Index>(s));
    const auto idx = decode(s);
    for (std::size_t i = 0; i < stations; ++i) {
      const LocalState& here = local[i].states[idx[i]];
      for (std::size_t k : here.sequence)
        in_system[k] += p;
      if (here.sequence.empty())
        continue;
      const std::size_t k = here.sequence.front();
      const double done = laws[k].completion[static_cast<std::size_t>(here.phase)];
      throughput[k] += p * done;
      const std::size_t n = types.next[k];
      if (n != kNone && types.station[n] != i &&
          full(types.station[n], local[types.station[n]].states[idx[types.station[n]]].sequence))
        blocked[n] += p * done;
    }
    for (std::size_t c = 0; c < net.classes.size(); ++c) {
      const std::size_t k = types.first[c];
      if (full(types.station[k], local[types.station[k]].states[idx[types.station[k]]].sequence))
        blocked[k] += p * net.classes[c].arrival_rate; // PASTA
    }
  }
  NetworkMetrics m;
  m.stations.assign(stations, TandemStationMetrics{});
  std::vector<double> visit_response(types.size(), 0.0);
  std::vector<double> lost_flow(stations, 0.0);
  for (std::size_t k = 0; k < types.size(); ++k) {
    auto& st = m.stations[types.station[k]];
    const bool first_visit = std::find(types.first.begin(), types.first.end(), k) != types.first.end();
    const std::size_t previous = first_visit ? kNone : k - 1; // visits of a class are consecutive types
    st.arrival_rate += first_visit ? net.classes[types.cls[k]].arrival_rate : throughput[previous];
    lost_flow[types.station[k]] += blocked[k];
    st.throughput += throughput[k];
    st.mean_in_system += in_system[k];
    visit_response[k] = throughput[k] > 0 ? in_system[k] / throughput[k] : 0.0;
  }
  for (std::size_t i = 0; i < stations; ++i) {
    auto& st = m.stations[i];
    st.loss = st.arrival_rate > 0 ? lost_flow[i] / st.arrival_rate : 0.0;
    st.response = st.throughput > 0 ? st.mean_in_system / st.throughput : 0.0;
  }
  fill_classes(net, types, throughput, visit_response, m);
  return m;
}

NetworkMetrics decompose_poisson(const LossNetwork& network) {
  return decompose_network(network, false);
}

NetworkMetrics decompose_two_moment(const LossNetwork& network) {
  return decompose_network(network, true);
}

std::optional<TandemMetrics> solve_loss_tandem_ctmc(const LossTandem& network, std::size_t max_states) {
  const auto m = solve_loss_network_ctmc(as_network(network), max_states);
  if (!m)
    return std::nullopt;
  return tandem_metrics(network, *m);
}

TandemMetrics decompose_poisson(const LossTandem& network) {
  return tandem_metrics(network, decompose_poisson(as_network(network)));
}

TandemMetrics decompose_two_moment(const LossTandem& network) {
  return tandem_metrics(network, decompose_two_moment(as_network(network)));
}

} // namespace edgesim::queueing
