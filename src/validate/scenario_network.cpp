#include "validate/scenario_network.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <map>
#include <optional>

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

std::optional<queueing::ServiceDistribution> work_law(const WorkLaw& law) {
  std::vector<queueing::ServiceComponent> components;
  for (const WorkBranch& branch : law.branches()) {
    switch (branch.kind) {
    case WorkBranch::Kind::Constant:
      components.push_back({queueing::ServiceComponent::Kind::Deterministic, branch.weight, branch.mean});
      break;
    case WorkBranch::Kind::Exponential:
      components.push_back({queueing::ServiceComponent::Kind::Exponential, branch.weight, branch.mean});
      break;
    case WorkBranch::Kind::Erlang:
      components.push_back({queueing::ServiceComponent::Kind::Erlang, branch.weight, branch.mean, branch.stages});
      break;
    }
  }
  if (components.empty())
    return std::nullopt;
  return queueing::ServiceDistribution(std::move(components));
}

ScenarioNetwork scenario_network(const Scenario& scenario, const PlatformInfo& platform, const Deployment& deployment) {
  const std::string& file = scenario.file;
  ScenarioNetwork out;
  std::map<std::string, std::size_t> station_of_host;
  std::map<std::string, int> fragments_on_host;
  for (std::size_t t = 0; t < scenario.tenants.size(); ++t) {
    const TenantSpec& tenant = scenario.tenants[t];
    const std::string key = fmt::format("tenants.{}", t);
    if (!tenant.arrival.process->is_poisson())
      throw InputError(
          fmt::format("{}: {}.arrival: expected a Poisson process (the queueing network's arrivals)", file, key));
    if (tenant.exits.name != "none")
      throw InputError(fmt::format("{}: {}.exits: expected policy \"none\" (the queueing network has no exits), "
                                   "found \"{}\"",
                                   file, key, tenant.exits.name));
    const auto& fragments = deployment.tenants[t].fragments;
    queueing::LossNetwork::Class cls;
    cls.arrival_rate = tenant.arrival.mean_rate();
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
      const auto law = work_law(*work.law);
      if (!law)
        throw InputError(fmt::format(
            "{}: {}.{}: expected a work law with a phase-type shape (the queueing "
            "network's service laws), found \"{}\"",
            file, key, tenant.fragment_work.empty() ? "work" : fmt::format("fragment_work[{}]", f), work.name));
      cls.service.push_back(scaled(*law, fragment_seconds(tenant.model, fragment, platform, scenario)));
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
