#include "core/simulation.hpp"

#include "core/engine/energy_monitor.hpp"
#include "core/engine/engine_session.hpp"
#include "core/engine/engine_state.hpp"
#include "core/engine/placement_control.hpp"
#include "core/engine/progress_reporter.hpp"
#include "core/engine/request_flow.hpp"
#include "core/engine/run_summary.hpp"
#include "core/engine/share_control.hpp"
#include "core/engine/trace_emitter.hpp"
#include "core/layer_latency.hpp"
#include "core/link_traffic.hpp"
#include "core/platform_dynamics.hpp"

#include <edgesim/random.hpp>

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace sg4 = simgrid::s4u;

namespace edgesim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// One run: builds the engine's components and drives them from the single controller
/// actor (docs/architecture.md): each turn it waits for the next activity to finish or the next
/// timer (arrival, timeline sample, battery, platform change, share change, re-plan),
/// whichever comes first, and hands the event to the component it belongs to.
class Simulator {
public:
  Simulator(const Scenario& scenario, const PlatformInfo& platform, Deployment& deployment, TraceSink* sink,
            const EngineOptions& options)
      : scenario_(scenario), deployment_(deployment), options_(options), state_(scenario, platform),
        trace_(sink, scenario.simulation.trace_requests), energy_(state_), placements_(state_, trace_),
        flow_(state_, trace_, energy_, traffic_), progress_(options.progress, scenario.simulation.duration) {}

  RunOutput run();

private:
  void build_runtime();
  void controller();
  void handle_timers(double next_arrival, std::size_t next_tenant);
  /// The tenant whose arrival comes next and its time (infinity: arrivals are done).
  std::pair<double, std::size_t> next_arrival();
  void apply_platform_changes();
  void update_batteries();
  void poll_interrupt();
  RunOutput collect();

  const Scenario& scenario_;
  Deployment& deployment_;
  const EngineOptions& options_;
  EngineState state_;
  TraceEmitter trace_;
  EnergyMonitor energy_;
  LinkTraffic traffic_;
  PlacementControl placements_;
  RequestFlow flow_;
  ProgressReporter progress_;
  std::optional<PlatformSchedule> platform_schedule_;
  double next_sample_ = 0;
  bool has_batteries_ = false;
  bool interrupted_ = false;
  double horizon_ = 0; // end of the arrival window
  std::uint64_t loop_iterations_ = 0;
  bool wifi_metered_ = false; // the platform declares WiFi energy figures: core/wifi_meter meters its cells
};

void Simulator::build_runtime() {
  auto* engine = sg4::Engine::get_instance();
  const std::size_t tenants = scenario_.tenants.size();
  for (const auto& probed : state_.platform.hosts) {
    HostState host(probed.info.name, probed.info.cores, tenants);
    host.host = engine->host_by_name(probed.info.name);
    host.metered = probed.has_wattage;
    const HostSettings& settings = scenario_.host_settings(host.name);
    if (settings.pstate)
      host.host->set_pstate(static_cast<unsigned long>(*settings.pstate));
    host.send_buffer = settings.send_buffer;
    host.battery_j = settings.battery_wh.value_or(probed.battery_wh) * 3600.0;
    state_.hosts.push_back(std::move(host));
  }
  has_batteries_ = energy_.has_batteries();
  if (scenario_.multitenant != MultitenantPolicy::None) {
    std::vector<double> base;
    for (const auto& spec : scenario_.tenants)
      base.push_back(spec.share);
    std::vector<std::string> names;
    for (const auto& host : state_.hosts)
      names.push_back(host.name);
    state_.shares.emplace(scenario_.multitenant, base, state_.hosts.size(), share_steps(scenario_, names),
                          scenario_.share_epoch, scenario_.share_tolerance);
  }
  const std::uint64_t seed = scenario_.simulation.seed;
  for (std::size_t t = 0; t < tenants; ++t) {
    TenantRuntime tenant;
    tenant.spec = &scenario_.tenants[t];
    tenant.policy = deployment_.tenants[t].exit_policy.get();
    tenant.placement_policy = deployment_.tenants[t].placement_policy.get();
    if (TraceSink* sink = trace_.sink()) {
      const auto index = static_cast<std::uint16_t>(t);
      tenant.exit_trace = std::make_unique<TenantPolicyTrace>(*sink, index, tenant.spec->exits.name);
      tenant.placement_trace = std::make_unique<TenantPolicyTrace>(*sink, index, tenant.spec->placement.name);
      tenant.policy->attach_trace(tenant.exit_trace.get());
      tenant.placement_policy->attach_trace(tenant.placement_trace.get());
      tenant.placement_policy->trace_state(0);
      tenant.policy->trace_state(0);
    }
    tenant.next_replan = tenant.spec->replan_every;
    tenant.oracle = std::make_unique<ExitOracle>(tenant.spec->model, stream_seed(seed, "exit-oracle", t));
    tenant.arrival_rng = Rng(stream_seed(seed, "arrivals", t));
    tenant.arrivals = tenant.spec->arrival.process->start(tenant.arrival_rng);
    tenant.work_rng = Rng(stream_seed(seed, "work", t));
    tenant.penalty_rng = Rng(stream_seed(seed, "semantic-penalty", t));
    tenant.next_arrival = tenant.arrivals->next(tenant.arrival_rng);
    state_.tenants.push_back(std::move(tenant));
    placements_.install(t, deployment_.tenants[t].fragments);
  }
}

void Simulator::apply_platform_changes() {
  const double now = sg4::Engine::get_clock();
  for (const PlatformChange& change : platform_schedule_->take_due(now)) {
    HostState& host = state_.host(change.host);
    if (change.value > 0)
      energy_.mark_up(host, now);
    else if (!host.down)
      flow_.take_host_down(change.host);
  }
}

void Simulator::update_batteries() {
  energy_.update_batteries(sg4::Engine::get_clock(), [this](int host) { flow_.take_host_down(host); });
}

void Simulator::poll_interrupt() {
  progress_.report(sg4::Engine::get_clock(), state_.next_request_id, false);
  if (options_.interrupted && !interrupted_ && options_.interrupted()) {
    interrupted_ = true;
    for (auto& tenant : state_.tenants)
      tenant.next_arrival = kInf;
  }
}

std::pair<double, std::size_t> Simulator::next_arrival() {
  const auto& sim = scenario_.simulation;
  double next = kInf;
  std::size_t next_tenant = 0;
  for (std::size_t t = 0; t < state_.tenants.size(); ++t) {
    auto& tenant = state_.tenants[t];
    if (tenant.next_arrival > sim.duration || (sim.requests > 0 && tenant.generated >= sim.requests))
      tenant.next_arrival = kInf; // exhausted
    if (tenant.next_arrival < next) {
      next = tenant.next_arrival;
      next_tenant = t;
    }
  }
  return {next, next_tenant};
}

void Simulator::handle_timers(double next_arrival, std::size_t next_tenant) {
  const double clock = sg4::Engine::get_clock();
  const double tolerance = 1e-12 * std::max(1.0, clock);
  if (platform_schedule_->next_time() <= clock + tolerance)
    apply_platform_changes();
  if (state_.shares && state_.shares->next_time() <= clock + tolerance)
    apply_share_updates(state_, clock);
  // After the platform and share changes of the same instant, so a policy sees them.
  for (std::size_t t = 0; t < state_.tenants.size(); ++t)
    if (state_.tenants[t].next_replan <= clock + tolerance && placements_.replan(t) && state_.shares)
      apply_share_updates(state_, clock); // the tenant's shares on the hosts it moved to
  if (energy_.next_battery_empty() <= clock + tolerance)
    update_batteries();
  if (next_sample_ <= clock + tolerance) {
    if (trace_.sink() != nullptr)
      for (const TimelineRecord& row : energy_.sample_timeline(next_sample_))
        trace_.timeline(row);
    next_sample_ += scenario_.simulation.sample_every;
  }
  if (next_arrival <= clock + tolerance) {
    flow_.arrive(next_tenant, next_arrival);
    horizon_ = std::max(horizon_, next_arrival);
    TenantRuntime& arrived = state_.tenants[next_tenant];
    arrived.next_arrival = arrived.arrivals->next(arrived.arrival_rng);
    if (!std::isfinite(arrived.next_arrival))
      arrived.arrivals_end = next_arrival;
  }
}

void Simulator::controller() {
  std::vector<sg4::Host*> hosts;
  for (const auto& host : state_.hosts)
    hosts.push_back(host.host);
  const WifiStations stations = attach_wifi_stations(hosts);
  if (wifi_metered_)
    state_.wifi.emplace(hosts, state_.platform, stations);
  next_sample_ = 0;
  apply_platform_changes();
  if (state_.shares)
    apply_share_updates(state_, sg4::Engine::get_clock()); // steps at t = 0 and every tenant's initial share
  update_batteries();
  while (true) {
    if (++loop_iterations_ % 4096 == 0)
      poll_interrupt();
    const auto [arrival, tenant] = next_arrival();
    const bool arrivals_done = !std::isfinite(arrival);
    if (arrivals_done && state_.activities.empty())
      break;
    const double next_timer =
        std::min({arrival, next_sample_, energy_.next_battery_empty(), platform_schedule_->next_time(),
                  state_.shares ? state_.shares->next_time() : kInf, arrivals_done ? kInf : placements_.next_replan()});
    const long done = state_.activities.wait(next_timer - sg4::Engine::get_clock());
    if (done >= 0)
      flow_.activity_finished(state_.activities.remove(static_cast<std::size_t>(done)));
    else
      handle_timers(arrival, tenant);
    if (has_batteries_)
      update_batteries();
  }
  progress_.report(sg4::Engine::get_clock(), state_.next_request_id, true);
}

RunOutput Simulator::collect() {
  RunOutput out;
  out.interrupted = interrupted_;
  out.simulated_seconds = sg4::Engine::get_clock();
  out.requests = state_.next_request_id;
  const double end = out.simulated_seconds;

  std::vector<std::vector<double>> tenant_busy;
  std::vector<HostEnergyInputs> energy_inputs;
  tenant_busy.reserve(state_.hosts.size());
  double total_energy = 0;
  double static_energy = 0;
  for (const HostState& host : state_.hosts) {
    double area = 0;
    for (int s : host.stations)
      area += state_.station(s).area(end);
    const double energy = host.metered ? energy_.consumed_energy(host) : 0.0;
    HostRecord record = host_record(host, energy, host.metered ? energy_.idle_power(host) : 0.0, end, area);
    static_energy += record.energy_static_j;
    total_energy += record.energy_j;
    tenant_busy.push_back(host.tenant_busy.busy(end));
    energy_inputs.push_back(HostEnergyInputs{.energy_j = record.energy_j,
                                             .static_j = record.energy_static_j,
                                             .up_seconds = host.up_seconds(end),
                                             .tenant_work = host.tenant_work,
                                             .tenant_busy = tenant_busy.back()});
    out.hosts.push_back(std::move(record));
  }
  // Every link with its traffic; energy where a plugin meters it, WiFi links after the
  // wired ones (core/wifi_meter).
  const bool wired_energy = sg_link_energy_is_inited() != 0;
  for (auto* link : sg4::Engine::get_instance()->get_all_links()) {
    const bool wifi = link->get_sharing_policy() == sg4::Link::SharingPolicy::WIFI;
    if ((wifi && state_.wifi) || link->get_name() == "__loopback__")
      continue;
    LinkRecord record;
    record.name = link->get_name();
    record.bytes = traffic_.bytes(link);
    if (wired_energy && !wifi) {
      record.energy_j = sg_link_get_consumed_energy(link);
      static_energy += link_idle_watts(*link) * end;
    }
    total_energy += record.energy_j;
    out.links.push_back(std::move(record));
  }
  if (state_.wifi) {
    for (const WifiCellEnergy& cell : state_.wifi->energy(end)) {
      LinkRecord record{.name = cell.link->get_name(),
                        .energy_j = cell.energy.dynamic_j + cell.energy.static_j,
                        .bytes = traffic_.bytes(cell.link)};
      total_energy += record.energy_j;
      static_energy += cell.energy.static_j;
      out.links.push_back(std::move(record));
    }
  }
  const std::vector<TenantEnergy> tenant_energy = attribute_energy(energy_inputs, state_.tenants.size());
  out.layer_latency = layer_latency_records(scenario_, state_.platform);

  const auto& sim = scenario_.simulation;
  std::vector<TenantSummaryInput> inputs;
  for (std::size_t t = 0; t < state_.tenants.size(); ++t) {
    const TenantRuntime& tenant = state_.tenants[t];
    inputs.push_back(TenantSummaryInput{.name = tenant.spec->name,
                                        .statistics = &tenant.statistics,
                                        .energy = tenant_energy[t],
                                        .arrivals_end = tenant.arrivals_end});
  }
  const SummaryWindow window{.warmup = sim.warmup,
                             .end = std::isfinite(sim.duration) && !interrupted_ ? sim.duration : horizon_};
  out.summary = summary_rows(inputs, window, total_energy, static_energy);
  return out;
}

RunOutput Simulator::run() {
  EngineSession session(state_.platform, scenario_.simulation.network_model, options_);
  wifi_metered_ = session.wifi_metered();
  build_runtime();
  platform_schedule_.emplace(scenario_.dynamics, state_.platform);
  placements_.start_live_inputs();
  // The controller runs on a mains-powered host when there is one. Hosts are never
  // turned off (that would kill the controller's actor on a one-host platform); a
  // depleted host is marked down instead: its activities are cancelled, its requests
  // lost, and its energy frozen at the capacity (it draws nothing once empty).
  const auto& hosts = state_.hosts;
  auto mains = std::find_if(hosts.begin(), hosts.end(), [](const HostState& h) { return h.battery_j <= 0; });
  sg4::Host* home = (mains != hosts.end() ? *mains : hosts.front()).host;
  sg4::Actor::create("edgesim-controller", home, [this] { controller(); });
  session.run();
  return collect();
}

} // namespace

RunOutput simulate(const Scenario& scenario, const PlatformInfo& platform, Deployment& deployment, TraceSink* sink,
                   const EngineOptions& options) {
  Simulator simulator(scenario, platform, deployment, sink, options);
  return simulator.run();
}

} // namespace edgesim
