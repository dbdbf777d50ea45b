#pragma once
// The one place a PlacementProblem is built: hosts as the scenario runs them (pstate
// and battery overrides applied), routes, and the tenant's workload. Before a run the
// hosts and routes come from the platform probe; a re-planner during a run builds the
// same inputs and replaces what changed (live route bandwidths from read_routes() in
// core/route_table.hpp, `available` of hosts that went down) before calling
// make_placement_problem again.
#include <edgesim/policy.hpp>

#include "core/platform_probe.hpp"
#include "scenario/scenario.hpp"

#include <vector>

namespace edgesim {

/// What a PlacementProblem refers to; must outlive the problems made from it.
struct PlacementInputs {
  std::vector<HostInfo> hosts; // in the platform's (sorted) host order
  std::vector<RouteInfo> routes;
};

/// Hosts at the scenario's pstate (speed, idle/busy power) and battery, and the probed
/// routes.
PlacementInputs placement_inputs(const PlatformInfo& platform, const Scenario& scenario);

/// Probes the scenario's platform (its link overrides applied) and builds the inputs:
/// what `edgesim check` sees, for tools and tests that need one tenant's problem.
PlacementInputs probe_placement_inputs(const Scenario& scenario);

Workload tenant_workload(const TenantSpec& tenant);

PlacementProblem make_placement_problem(const PlacementInputs& inputs, const TenantSpec& tenant,
                                        std::size_t tenant_index, double now_s = 0);

} // namespace edgesim
