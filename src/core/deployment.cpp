#include "core/deployment.hpp"
#include "config/toml_config.hpp"

#include "core/placement_problem.hpp"

#include <edgesim/error.hpp>

#include <edgesim/random.hpp>

#include "core/platform_dynamics.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <span>

namespace edgesim {

double fragment_memory_bytes(const ModelProfile& model, const Fragment& fragment) {
  if (fragment.branches <= 1)
    return fragment_memory_bytes(model, fragment.first_layer, fragment.last_layer);
  // A semantic branch holds its share of the parameters (activations: full size, a
  // conservative bound).
  const double params = model.total_param_bytes() * model.semantic.param_share(fragment.branches);
  const double full = fragment_memory_bytes(model, fragment.first_layer, fragment.last_layer);
  double all_params = 0;
  for (std::size_t l = fragment.first_layer; l <= fragment.last_layer; ++l)
    all_params += model.layers[l].param_bytes;
  return full - all_params + params;
}

namespace {

// A measurement's reference pstate must exist on every host of its class: its per-core
// speed there is what a measured latency is scaled from.
void check_measurement_pstates(const TenantSpec& tenant, std::size_t t, const Scenario& scenario,
                               const PlatformInfo& platform) {
  const ModelProfile& model = tenant.model;
  for (const auto& [device_class, measurement] : model.measurements)
    for (const ProbedHost& host : platform.hosts)
      if (host.info.device_class == device_class &&
          static_cast<std::size_t>(measurement.pstate) >= host.pstate_speeds.size())
        throw InputError(fmt::format("{}: measurement.{}.pstate (model of tenants.{}, used by {}): expected a pstate "
                                     "of host {} (class {}), which has pstates 0..{}, not {}",
                                     model.source_file.empty() ? scenario.file : model.source_file, device_class, t,
                                     scenario.file, host.info.name, device_class, host.pstate_speeds.size() - 1,
                                     measurement.pstate));
}

} // namespace

std::string placement_error(const ModelProfile& model, const std::vector<Fragment>& fragments,
                            const PlatformInfo& platform) {
  if (fragments.empty())
    return "no fragments";
  const std::size_t layers = model.layers.size();
  for (std::size_t f = 0; f < fragments.size(); ++f)
    if (platform.find(fragments[f].host) == nullptr)
      return fmt::format("fragment {}: no host named \"{}\" in platform {}", f, fragments[f].host, platform.file);
  const std::size_t k = fragments.size();
  if (fragments.front().branches > 1) {
    if (fragments.front().branches != k)
      return fmt::format("a semantic split into {} branches needs {} fragments (found {})", fragments.front().branches,
                         fragments.front().branches, k);
    if (k > model.semantic.max_branches())
      return fmt::format("model {} splits into at most {} semantic branches ([semantic] accuracy_penalty), not {}",
                         model.name, model.semantic.max_branches(), k);
    for (std::size_t b = 0; b < k; ++b) {
      const Fragment& fragment = fragments[b];
      if (fragment.branches != k || fragment.branch != b || fragment.first_layer != 0 ||
          fragment.last_layer + 1 != layers)
        return fmt::format("semantic branch {} must be branch {} of {} and cover layers 0..{}", b, b, k, layers - 1);
    }
    return "";
  }
  std::size_t next = 0;
  for (const Fragment& fragment : fragments) {
    if (fragment.branches != 1 || fragment.first_layer != next || fragment.last_layer < fragment.first_layer ||
        fragment.last_layer >= layers)
      return fmt::format("fragments must cover layers 0..{} contiguously", layers - 1);
    next = fragment.last_layer + 1;
  }
  if (next != layers)
    return fmt::format("fragments must cover layers 0..{} contiguously", layers - 1);
  return "";
}

namespace {

/// Seconds `flops` take on `host` at the scenario's pstate with all its cores, or a
/// measured `latency` scaled to that pstate and core count.
double visit_seconds(const ModelProfile& model, const ProbedHost& host, const HostSettings& settings, double flops,
                     std::optional<double> latency) {
  const auto pstate = static_cast<std::size_t>(settings.pstate.value_or(0));
  const double speed =
      host.pstate_speeds.at(pstate) * std::max(1, host.info.cores) * model.efficiency_on(host.info.device_class);
  const LatencyMeasurement* m = model.measurement_on(host.info.device_class);
  if (!latency || m == nullptr)
    return flops / speed;
  return measured_work_per_thread(*m, *latency, host.pstate_speeds, std::max(1, host.info.cores)) /
         host.pstate_speeds.at(pstate);
}

} // namespace

double fragment_seconds(const ModelProfile& model, const Fragment& fragment, const PlatformInfo& platform,
                        const Scenario& scenario) {
  const ProbedHost& host = *platform.find(fragment.host);
  const HostSettings& settings = scenario.host_settings(fragment.host);
  double seconds = 0;
  for (std::size_t l = fragment.first_layer; l <= fragment.last_layer; ++l)
    seconds += visit_seconds(model, host, settings, model.layers[l].flops,
                             model.measured_layer_latency(l, host.info.device_class));
  return seconds;
}

std::vector<double> exit_times(const ModelProfile& model, const std::vector<Fragment>& fragments,
                               const PlatformInfo& platform, const Scenario& scenario) {
  std::vector<double> times;
  double elapsed = 0;
  for (const Fragment& fragment : fragments) {
    if (fragment.branches > 1) {
      // Parallel semantic branches: the compute time of one (exits are not evaluated).
      if (fragment.branch > 0)
        continue;
      const ProbedHost& host = *platform.find(fragment.host);
      elapsed +=
          model.total_flops() * model.semantic.flops_share(fragment.branches) /
          (host.pstate_speeds.at(0) * std::max(1, host.info.cores) * model.efficiency_on(host.info.device_class));
      continue;
    }
    const ProbedHost& host = *platform.find(fragment.host);
    const HostSettings& settings = scenario.host_settings(fragment.host);
    // Measured layers: their latency at this pstate with all cores (as the FLOPs part).
    const auto seconds = [&](double flops, std::optional<double> latency) {
      return visit_seconds(model, host, settings, flops, latency);
    };
    for (std::size_t l = fragment.first_layer; l <= fragment.last_layer; ++l) {
      elapsed += seconds(model.layers[l].flops, model.measured_layer_latency(l, host.info.device_class));
      for (std::size_t e = 0; e < model.exits.size(); ++e) {
        if (model.exits[e].after_layer == l) {
          elapsed += seconds(model.exits[e].flops, model.measured_exit_latency(e, host.info.device_class));
          times.push_back(elapsed);
        }
      }
    }
  }
  times.push_back(elapsed);
  return times;
}

namespace {

// A key the policy does not take is most often one of another policy, left in the table
// by `--set placement.policy=...` or a sweep over the policy: say how to drop it.
template <typename Build> auto with_policy_key_hint(std::string_view kind, const std::string& policy, Build build) {
  try {
    return build();
  } catch (const UnknownKeyError& e) {
    throw InputError(fmt::format("{}; {} policy \"{}\" does not take it: remove it, or --unset {} (a sweep over "
                                 "the policy: --unset it, or vary the whole table)",
                                 e.what(), kind, policy, e.key()));
  }
}

// Each tenant's placement policy, built from its table.
std::vector<std::unique_ptr<PlacementPolicy>> make_placement_policies(const Scenario& scenario,
                                                                      const PlatformInfo& platform) {
  std::vector<std::unique_ptr<PlacementPolicy>> policies;
  for (std::size_t t = 0; t < scenario.tenants.size(); ++t) {
    const TenantSpec& tenant = scenario.tenants[t];
    if (platform.find(tenant.source) == nullptr)
      throw InputError(fmt::format("{}: tenants.{}.source: no host named \"{}\" in platform {}", scenario.file, t,
                                   tenant.source, platform.file));
    check_measurement_pstates(tenant, t, scenario, platform);
    const auto* entry = Registry::instance().placement_policy(tenant.placement.name);
    if (entry == nullptr)
      throw InputError(fmt::format("{}: {}.policy: unknown placement policy \"{}\" (see `edgesim list policies`)",
                                   scenario.file, tenant.placement.path, tenant.placement.name));
    const ConfigView config = ConfigAccess::view(tenant.placement.table, scenario.file, tenant.placement.path);
    policies.push_back(with_policy_key_hint("placement", tenant.placement.name, [&] {
      return entry->factory(PlacementPolicyArgs{config, stream_seed(scenario.simulation.seed, "placement", t)});
    }));
  }
  return policies;
}

// The tenants whose policy places jointly share the scenario's [placement] table
// (docs/joint-placement.md): the first of them places them all at once. Plans by tenant
// index, empty for tenants placed alone.
std::vector<std::vector<Fragment>> place_joint_group(const Scenario& scenario, const PlacementInputs& inputs,
                                                     std::span<const std::unique_ptr<PlacementPolicy>> policies) {
  std::vector<std::size_t> group;
  for (std::size_t t = 0; t < policies.size(); ++t)
    if (policies[t]->places_jointly())
      group.push_back(t);
  std::vector<std::vector<Fragment>> plans(scenario.tenants.size());
  if (group.empty())
    return plans;
  // A tenant's own table is its own choice: only the top-level one is shared.
  for (std::size_t t : group)
    if (scenario.tenants[t].placement.path != "placement")
      throw InputError(fmt::format("{}: {}.joint: joint placement places the tenants that share the scenario's "
                                   "top-level [placement] table; set joint = true there and drop tenants.{}'s own "
                                   "placement table",
                                   scenario.file, scenario.tenants[t].placement.path, t));
  const PolicySpec& shared = scenario.tenants[group.front()].placement;
  std::vector<PlacementProblem> problems;
  problems.reserve(group.size());
  for (std::size_t t : group)
    problems.push_back(make_placement_problem(inputs, scenario.tenants[t], t));
  const auto joint = policies[group.front()]->place_jointly(problems);
  if (joint.size() != group.size())
    throw RuntimeError(fmt::format("placement policy \"{}\" placed {} of the {} tenants it was asked to place jointly",
                                   shared.name, joint.size(), group.size()));
  for (std::size_t i = 0; i < group.size(); ++i)
    plans[group[i]] = joint[i];
  return plans;
}

} // namespace

Deployment plan_deployment(const Scenario& scenario, const PlatformInfo& platform, bool check_only) {
  for (const auto& plugin : scenario.plugins)
    Registry::instance().load_plugin(plugin);

  for (const auto& [name, settings] : scenario.host_overrides) {
    const ProbedHost* host = platform.find(name);
    if (host == nullptr)
      throw InputError(
          fmt::format("{}: hosts.{}: no host named \"{}\" in platform {}", scenario.file, name, name, platform.file));
    if (settings.pstate && *settings.pstate >= static_cast<int>(host->pstate_speeds.size()))
      throw InputError(fmt::format("{}: hosts.{}.pstate: expected a pstate in 0..{}", scenario.file, name,
                                   host->pstate_speeds.size() - 1));
  }

  check_platform_dynamics(scenario, platform);

  for (const auto& host : platform.hosts) {
    const double battery = scenario.host_settings(host.info.name).battery_wh.value_or(host.battery_wh);
    if (battery > 0 && !host.has_wattage)
      throw InputError(fmt::format("{}: host {} has a battery but no wattage_per_state property: its energy cannot "
                                   "be measured",
                                   platform.file, host.info.name));
  }

  PlacementInputs inputs = placement_inputs(platform, scenario);
  mark_initially_unavailable(inputs, scenario.dynamics);

  Deployment deployment;
  std::vector<std::unique_ptr<PlacementPolicy>> placements = make_placement_policies(scenario, platform);
  const std::vector<std::vector<Fragment>> joint_plans = place_joint_group(scenario, inputs, placements);
  std::map<std::string, double> memory_per_host;
  std::map<std::string, std::vector<std::size_t>> tenants_per_host; // for the RAM message
  for (std::size_t t = 0; t < scenario.tenants.size(); ++t) {
    const TenantSpec& tenant = scenario.tenants[t];
    const auto* exit_entry = Registry::instance().exit_policy(tenant.exits.name);
    if (exit_entry == nullptr)
      throw InputError(fmt::format("{}: {}.policy: unknown exit policy \"{}\" (see `edgesim list policies`)",
                                   scenario.file, tenant.exits.path, tenant.exits.name));

    auto& placement = placements[t];
    TenantDeployment plan;
    plan.fragments =
        placement->places_jointly() ? joint_plans[t] : placement->place(make_placement_problem(inputs, tenant, t));
    for (std::size_t f = 0; f < plan.fragments.size(); ++f) {
      const Fragment& fragment = plan.fragments[f];
      if (platform.find(fragment.host) == nullptr)
        throw InputError(fmt::format("{}: {}.fragments.{}.host: no host named \"{}\" in platform {}", scenario.file,
                                     tenant.placement.path, f, fragment.host, platform.file));
    }
    if (const std::string error = placement_error(tenant.model, plan.fragments, platform); !error.empty())
      throw InputError(fmt::format("{}: {}: placement policy \"{}\" gave an invalid placement: {}", scenario.file,
                                   tenant.placement.path, tenant.placement.name, error));
    scenario.check_fragment_work(t, plan.fragments.size());
    for (const Fragment& fragment : plan.fragments) {
      memory_per_host[fragment.host] += fragment_memory_bytes(tenant.model, fragment);
      auto& on_host = tenants_per_host[fragment.host];
      if (on_host.empty() || on_host.back() != t)
        on_host.push_back(t);
    }
    const ConfigView exit_config = ConfigAccess::view(tenant.exits.table, scenario.file, tenant.exits.path);
    const HostSettings& first = scenario.host_settings(plan.fragments.front().host);
    ExitPolicyArgs exit_args{.config = exit_config,
                             .model = tenant.model,
                             .seed = stream_seed(scenario.simulation.seed, "exit-policy", t),
                             .exit_times = exit_times(tenant.model, plan.fragments, platform, scenario),
                             .station_capacity = first.buffer,
                             .station_servers = first.servers,
                             .mean_arrival_rate = tenant.arrival.mean_rate(),
                             .slo = tenant.slo,
                             .scenario_file = scenario.file,
                             .scenario_text = scenario.text,
                             .scenario_dir = scenario.base_dir,
                             .tenant_index = t,
                             .check_only = check_only};
    plan.exit_policy = with_policy_key_hint("exit", tenant.exits.name, [&] { return exit_entry->factory(exit_args); });
    plan.placement_policy = std::move(placement);
    deployment.tenants.push_back(std::move(plan));
  }

  for (const auto& [name, bytes] : memory_per_host) {
    const ProbedHost* host = platform.find(name);
    if (host->info.ram_bytes > 0 && bytes > host->info.ram_bytes) {
      // Name the placement key(s) and the tenants whose fragments share the host.
      std::vector<std::string> paths;
      std::string tenants;
      for (std::size_t t : tenants_per_host[name]) {
        const TenantSpec& tenant = scenario.tenants[t];
        if (std::find(paths.begin(), paths.end(), tenant.placement.path) == paths.end())
          paths.push_back(tenant.placement.path);
        tenants += fmt::format("{}tenants.{} ({})", tenants.empty() ? "" : ", ", t, tenant.name);
      }
      throw InputError(fmt::format("{}: {}: expected fragments that fit in host RAM: {} put {:.1f} MB of parameters "
                                   "and activations on host {}, which has {:.1f} MB of RAM (ram_bytes in {})",
                                   scenario.file, fmt::join(paths, ", "), tenants, bytes / 1e6, name,
                                   host->info.ram_bytes / 1e6, platform.file));
    }
  }
  return deployment;
}

} // namespace edgesim
