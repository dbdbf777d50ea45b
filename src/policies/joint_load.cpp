#include <edgesim/joint_load.hpp>

#include <algorithm>

namespace edgesim {
namespace {

void add_route_load(CoTenantLoad& load, const PlacementProblem& problem, std::string_view from, std::string_view to,
                    double bytes, double rate) {
  const RouteInfo* route = from == to ? nullptr : problem.route(from, to);
  if (route == nullptr)
    return; // same host, or no route: nothing crosses it
  const double utilisation = rate * bytes / route->bandwidth_Bps;
  for (RouteLoad& r : load.routes)
    if (r.from == from && r.to == to) {
      r.utilisation += utilisation;
      return;
    }
  load.routes.push_back(RouteLoad{std::string(from), std::string(to), utilisation});
}

} // namespace

void add_tenant_load(CoTenantLoad& load, const PlacementProblem& problem, std::span<const Fragment> fragments) {
  load.hosts.resize(problem.hosts.size());
  const ModelProfile& model = problem.model;
  const double rate = problem.workload.arrival_rate;
  std::string_view previous = problem.source_host;
  for (const Fragment& fragment : fragments) {
    const auto at = std::find_if(problem.hosts.begin(), problem.hosts.end(),
                                 [&](const HostInfo& h) { return h.name == fragment.host; });
    if (at == problem.hosts.end())
      continue;
    HostLoad& host = load.hosts[static_cast<std::size_t>(at - problem.hosts.begin())];
    const double seconds = range_seconds(model, fragment.first_layer, fragment.last_layer, *at);
    if (fragment.branches > 1) {
      host.ram_bytes += model.total_param_bytes() * model.semantic.param_share(fragment.branches);
      host.utilisation += rate * seconds * model.semantic.flops_share(fragment.branches);
      add_route_load(load, problem, problem.source_host, fragment.host, problem.workload.input_bytes, rate);
      continue;
    }
    host.ram_bytes += fragment_memory_bytes(model, fragment.first_layer, fragment.last_layer);
    host.utilisation += rate * seconds;
    const double bytes =
        fragment.first_layer == 0 ? problem.workload.input_bytes : model.layers[fragment.first_layer - 1].out_bytes;
    add_route_load(load, problem, previous, fragment.host, bytes, rate);
    previous = fragment.host;
  }
}

CoTenantLoad co_tenant_load(std::span<const PlacementProblem> problems, std::span<const std::vector<Fragment>> plans,
                            std::size_t except) {
  CoTenantLoad load;
  if (!problems.empty())
    load.hosts.resize(problems.front().hosts.size());
  for (std::size_t t = 0; t < problems.size() && t < plans.size(); ++t)
    if (t != except)
      add_tenant_load(load, problems[t], plans[t]);
  return load;
}

} // namespace edgesim
