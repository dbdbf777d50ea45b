#include "core/engine/placement_control.hpp"

#include "core/deployment.hpp"
#include "core/placement_problem.hpp"

#include <edgesim/error.hpp>
#include <edgesim/joint_load.hpp>

#include <simgrid/s4u.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace edgesim {
namespace {

bool same_fragment(const Fragment& a, const Fragment& b) {
  return a.host == b.host && a.first_layer == b.first_layer && a.last_layer == b.last_layer && a.branch == b.branch &&
         a.branches == b.branches;
}

} // namespace

void PlacementControl::start_live_inputs() {
  const auto& tenants = state_.scenario.tenants;
  if (std::any_of(tenants.begin(), tenants.end(),
                  [](const TenantSpec& tenant) { return std::isfinite(tenant.replan_every); }))
    live_inputs_.emplace(state_.platform, state_.scenario);
}

FragmentRuntime PlacementControl::fragment_runtime(std::size_t t, const Fragment& fragment) {
  const TenantRuntime& tenant = state_.tenants[t];
  const ModelProfile& model = tenant.spec->model;
  FragmentRuntime rt;
  rt.host = state_.platform.index_of(fragment.host);
  const ProbedHost& probed = state_.platform.hosts[static_cast<std::size_t>(rt.host)];
  const HostSettings& settings = state_.scenario.host_settings(fragment.host);
  rt.station = station_for(rt.host, t, settings);
  // FCFS: the cores are divided among the servers; processor sharing: a request alone
  // runs on every core, and SimGrid shares them among the requests in service.
  rt.threads = settings.discipline == Discipline::ProcessorSharing
                   ? std::max(1, probed.info.cores)
                   : std::max(1, std::max(1, probed.info.cores) / settings.servers);
  rt.efficiency = model.efficiency_on(probed.info.device_class);
  rt.out_bytes = model.layers[fragment.last_layer].out_bytes;
  if (fragment.branches > 1) {
    // A semantic branch: its share of every layer (of its measured time, too), no
    // exits, output to the merge host.
    SegmentCost whole;
    for (std::size_t l = fragment.first_layer; l <= fragment.last_layer; ++l)
      add_layer_cost(whole, model, l, probed, rt.threads);
    const double share = model.semantic.flops_share(fragment.branches);
    rt.segments.push_back(SegmentCost{.flops = whole.flops * share,
                                      .model_flops = whole.model_flops * share,
                                      .measured_work = whole.measured_work * share,
                                      .exit = -1});
    rt.out_bytes = model.semantic.merge_bytes;
    return rt;
  }
  rt.segments = fragment_segments(model, fragment.first_layer, fragment.last_layer, probed, rt.threads,
                                  [&](std::size_t e) { return tenant.policy->evaluates_exit(e); });
  return rt;
}

void PlacementControl::install(std::size_t t, std::vector<Fragment> plan) {
  // One station per (host, tenant fragment), or the host's shared station: its K and
  // servers come from the host's settings. A fragment kept unchanged by a new placement
  // keeps its station, so its queue carries over; a new fragment gets a new station.
  TenantRuntime& tenant = state_.tenants[t];
  const ModelProfile& model = tenant.spec->model;
  state_.scenario.check_fragment_work(t, plan.size()); // a re-planned placement may cut differently
  const PlacementRuntime* previous = tenant.placements.empty() ? nullptr : &tenant.placements.back();
  PlacementRuntime placement;
  placement.since = sg4::Engine::get_clock();
  for (const Fragment& fragment : plan) {
    if (previous != nullptr) {
      auto same = std::find_if(previous->plan.begin(), previous->plan.end(),
                               [&](const Fragment& old) { return same_fragment(old, fragment); });
      if (same != previous->plan.end()) {
        placement.fragments.push_back(previous->fragments[static_cast<std::size_t>(same - previous->plan.begin())]);
        continue;
      }
    }
    placement.fragments.push_back(fragment_runtime(t, fragment));
  }
  placement.branches = plan.front().branches;
  placement.merge_flops = placement.branches > 1 ? model.semantic.merge_flops : 0.0;
  placement.accuracy_penalty = model.semantic.penalty(placement.branches);
  placement.plan = std::move(plan);
  trace_.placement(t, static_cast<std::uint32_t>(tenant.placements.size()), placement.since, placement.plan);
  if (state_.shares) {
    std::vector<int> hosts;
    for (const FragmentRuntime& fragment : placement.fragments)
      hosts.push_back(fragment.host);
    state_.shares->set_placement(t, hosts);
  }
  tenant.placements.push_back(std::move(placement));
}

int PlacementControl::station_for(int host_index, std::size_t t, const HostSettings& settings) {
  HostState& host = state_.host(host_index);
  const bool shared = settings.station == StationSharing::Shared;
  if (shared && host.shared_station >= 0)
    return host.shared_station;
  Station station;
  station.host = host_index;
  station.tenant = shared ? -1 : static_cast<int>(t);
  station.capacity = settings.buffer;
  station.servers = settings.discipline == Discipline::ProcessorSharing ? settings.buffer : settings.servers;
  if (shared)
    station.tenant_in_system.assign(state_.scenario.tenants.size(), 0);
  const int index = static_cast<int>(state_.stations.size());
  state_.stations.push_back(std::move(station));
  host.stations.push_back(index);
  if (shared)
    host.shared_station = index;
  return index;
}

const PlacementInputs& PlacementControl::live_placement_inputs() {
  std::vector<bool> down;
  for (const auto& host : state_.hosts)
    down.push_back(host.down);
  return live_inputs_->refresh(down);
}

void PlacementControl::check_runtime_placement(std::size_t t, const std::vector<Fragment>& plan) const {
  const TenantSpec& spec = *state_.tenants[t].spec;
  const std::string error = placement_error(spec.model, plan, state_.platform);
  if (!error.empty())
    throw RuntimeError(fmt::format("placement policy \"{}\" of tenant {} re-planned at t = {} s: {}",
                                   spec.placement.name, spec.name, sg4::Engine::get_clock(), error));
}

double PlacementControl::next_replan() const {
  double next = std::numeric_limits<double>::infinity();
  for (const auto& tenant : state_.tenants)
    next = std::min(next, tenant.next_replan);
  return next;
}

bool PlacementControl::replan(std::size_t t) {
  TenantRuntime& tenant = state_.tenants[t];
  tenant.next_replan += tenant.spec->replan_every;
  const double now = sg4::Engine::get_clock();
  const PlacementInputs& inputs = live_placement_inputs();
  PlacementProblem problem = make_placement_problem(inputs, *tenant.spec, t, now);
  // A tenant placed jointly moves among the others as they are now: their load stays.
  std::vector<PlacementProblem> group;
  std::vector<std::vector<Fragment>> group_plans;
  std::size_t self = 0;
  CoTenantLoad co_tenants;
  if (tenant.placement_policy->places_jointly()) {
    for (std::size_t u = 0; u < state_.tenants.size(); ++u) {
      const TenantRuntime& other = state_.tenants[u];
      if (!other.placement_policy->places_jointly())
        continue;
      if (u == t)
        self = group.size();
      group.push_back(make_placement_problem(inputs, *other.spec, u, now));
      group_plans.push_back(other.placements.back().plan);
    }
    co_tenants = co_tenant_load(group, group_plans, self);
    problem.co_tenants = &co_tenants;
  }
  std::vector<Fragment> plan;
  try {
    plan = tenant.placement_policy->place(problem);
  } catch (const std::runtime_error&) {
    // No feasible placement now (hosts down, routes too slow for a constraint): keep the
    // current one; its requests meet the platform as it is (lost at hosts that are down).
    return false;
  }
  check_runtime_placement(t, plan);
  const std::vector<Fragment>& current = tenant.placements.back().plan;
  if (std::equal(plan.begin(), plan.end(), current.begin(), current.end(), same_fragment))
    return false;
  install(t, std::move(plan));
  return true;
}

} // namespace edgesim
