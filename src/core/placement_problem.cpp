#include "core/placement_problem.hpp"

namespace edgesim {

PlacementInputs placement_inputs(const PlatformInfo& platform, const Scenario& scenario) {
  PlacementInputs inputs;
  for (const ProbedHost& probed : platform.hosts) {
    HostInfo host = probed.info;
    const HostSettings& settings = scenario.host_settings(host.name);
    const auto pstate = static_cast<std::size_t>(settings.pstate.value_or(0));
    if (pstate < probed.pstate_speeds.size()) { // out of range is reported by plan_deployment
      host.speed = probed.pstate_speeds[pstate];
      host.idle_watts = probed.idle_watts[pstate];
      host.busy_watts = probed.busy_watts[pstate];
    }
    host.battery_wh = settings.battery_wh.value_or(probed.battery_wh);
    inputs.hosts.push_back(std::move(host));
  }
  inputs.routes = platform.routes;
  return inputs;
}

PlacementInputs probe_placement_inputs(const Scenario& scenario) {
  const PlatformInfo platform =
      probe_platform(scenario.platform_file, {}, scenario.simulation.network_model, scenario.dynamics);
  return placement_inputs(platform, scenario);
}

Workload tenant_workload(const TenantSpec& tenant) {
  return Workload{.arrival_rate = tenant.arrival.mean_rate(), .slo_s = tenant.slo, .input_bytes = tenant.input_bytes};
}

PlacementProblem make_placement_problem(const PlacementInputs& inputs, const TenantSpec& tenant,
                                        std::size_t tenant_index, double now_s) {
  return PlacementProblem{.hosts = inputs.hosts,
                          .model = tenant.model,
                          .source_host = tenant.source,
                          .tenant = static_cast<int>(tenant_index),
                          .routes = inputs.routes,
                          .workload = tenant_workload(tenant),
                          .now_s = now_s};
}

} // namespace edgesim
