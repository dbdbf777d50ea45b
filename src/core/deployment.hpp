#pragma once
// Turns a validated scenario and a probed platform into what the engine runs: each
// tenant's fragments on hosts (from its placement policy) and its exit policy. Every
// check that needs the platform lives here so `edgesim check` and `edgesim run` agree.
#include <edgesim/policy.hpp>

#include "core/platform_probe.hpp"
#include "scenario/scenario.hpp"

#include <memory>
#include <string>
#include <vector>

namespace edgesim {

struct TenantDeployment {
  std::vector<Fragment> fragments;
  std::unique_ptr<ExitPolicy> exit_policy;
  std::unique_ptr<PlacementPolicy> placement_policy; // kept for re-planning at run time
};

struct Deployment {
  std::vector<TenantDeployment> tenants;
};

/// Memory a fragment needs on its host: its parameters plus its largest activation.
double fragment_memory_bytes(const ModelProfile& model, const Fragment& fragment);

/// Why `fragments` is not a valid placement of `model` on `platform` ("" if it is):
/// unknown hosts, layer-wise fragments not covering the model contiguously, semantic
/// branches not numbered 0..k-1 or k beyond the model's [semantic] split.
std::string placement_error(const ModelProfile& model, const std::vector<Fragment>& fragments,
                            const PlatformInfo& platform);

/// Compute-only time of one visit of `fragment` (its layers, no exit classifiers) alone
/// on its host at the scenario's pstate with all cores: the service time of an FCFS
/// single-server station (before the per-visit work factor).
double fragment_seconds(const ModelProfile& model, const Fragment& fragment, const PlatformInfo& platform,
                        const Scenario& scenario);

/// Compute-only time from a request's start to each exit (last: the final classifier).
std::vector<double> exit_times(const ModelProfile& model, const std::vector<Fragment>& fragments,
                               const PlatformInfo& platform, const Scenario& scenario);

/// Runs every tenant's placement policy and builds its exit policy. `check_only`
/// (`edgesim check`) tells the exit policies the scenario is only being validated, so
/// that none starts its offline tuning.
Deployment plan_deployment(const Scenario& scenario, const PlatformInfo& platform, bool check_only = false);

} // namespace edgesim
