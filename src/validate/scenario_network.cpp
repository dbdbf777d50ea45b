#include "validate/scenario_network.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace edgesim::validate {
namespace {

queueing::ServiceDistribution scaled(const queueing::ServiceDistribution& unit, double mean) {
  std::vector<queueing::ServiceComponent> components(unit.components().begin(), unit.components().end());
  const double factor = mean / unit.mean();
  for (auto& c : components)
    c.mean *= factor;
  return queueing::ServiceDistribution(std::move(components));
}

double transfer_time(const PlatformInfo& platform, const std::string& from, const std::string& to, double bytes) {
  if (from == to || bytes <= 0)
    return 0;
  for (const RouteInfo& route : platform.routes)
    if (route.from == from && route.to == to)
      return transfer_seconds(route, bytes);
  return 0;
}

} // namespace

queueing::ServiceDistribution work_law(const WorkSpec& work) {
  switch (work.kind) {
  case WorkSpec::Kind::Deterministic:
    return queueing::ServiceDistribution::deterministic(1.0);
  case WorkSpec::Kind::Exponential:
    return queueing::ServiceDistribution::exponential(1.0);
  case WorkSpec::Kind::Erlang:
    return queueing::ServiceDistribution::erlang(work.stages, 1.0);
  case WorkSpec::Kind::Hyperexponential: {
    const double p = 0.5 * (1.0 + std::sqrt((work.h2_scv - 1.0) / (work.h2_scv + 1.0)));
    return queueing::ServiceDistribution::hyperexponential2(p, 1.0 / (2.0 * p), 1.0 / (2.0 * (1.0 - p)));
  }
  }
  return queueing::ServiceDistribution::deterministic(1.0);
}

ScenarioNetwork scenario_network(const Scenario& scenario, const PlatformInfo& platform, const Deployment& deployment) {
  const std::string& file = scenario.file;
  ScenarioNetwork out;
  std::map<std::string, std::size_t> station_of_host;
  std::map<std::string, int> fragments_on_host;
  for (std::size_t t = 0; t < scenario.tenants.size(); ++t) {
    const TenantSpec& tenant = scenario.tenants[t];
    const std::string key = fmt::format("tenants.{}", t);
    if (tenant.arrival.kind != ArrivalSpec::Kind::Poisson)
      throw InputError(
          fmt::format("{}: {}.arrival: expected a Poisson process (the queueing network's arrivals)", file, key));
    if (tenant.exits.name != "none")
      throw InputError(fmt::format("{}: {}.exits: expected policy \"none\" (the queueing network has no exits), "
                                   "found \"{}\"",
                                   file, key, tenant.exits.name));
    const auto& fragments = deployment.tenants[t].fragments;
    queueing::LossNetwork::Class cls;
    cls.arrival_rate = tenant.arrival.rate;
    double delay = transfer_time(platform, tenant.source, fragments.front().host, tenant.input_bytes);
    for (std::size_t f = 0; f < fragments.size(); ++f) {
      const Fragment& fragment = fragments[f];
      if (fragment.branches > 1)
        throw InputError(fmt::format("{}: {}.placement: semantic branches are not a chain of stations", file, key));
      const HostSettings& settings = scenario.host_settings(fragment.host);
      if (settings.discipline != Discipline::Fcfs || settings.servers != 1)
        throw InputError(fmt::format("{}: hosts.{}: expected discipline \"fcfs\" with servers = 1 (the queueing "
                                     "network's stations are single FCFS servers)",
                                     file, fragment.host));
      if (settings.station == StationSharing::PerFragment && ++fragments_on_host[fragment.host] > 1)
        throw InputError(fmt::format("{}: hosts.{}.station: expected \"shared\": the host holds several fragments, "
                                     "each a station of its own, and the run reports one set of counters per host",
                                     file, fragment.host));
      auto [it, fresh] = station_of_host.emplace(fragment.host, out.network.capacity.size());
      if (fresh) {
        out.network.capacity.push_back(settings.buffer);
        out.station_hosts.push_back(platform.index_of(fragment.host));
        out.station_names.push_back(fragment.host);
      }
      cls.route.push_back(it->second);
      const WorkSpec& work = tenant.fragment_work.empty() ? tenant.work : tenant.fragment_work.at(f);
      cls.service.push_back(scaled(work_law(work), fragment_seconds(tenant.model, fragment, platform, scenario)));
      if (f + 1 < fragments.size())
        delay += transfer_time(platform, fragment.host, fragments[f + 1].host,
                               tenant.model.layers[fragment.last_layer].out_bytes);
    }
    out.network.classes.push_back(std::move(cls));
    out.transfer_delay.push_back(delay);
  }
  for (std::size_t s = 0; s < out.station_names.size(); ++s)
    out.description += fmt::format("{}{}:{}", s > 0 ? " " : "", out.station_names[s], out.network.capacity[s]);
  return out;
}

} // namespace edgesim::validate
