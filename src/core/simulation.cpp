#include "core/simulation.hpp"
#include "core/tenant_policy_trace.hpp"

#include <edgesim/error.hpp>

#include "core/arrival_process.hpp"
#include "core/cpu_shares.hpp"
#include "core/energy_attribution.hpp"
#include "core/fragment_cost.hpp"
#include "core/link_traffic.hpp"
#include "core/live_placement.hpp"
#include "core/platform_dynamics.hpp"
#include "core/route_table.hpp"
#include "core/station.hpp"
#include "core/tenant_busy_time.hpp"
#include "core/wifi_energy_capture.hpp"
#include "util/latency_histogram.hpp"
#include <edgesim/exit_oracle.hpp>
#include <edgesim/joint_load.hpp>
#include <edgesim/random.hpp>

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <map>
#include <optional>

namespace sg4 = simgrid::s4u;

namespace edgesim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct FragmentRuntime {
  int host = 0;
  int station = 0;
  int threads = 1;
  double efficiency = 1;
  double out_bytes = 0; // activation sent to the next fragment (a branch: its output to the merge host)
  std::vector<SegmentCost> segments;
};

/// One placement of a tenant's model in force from `since` on. Requests keep the
/// placement they were admitted under until they finish.
struct PlacementRuntime {
  double since = 0;
  std::vector<Fragment> plan;
  std::vector<FragmentRuntime> fragments;
  // Semantic split: fragments are parallel branches merged on fragments[0]'s host.
  std::size_t branches = 1;
  double merge_flops = 0;
  double accuracy_penalty = 0;
};

constexpr std::uint32_t kNoParent = std::numeric_limits<std::uint32_t>::max();

struct TenantRuntime {
  const TenantSpec* spec = nullptr;
  ExitPolicy* policy = nullptr;
  PlacementPolicy* placement_policy = nullptr;
  std::unique_ptr<TenantPolicyTrace> exit_trace, placement_trace; // /policy rows, when traced
  std::vector<PlacementRuntime> placements; // index = placement version; back() serves new requests
  double next_replan = kInf;
  std::unique_ptr<ExitOracle> oracle;
  std::unique_ptr<ArrivalProcess> arrivals;
  Rng work_rng{0};
  Rng penalty_rng{0}; // accuracy penalty of semantic splits
  double next_arrival = kInf;
  std::uint64_t generated = 0;
  double last_arrival = 0;
  // Time of the last arrival of a process that ran out (a trace shorter than the run);
  // the tenant's throughput window ends there, not at the configured duration.
  double arrivals_end = kInf;
  double mean_interarrival = 0; // EWMA, for ExitContext::arrival_rate
  // Statistics over requests arriving after the warm-up.
  std::uint64_t offered = 0, served = 0, lost = 0, correct = 0, slo_met = 0;
  std::uint64_t served_whole_run = 0; // warm-up included: energy covers the whole run
  LatencyHistogram latency;
};

struct Request {
  std::uint64_t id = 0;
  std::uint16_t tenant = 0;
  std::uint16_t fragment = 0;
  std::uint16_t segment = 0;
  std::uint32_t placement = 0; // version of the tenant's placement it runs on
  bool measured = false;
  double arrival = 0;
  double work_factor = 1;
  double difficulty = 0;
  std::uint64_t sample = 0;
  double flops_done = 0;
  double energy_done = 0;          // dynamic energy of the request's execs, J
  double segment_start = 0;        // when its running exec started
  std::uint16_t pending_execs = 0; // execs of the current segment still running
  // Semantic splits: a request forks into one branch request per branch, which runs its
  // fragment like any request and then reports to its parent on the merge host.
  std::uint32_t parent = kNoParent;   // set on a branch: the request it belongs to
  std::uint16_t pending_branches = 0; // on a split request: branches not yet back
  bool failed = false;                // on a split request: already recorded as lost
};

struct HostRuntime {
  sg4::Host* host = nullptr;
  std::string name;
  int cores = 1;
  std::vector<int> stations;
  int shared_station = -1; // station shared by every fragment on the host, if any
  int running_execs = 0;
  int running_threads = 0; // cores asked for by running execs (may exceed cores)
  double busy_time = 0;
  double busy_since = 0;
  std::uint64_t served = 0;
  std::uint64_t lost = 0;
  int send_buffer = 0;  // transfers the interface holds at once, 0 = unbounded
  int sending = 0;      // transfers from this host in flight
  bool metered = false; // has wattage_per_state: SimGrid's energy plugin measures it
  double battery_j = 0; // capacity, 0 = mains powered
  bool down = false;
  bool depleted = false; // battery empty: down for good
  double down_at = -1;   // first time the host went down
  double energy_at_down = 0;
  double energy_while_down = 0;    // meter increase during past outages (a down host draws nothing)
  double down_since = 0;           // start of the current outage
  double down_seconds = 0;         // length of past outages
  std::vector<double> tenant_work; // flops x threads per tenant, to share dynamic energy
  TenantBusyTime tenant_busy;      // to share static energy
  double sampled_energy = 0;       // energy at the last /timeline sample
  double sampled_at = 0;           // time of the last /timeline sample
  double sampled_queue_area = 0;   // its stations' queue-length integral then
};

struct ActivityTag {
  // BranchOutput: a branch's output travelling to the merge host; Merge: the merge exec.
  enum class Kind : std::uint8_t { Exec, Comm, BranchOutput, Merge } kind = Kind::Exec;
  std::uint32_t request = 0;
  int host = 0;     // exec host, or comm source
  int peer = -1;    // comm destination
  int threads = 0;  // exec thread count
  double bytes = 0; // comm size
};

bool same_fragment(const Fragment& a, const Fragment& b) {
  return a.host == b.host && a.first_layer == b.first_layer && a.last_layer == b.last_layer && a.branch == b.branch &&
         a.branches == b.branches;
}

double draw_work_factor(const WorkSpec& work, Rng& rng) {
  switch (work.kind) {
  case WorkSpec::Kind::Deterministic:
    return 1.0;
  case WorkSpec::Kind::Exponential:
    return rng.exponential(1.0);
  case WorkSpec::Kind::Erlang: {
    double sum = 0;
    for (int i = 0; i < work.stages; ++i)
      sum += rng.exponential(static_cast<double>(work.stages));
    return sum;
  }
  case WorkSpec::Kind::Hyperexponential: {
    // Balanced means: p/mu1 = (1-p)/mu2, overall mean 1, given squared CV.
    const double p = 0.5 * (1.0 + std::sqrt((work.h2_scv - 1.0) / (work.h2_scv + 1.0)));
    const double mean1 = 1.0 / (2.0 * p);
    const double mean2 = 1.0 / (2.0 * (1.0 - p));
    return rng.uniform() < p ? rng.exponential(1.0 / mean1) : rng.exponential(1.0 / mean2);
  }
  }
  return 1.0;
}

class Simulator {
public:
  Simulator(const Scenario& scenario, const PlatformInfo& platform, Deployment& deployment, TraceSink* sink,
            const EngineOptions& options)
      : scenario_(scenario), platform_(platform), deployment_(deployment), sink_(sink), options_(options) {}

  RunOutput run();

private:
  void build_runtime();
  void install_placement(std::size_t tenant, std::vector<Fragment> plan);
  /// The station a fragment of tenant `t` on `host` joins: a new one per fragment, or
  /// the host's shared station (created on first use).
  int station_for(int host, std::size_t t, const HostSettings& settings);
  void replan(std::size_t tenant);
  /// The placement inputs as the platform is now (routes re-read, hosts that are down).
  [[nodiscard]] const PlacementInputs& live_placement_inputs();
  void check_runtime_placement(std::size_t tenant, const std::vector<Fragment>& plan) const;
  [[nodiscard]] double next_replan() const;
  [[nodiscard]] const FragmentRuntime& fragment_of(const Request& r) const {
    return tenants_[r.tenant].placements[r.placement].fragments[r.fragment];
  }
  [[nodiscard]] std::size_t fragment_count(const Request& r) const {
    return tenants_[r.tenant].placements[r.placement].fragments.size();
  }
  void controller();
  void attach_wifi_stations();
  // request flow
  void on_arrival(std::size_t tenant, double at);
  std::uint32_t allocate_slot();
  void fork_branches(std::uint32_t slot, int source);
  void branch_done(std::uint32_t slot, int host);
  void branch_merged(std::uint32_t slot);
  void merge_done(std::uint32_t slot);
  void record_loss(std::uint32_t slot, LossReason reason, int host);
  /// Starts an exec of `per_thread` flops x `threads` on `host` for request `slot`.
  void start_exec(std::uint32_t slot, int host, double per_thread, int threads, ActivityTag::Kind kind);
  void arrive_at_station(std::uint32_t slot);
  void start_service(std::uint32_t slot);
  void start_segment(std::uint32_t slot);
  void on_exec_done(std::uint32_t slot, int host);
  void leave_station(int station, std::size_t tenant);
  // Starts the transfer, or loses the request (reason NetworkFull) when the sender's
  // interface is full; false then, and the slot must not be touched.
  bool send(std::uint32_t slot, int from, int to, double bytes);
  void transfer_ended(const ActivityTag& tag);
  void complete(std::uint32_t slot, int exit, const ExitOutcomeDraw& draw);
  void lose(std::uint32_t slot, LossReason reason, int host);
  void release(std::uint32_t slot);
  // timers
  void sample_timeline(double at);
  double sampled_power(HostRuntime& host, double interval);
  void update_batteries();
  void take_host_down(int host);
  void bring_host_up(int host);
  void apply_platform_changes();
  [[nodiscard]] double consumed_energy(const HostRuntime& host) const;
  [[nodiscard]] double battery_soc(const HostRuntime& host) const;
  void exec_started(int host, int threads, std::size_t tenant);
  void exec_finished(int host, int threads, std::size_t tenant);
  void count_transfer(int from, int to, double bytes);
  [[nodiscard]] double predicted_power(const HostRuntime& host) const;
  [[nodiscard]] double cpu_share(std::size_t tenant, int host) const;
  /// Applies the CPU share changes due now: re-weights running execs of a tenant whose
  /// entitlement moved (cooperative) and tells exit policies of their new shares.
  void apply_share_updates();
  void remove_activity(std::size_t index);
  void report_progress(bool final_line);
  RunOutput collect();
  [[nodiscard]] std::vector<LayerLatencyRecord> layer_latency_records() const;

  const Scenario& scenario_;
  const PlatformInfo& platform_;
  Deployment& deployment_;
  TraceSink* sink_;
  const EngineOptions& options_;

  std::vector<HostRuntime> hosts_;
  std::vector<Station> stations_;
  std::vector<TenantRuntime> tenants_;
  std::vector<Request> pool_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<sg4::ActivityPtr> activities_;
  std::vector<ActivityTag> tags_;
  std::optional<PlatformSchedule> platform_schedule_;
  std::optional<CpuShares> shares_;                // multitenant mode only
  std::optional<LivePlacementInputs> live_inputs_; // what re-planning policies see
  std::uint64_t next_id_ = 0;
  double next_sample_ = 0;
  double next_battery_ = kInf;
  bool has_batteries_ = false;
  bool arrivals_done_ = false;
  bool interrupted_ = false;
  double horizon_ = 0; // end of the arrival window
  std::chrono::steady_clock::time_point wall_start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_progress_ = wall_start_;
  std::uint64_t loop_iterations_ = 0;
  std::uint64_t served_whole_run_ = 0; // all tenants, warm-up included
  bool wifi_metered_ = false;          // the WiFi energy plugin reports the WiFi links
  LinkTraffic link_traffic_;
};

void Simulator::build_runtime() {
  auto* engine = sg4::Engine::get_instance();
  for (const auto& probed : platform_.hosts) {
    HostRuntime host;
    host.host = engine->host_by_name(probed.info.name);
    host.name = probed.info.name;
    host.cores = std::max(1, probed.info.cores);
    host.metered = probed.has_wattage;
    const HostSettings& settings = scenario_.host_settings(host.name);
    if (settings.pstate)
      host.host->set_pstate(static_cast<unsigned long>(*settings.pstate));
    host.send_buffer = settings.send_buffer;
    double battery_wh = settings.battery_wh.value_or(probed.battery_wh);
    host.battery_j = battery_wh * 3600.0;
    has_batteries_ = has_batteries_ || host.battery_j > 0;
    host.tenant_work.assign(scenario_.tenants.size(), 0.0);
    host.tenant_busy = TenantBusyTime(scenario_.tenants.size());
    hosts_.push_back(std::move(host));
  }
  if (scenario_.multitenant != MultitenantPolicy::None) {
    std::vector<double> base;
    for (const auto& spec : scenario_.tenants)
      base.push_back(spec.share);
    std::vector<std::string> names;
    for (const auto& host : hosts_)
      names.push_back(host.name);
    shares_.emplace(scenario_.multitenant, base, hosts_.size(), share_steps(scenario_, names), scenario_.share_epoch,
                    scenario_.share_tolerance);
  }
  for (std::size_t t = 0; t < scenario_.tenants.size(); ++t) {
    TenantRuntime tenant;
    tenant.spec = &scenario_.tenants[t];
    tenant.policy = deployment_.tenants[t].exit_policy.get();
    tenant.placement_policy = deployment_.tenants[t].placement_policy.get();
    if (sink_ != nullptr) {
      const auto index = static_cast<std::uint16_t>(t);
      tenant.exit_trace = std::make_unique<TenantPolicyTrace>(*sink_, index, tenant.spec->exits.name);
      tenant.placement_trace = std::make_unique<TenantPolicyTrace>(*sink_, index, tenant.spec->placement.name);
      tenant.policy->attach_trace(tenant.exit_trace.get());
      tenant.placement_policy->attach_trace(tenant.placement_trace.get());
      tenant.placement_policy->trace_state(0);
      tenant.policy->trace_state(0);
    }
    tenant.next_replan = tenant.spec->replan_every;
    const ModelProfile& model = tenant.spec->model;
    tenant.oracle = std::make_unique<ExitOracle>(model, stream_seed(scenario_.simulation.seed, "exit-oracle", t));
    tenant.arrivals =
        std::make_unique<ArrivalProcess>(tenant.spec->arrival, stream_seed(scenario_.simulation.seed, "arrivals", t));
    tenant.work_rng = Rng(stream_seed(scenario_.simulation.seed, "work", t));
    tenant.penalty_rng = Rng(stream_seed(scenario_.simulation.seed, "semantic-penalty", t));
    tenant.next_arrival = tenant.arrivals->next();
    tenants_.push_back(std::move(tenant));
    install_placement(t, deployment_.tenants[t].fragments);
  }
}

void Simulator::install_placement(std::size_t t, std::vector<Fragment> plan) {
  // One station per (host, tenant fragment): the station's K and servers come from the
  // host's settings. A fragment kept unchanged by a new placement keeps its station, so
  // its queue carries over; a new fragment gets a new station.
  TenantRuntime& tenant = tenants_[t];
  const ModelProfile& model = tenant.spec->model;
  scenario_.check_fragment_work(t, plan.size()); // a re-planned placement may cut differently
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
    FragmentRuntime rt;
    rt.host = platform_.index_of(fragment.host);
    const ProbedHost& probed = platform_.hosts[static_cast<std::size_t>(rt.host)];
    const HostSettings& settings = scenario_.host_settings(fragment.host);
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
      placement.fragments.push_back(std::move(rt));
      continue;
    }
    rt.segments = fragment_segments(model, fragment.first_layer, fragment.last_layer, probed, rt.threads,
                                    [&](std::size_t e) { return tenant.policy->evaluates_exit(e); });
    placement.fragments.push_back(std::move(rt));
  }
  placement.branches = plan.front().branches;
  placement.merge_flops = placement.branches > 1 ? model.semantic.merge_flops : 0.0;
  placement.accuracy_penalty = model.semantic.penalty(placement.branches);
  placement.plan = std::move(plan);
  const auto version = static_cast<std::uint32_t>(tenant.placements.size());
  if (sink_ != nullptr) {
    for (std::size_t f = 0; f < placement.plan.size(); ++f) {
      const Fragment& fragment = placement.plan[f];
      PlacementRecord record;
      record.time = placement.since;
      record.tenant = static_cast<std::uint16_t>(t);
      record.placement = version;
      record.fragment = static_cast<std::uint16_t>(f);
      record.first_layer = static_cast<std::uint32_t>(fragment.first_layer);
      record.last_layer = static_cast<std::uint32_t>(fragment.last_layer);
      record.host = fragment.host;
      record.branch = fragment.branches > 1 ? static_cast<std::int16_t>(fragment.branch) : std::int16_t{-1};
      record.branches = static_cast<std::uint16_t>(fragment.branches);
      sink_->on_placement(record);
    }
  }
  if (shares_) {
    std::vector<int> hosts;
    for (const FragmentRuntime& fragment : placement.fragments)
      hosts.push_back(fragment.host);
    shares_->set_placement(t, hosts);
  }
  tenant.placements.push_back(std::move(placement));
}

int Simulator::station_for(int host_index, std::size_t t, const HostSettings& settings) {
  HostRuntime& host = hosts_[static_cast<std::size_t>(host_index)];
  const bool shared = settings.station == StationSharing::Shared;
  if (shared && host.shared_station >= 0)
    return host.shared_station;
  Station station;
  station.host = host_index;
  station.tenant = shared ? -1 : static_cast<int>(t);
  station.capacity = settings.buffer;
  station.servers = settings.discipline == Discipline::ProcessorSharing ? settings.buffer : settings.servers;
  if (shared)
    station.tenant_in_system.assign(scenario_.tenants.size(), 0);
  const int index = static_cast<int>(stations_.size());
  stations_.push_back(std::move(station));
  host.stations.push_back(index);
  if (shared)
    host.shared_station = index;
  return index;
}

const PlacementInputs& Simulator::live_placement_inputs() {
  std::vector<bool> down;
  for (const auto& host : hosts_)
    down.push_back(host.down);
  return live_inputs_->refresh(down);
}

void Simulator::check_runtime_placement(std::size_t t, const std::vector<Fragment>& plan) const {
  const TenantSpec& spec = *tenants_[t].spec;
  const std::string error = placement_error(spec.model, plan, platform_);
  if (!error.empty())
    throw RuntimeError(fmt::format("placement policy \"{}\" of tenant {} re-planned at t = {} s: {}",
                                   spec.placement.name, spec.name, sg4::Engine::get_clock(), error));
}

double Simulator::next_replan() const {
  double next = kInf;
  for (const auto& tenant : tenants_)
    next = std::min(next, tenant.next_replan);
  return next;
}

void Simulator::replan(std::size_t t) {
  TenantRuntime& tenant = tenants_[t];
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
    for (std::size_t u = 0; u < tenants_.size(); ++u) {
      if (!tenants_[u].placement_policy->places_jointly())
        continue;
      if (u == t)
        self = group.size();
      group.push_back(make_placement_problem(inputs, *tenants_[u].spec, u, now));
      group_plans.push_back(tenants_[u].placements.back().plan);
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
    return;
  }
  check_runtime_placement(t, plan);
  const std::vector<Fragment>& current = tenant.placements.back().plan;
  const bool unchanged = std::equal(plan.begin(), plan.end(), current.begin(), current.end(), same_fragment);
  if (!unchanged) {
    install_placement(t, std::move(plan));
    if (shares_)
      apply_share_updates(); // the tenant's shares on the hosts it moved to
  }
}

void Simulator::attach_wifi_stations() {
  std::vector<sg4::Host*> hosts;
  for (const auto& host : hosts_)
    hosts.push_back(host.host);
  edgesim::attach_wifi_stations(hosts);
}

void Simulator::count_transfer(int from, int to, double bytes) {
  link_traffic_.add(hosts_[static_cast<std::size_t>(from)].host, hosts_[static_cast<std::size_t>(to)].host, bytes);
}

void Simulator::exec_started(int host, int threads, std::size_t tenant) {
  auto& h = hosts_[static_cast<std::size_t>(host)];
  h.tenant_busy.exec_started(tenant, sg4::Engine::get_clock());
  h.running_threads += threads;
  if (h.running_execs++ == 0)
    h.busy_since = sg4::Engine::get_clock();
}

void Simulator::exec_finished(int host, int threads, std::size_t tenant) {
  auto& h = hosts_[static_cast<std::size_t>(host)];
  h.tenant_busy.exec_finished(tenant, sg4::Engine::get_clock());
  h.running_threads -= threads;
  if (--h.running_execs == 0)
    h.busy_time += sg4::Engine::get_clock() - h.busy_since;
}

double Simulator::cpu_share(std::size_t tenant, int host) const {
  return shares_ ? shares_->effective(tenant, host) : 1.0;
}

void Simulator::apply_share_updates() {
  const double now = sg4::Engine::get_clock();
  for (const ShareUpdate& update : shares_->advance(now)) {
    if (update.entitlement && scenario_.multitenant == MultitenantPolicy::Cooperative) {
      // Execs running for the tenant on the host take the new weight at once. (A
      // non-cooperative cap cannot change once an exec runs: its next segment gets it.)
      const double weight = shares_->entitled(update.tenant, update.host);
      for (std::size_t i = 0; i < activities_.size(); ++i) {
        const ActivityTag& tag = tags_[i];
        if (tag.kind == ActivityTag::Kind::Exec && tag.host == update.host &&
            pool_[tag.request].tenant == update.tenant && activities_[i]->get_state() == sg4::Activity::State::STARTED)
          static_cast<sg4::Exec*>(activities_[i].get())->update_priority(weight);
      }
    }
    if (!update.notify)
      continue;
    TenantRuntime& tenant = tenants_[update.tenant];
    const auto& fragments = tenant.placements.back().fragments;
    const std::string& host_name = hosts_[static_cast<std::size_t>(update.host)].name;
    // Recorded for every policy, share-aware or not, so /policy shows what it was told.
    if (tenant.exit_trace)
      tenant.exit_trace->record(now, {{"cpu_share:" + host_name, update.share}});
    tenant.policy->on_cpu_share(CpuShareChange{
        .tenant = static_cast<int>(update.tenant),
        .host = host_name,
        .first_host = !fragments.empty() && fragments.front().host == update.host,
        .share = update.share,
        .previous = update.previous,
        .now = now,
    });
  }
}

double Simulator::predicted_power(const HostRuntime& host) const {
  // The energy plugin's own law (Idle when nothing runs, else Epsilon + (AllCores -
  // Epsilon) x busy cores / cores), evaluated from the execs edgesim started: SimGrid
  // only refreshes a host's load at its next model solve, so right after an exec starts
  // sg_host_get_current_consumption still reports the idle power.
  if (!host.metered)
    return 0.0;
  const auto pstate = static_cast<int>(host.host->get_pstate());
  if (host.running_threads == 0)
    return sg_host_get_idle_consumption_at(host.host, pstate);
  const double load = std::min(1.0, static_cast<double>(host.running_threads) / host.cores);
  const double epsilon = sg_host_get_wattmin_at(host.host, pstate);
  return epsilon + (sg_host_get_wattmax_at(host.host, pstate) - epsilon) * load;
}

void Simulator::on_arrival(std::size_t t, double at) {
  TenantRuntime& tenant = tenants_[t];
  const double now = sg4::Engine::get_clock();
  if (tenant.generated > 0) {
    const double gap = at - tenant.last_arrival;
    tenant.mean_interarrival = tenant.generated == 1 ? gap : 0.9 * tenant.mean_interarrival + 0.1 * gap;
  }
  tenant.last_arrival = at;
  tenant.generated++;

  const std::uint32_t slot = allocate_slot();
  Request& r = pool_[slot];
  r.id = next_id_++;
  r.tenant = static_cast<std::uint16_t>(t);
  r.arrival = at;
  r.measured = at >= scenario_.simulation.warmup;
  tenant.oracle->begin_request(r.difficulty, r.sample);
  if (r.measured)
    tenant.offered++;
  (void)now;

  r.placement = static_cast<std::uint32_t>(tenant.placements.size() - 1);
  const int source = platform_.index_of(tenant.spec->source);
  if (hosts_[static_cast<std::size_t>(source)].down) {
    lose(slot, LossReason::HostDown, source);
    return;
  }
  if (tenant.placements.back().branches > 1) {
    fork_branches(slot, source);
    return;
  }
  const int first = tenant.placements.back().fragments.front().host;
  if (first != source && tenant.spec->input_bytes > 0)
    send(slot, source, first, tenant.spec->input_bytes);
  else
    arrive_at_station(slot);
}

std::uint32_t Simulator::allocate_slot() {
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(pool_.size());
    pool_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  pool_[slot] = Request{};
  return slot;
}

void Simulator::fork_branches(std::uint32_t slot, int source) {
  const TenantRuntime& tenant = tenants_[pool_[slot].tenant];
  const PlacementRuntime& placement = tenant.placements[pool_[slot].placement];
  pool_[slot].pending_branches = static_cast<std::uint16_t>(placement.branches);
  for (std::size_t b = 0; b < placement.branches; ++b) {
    const std::uint32_t branch = allocate_slot(); // may move pool_: index, no reference
    Request& child = pool_[branch];
    const Request& parent = pool_[slot];
    child.id = parent.id;
    child.tenant = parent.tenant;
    child.placement = parent.placement;
    child.fragment = static_cast<std::uint16_t>(b);
    child.measured = parent.measured;
    child.arrival = parent.arrival;
    child.parent = slot;
    const int host = placement.fragments[b].host;
    if (host != source && tenant.spec->input_bytes > 0)
      send(branch, source, host, tenant.spec->input_bytes);
    else
      arrive_at_station(branch);
  }
}

void Simulator::branch_done(std::uint32_t slot, int host) {
  const Request& r = pool_[slot];
  if (pool_[r.parent].failed) {
    branch_merged(slot);
    return;
  }
  const PlacementRuntime& placement = tenants_[r.tenant].placements[r.placement];
  const int merge_host = placement.fragments.front().host;
  const double bytes = fragment_of(r).out_bytes;
  if (merge_host == host || bytes <= 0) {
    branch_merged(slot);
    return;
  }
  if (send(slot, host, merge_host, bytes))
    tags_.back().kind = ActivityTag::Kind::BranchOutput;
}

void Simulator::branch_merged(std::uint32_t slot) {
  const std::uint32_t parent_slot = pool_[slot].parent;
  release(slot);
  Request& parent = pool_[parent_slot];
  if (--parent.pending_branches > 0)
    return;
  if (parent.failed) {
    release(parent_slot);
    return;
  }
  const TenantRuntime& tenant = tenants_[parent.tenant];
  const PlacementRuntime& placement = tenant.placements[parent.placement];
  const FragmentRuntime& merge = placement.fragments.front();
  HostRuntime& host = hosts_[static_cast<std::size_t>(merge.host)];
  if (host.down) {
    lose(parent_slot, LossReason::HostDown, merge.host);
    return;
  }
  if (placement.merge_flops <= 0) {
    merge_done(parent_slot);
    return;
  }
  const double per_thread = placement.merge_flops / (merge.threads * merge.efficiency);
  host.tenant_work[parent.tenant] += per_thread * merge.threads;
  start_exec(parent_slot, merge.host, per_thread, merge.threads, ActivityTag::Kind::Merge);
}

void Simulator::start_exec(std::uint32_t slot, int host, double per_thread, int threads, ActivityTag::Kind kind) {
  auto exec = sg4::Exec::init();
  exec->set_flops_amount(per_thread)->set_host(hosts_[static_cast<std::size_t>(host)].host);
  if (threads > 1)
    exec->set_thread_count(threads);
  exec->start();
  exec_started(host, threads, pool_[slot].tenant);
  activities_.emplace_back(std::move(exec));
  tags_.push_back(ActivityTag{kind, slot, host, -1, threads});
}

void Simulator::merge_done(std::uint32_t slot) {
  const Request& r = pool_[slot];
  TenantRuntime& tenant = tenants_[r.tenant];
  const PlacementRuntime& placement = tenant.placements[r.placement];
  const std::size_t final_exit = tenant.spec->model.exits.size();
  ExitOutcomeDraw draw = tenant.oracle->at_exit(final_exit, r.difficulty, r.sample);
  // The split model answers right with probability final accuracy - penalty: a request
  // the whole model gets right is turned wrong with probability penalty / final
  // accuracy, so harder requests (wrong anyway) stay wrong.
  const double u = tenant.penalty_rng.uniform();
  const double final_accuracy = tenant.spec->model.final_accuracy;
  if (draw.correct && final_accuracy > 0 && u < placement.accuracy_penalty / final_accuracy)
    draw.correct = false;
  complete(slot, static_cast<int>(final_exit), draw);
}

bool Simulator::send(std::uint32_t slot, int from, int to, double bytes) {
  HostRuntime& sender = hosts_[static_cast<std::size_t>(from)];
  if (sender.send_buffer > 0 && sender.sending >= sender.send_buffer) {
    lose(slot, LossReason::NetworkFull, from);
    return false;
  }
  sender.sending++;
  auto comm =
      sg4::Comm::sendto_async(hosts_[static_cast<std::size_t>(from)].host, hosts_[static_cast<std::size_t>(to)].host,
                              static_cast<std::uint64_t>(std::llround(bytes)));
  activities_.emplace_back(std::move(comm));
  tags_.push_back(ActivityTag{ActivityTag::Kind::Comm, slot, from, to, 0, bytes});
  return true;
}

void Simulator::transfer_ended(const ActivityTag& tag) {
  if (tag.kind == ActivityTag::Kind::Comm || tag.kind == ActivityTag::Kind::BranchOutput)
    hosts_[static_cast<std::size_t>(tag.host)].sending--;
}

void Simulator::arrive_at_station(std::uint32_t slot) {
  Request& r = pool_[slot];
  const FragmentRuntime& fragment = fragment_of(r);
  Station& station = stations_[static_cast<std::size_t>(fragment.station)];
  if (hosts_[static_cast<std::size_t>(fragment.host)].down) {
    lose(slot, LossReason::HostDown, fragment.host);
    return;
  }
  if (station.in_system >= station.capacity) {
    lose(slot, LossReason::BufferFull, fragment.host);
    return;
  }
  station.enter(sg4::Engine::get_clock(), r.tenant);
  if (station.busy < station.servers)
    start_service(slot);
  else
    station.queue.push_back(slot);
}

void Simulator::start_service(std::uint32_t slot) {
  Request& r = pool_[slot];
  TenantRuntime& tenant = tenants_[r.tenant];
  const FragmentRuntime& fragment = fragment_of(r);
  Station& station = stations_[static_cast<std::size_t>(fragment.station)];
  station.busy++;
  // One work factor per fragment visit: stations see independent service times, as in
  // a Jackson network, and a fragment's segments scale together.
  const auto& laws = tenant.spec->fragment_work;
  r.work_factor = draw_work_factor(laws.empty() ? tenant.spec->work : laws.at(r.fragment), tenant.work_rng);
  if (tenant.spec->drop_late && sg4::Engine::get_clock() - r.arrival > tenant.spec->slo) {
    leave_station(fragment.station, r.tenant);
    lose(slot, LossReason::Deadline, fragment.host);
    return;
  }
  start_segment(slot);
}

void Simulator::start_segment(std::uint32_t slot) {
  Request& r = pool_[slot];
  const FragmentRuntime& fragment = fragment_of(r);
  const SegmentCost& segment = fragment.segments[r.segment];
  const double per_thread = segment.per_thread(r.work_factor, fragment.threads, fragment.efficiency);
  HostRuntime& host = hosts_[static_cast<std::size_t>(fragment.host)];
  host.tenant_work[r.tenant] += per_thread * fragment.threads;
  r.segment_start = sg4::Engine::get_clock();
  if (!shares_) {
    start_exec(slot, fragment.host, per_thread, fragment.threads, ActivityTag::Kind::Exec);
    r.pending_execs = 1;
    return;
  }
  // SimGrid 3.32 ignores priorities and bounds of multi-threaded execs, so with shares a
  // segment runs as one single-threaded exec per thread: cooperative tenants weight them
  // by share (work-conserving), non-cooperative ones are capped at share x core speed.
  const double share = shares_->entitled(r.tenant, fragment.host);
  shares_->add_work(r.tenant, fragment.host, per_thread * fragment.threads / (host.host->get_speed() * host.cores));
  for (int thread = 0; thread < fragment.threads; ++thread) {
    auto exec = sg4::Exec::init();
    exec->set_flops_amount(per_thread)->set_host(host.host);
    if (scenario_.multitenant == MultitenantPolicy::Cooperative)
      exec->set_priority(share);
    else
      exec->set_bound(share * host.host->get_speed());
    exec->start();
    exec_started(fragment.host, 1, r.tenant);
    activities_.emplace_back(std::move(exec));
    tags_.push_back(ActivityTag{ActivityTag::Kind::Exec, slot, fragment.host, -1, 1});
  }
  r.pending_execs = static_cast<std::uint16_t>(fragment.threads);
}

void Simulator::leave_station(int station_index, std::size_t tenant) {
  Station& station = stations_[static_cast<std::size_t>(station_index)];
  station.busy--;
  station.leave(sg4::Engine::get_clock(), tenant);
  if (!station.queue.empty() && station.busy < station.servers) {
    std::uint32_t next = station.queue.front();
    station.queue.pop_front();
    start_service(next);
  }
}

void Simulator::on_exec_done(std::uint32_t slot, int host) {
  Request& r = pool_[slot];
  TenantRuntime& tenant = tenants_[r.tenant];
  const FragmentRuntime& fragment = fragment_of(r);
  const SegmentCost& segment = fragment.segments[r.segment];
  const double now = sg4::Engine::get_clock();
  {
    // The request's share of its host's dynamic power while its exec ran.
    const HostRuntime& h = hosts_[static_cast<std::size_t>(host)];
    const auto pstate = static_cast<int>(h.host->get_pstate());
    const double dynamic =
        h.metered ? sg_host_get_wattmax_at(h.host, pstate) - sg_host_get_idle_consumption_at(h.host, pstate) : 0.0;
    r.energy_done += (now - r.segment_start) * dynamic * std::min(1.0, static_cast<double>(fragment.threads) / h.cores);
    r.flops_done += segment.flops * r.work_factor;
  }
  if (segment.exit >= 0) {
    const auto exit = static_cast<std::size_t>(segment.exit);
    ExitOutcomeDraw draw = tenant.oracle->at_exit(exit, r.difficulty, r.sample);
    ExitContext ctx;
    ctx.request_id = r.id;
    ctx.tenant = r.tenant;
    ctx.exit_index = exit;
    ctx.num_exits = tenant.spec->model.exits.size();
    ctx.confidence = draw.confidence;
    ctx.now = now;
    ctx.elapsed = now - r.arrival;
    ctx.deadline = tenant.spec->slo;
    ctx.queue_length = stations_[static_cast<std::size_t>(fragment.station)].in_system;
    ctx.arrival_rate = tenant.mean_interarrival > 0 ? 1.0 / tenant.mean_interarrival : 0.0;
    const auto& h = hosts_[static_cast<std::size_t>(host)];
    ctx.exit_accuracy = tenant.spec->model.exit_accuracy(exit);
    ctx.cpu_share = cpu_share(r.tenant, host);
    ctx.flops_so_far = r.flops_done;
    ctx.energy_so_far = r.energy_done;
    ctx.battery_soc = battery_soc(h);
    ctx.correct_here = draw.correct;
    if (tenant.policy->decide(ctx) == ExitDecision::Exit) {
      hosts_[static_cast<std::size_t>(host)].served++;
      leave_station(fragment.station, r.tenant);
      complete(slot, segment.exit, draw);
      return;
    }
  }
  if (static_cast<std::size_t>(r.segment) + 1 < fragment.segments.size()) {
    r.segment++;
    start_segment(slot);
    return;
  }
  hosts_[static_cast<std::size_t>(host)].served++;
  leave_station(fragment.station, r.tenant);
  if (r.parent != kNoParent) {
    branch_done(slot, host);
    return;
  }
  if (static_cast<std::size_t>(r.fragment) + 1 == fragment_count(r)) {
    const std::size_t final_exit = tenant.spec->model.exits.size();
    complete(slot, static_cast<int>(final_exit), tenant.oracle->at_exit(final_exit, r.difficulty, r.sample));
    return;
  }
  r.fragment++;
  r.segment = 0;
  const int next_host = fragment_of(r).host;
  if (next_host == host || fragment.out_bytes <= 0)
    arrive_at_station(slot);
  else
    send(slot, host, next_host, fragment.out_bytes);
}

void Simulator::complete(std::uint32_t slot, int exit, const ExitOutcomeDraw& draw) {
  const Request& r = pool_[slot];
  TenantRuntime& tenant = tenants_[r.tenant];
  const double now = sg4::Engine::get_clock();
  const double latency = now - r.arrival;
  tenant.served_whole_run++;
  if (r.measured) {
    tenant.served++;
    tenant.latency.add(latency);
    tenant.correct += draw.correct ? 1 : 0;
    tenant.slo_met += latency <= tenant.spec->slo ? 1 : 0;
  }
  tenant.policy->on_outcome(ExitOutcome{r.id, true, exit, draw.correct, latency, now});
  tenant.placement_policy->on_outcome(PlacementOutcome{.served = true,
                                                       .slo_met = latency <= tenant.spec->slo,
                                                       .correct = draw.correct,
                                                       .latency = latency,
                                                       .branches = tenant.placements[r.placement].branches,
                                                       .now = now});
  if (sink_ != nullptr && scenario_.simulation.trace_requests) {
    RequestRecord record;
    record.id = r.id;
    record.tenant = r.tenant;
    record.arrival = r.arrival;
    record.finish = now;
    record.latency = latency;
    record.exit = static_cast<std::int16_t>(exit);
    record.correct = draw.correct ? 1 : 0;
    record.confidence = static_cast<float>(draw.confidence);
    record.lost_at = -1;
    record.reason = static_cast<std::uint8_t>(LossReason::Served);
    record.placement = r.placement;
    sink_->on_request(record);
  }
  release(slot);
}

void Simulator::lose(std::uint32_t slot, LossReason reason, int host) {
  const std::uint32_t parent = pool_[slot].parent;
  if (parent == kNoParent) {
    record_loss(slot, reason, host);
    release(slot);
    return;
  }
  // A lost branch loses the whole request, once; the other branches run on and are
  // dropped when they are done.
  if (!pool_[parent].failed) {
    pool_[parent].failed = true;
    record_loss(parent, reason, host);
  }
  branch_merged(slot);
}

void Simulator::record_loss(std::uint32_t slot, LossReason reason, int host) {
  const Request& r = pool_[slot];
  TenantRuntime& tenant = tenants_[r.tenant];
  if (r.measured)
    tenant.lost++;
  hosts_[static_cast<std::size_t>(host)].lost++;
  tenant.policy->on_outcome(ExitOutcome{r.id, false, -1, false, NAN, sg4::Engine::get_clock()});
  if (sink_ != nullptr && scenario_.simulation.trace_requests) {
    RequestRecord record;
    record.id = r.id;
    record.tenant = r.tenant;
    record.arrival = r.arrival;
    record.finish = NAN;
    record.latency = NAN;
    record.exit = -1;
    record.correct = 0;
    record.confidence = NAN;
    record.lost_at = host;
    record.reason = static_cast<std::uint8_t>(reason);
    record.placement = r.placement;
    sink_->on_request(record);
  }
  tenant.placement_policy->on_outcome(PlacementOutcome{.served = false,
                                                       .slo_met = false,
                                                       .correct = false,
                                                       .latency = NAN,
                                                       .branches = tenant.placements[r.placement].branches,
                                                       .now = sg4::Engine::get_clock()});
}

void Simulator::release(std::uint32_t slot) {
  free_slots_.push_back(slot);
}

void Simulator::remove_activity(std::size_t index) {
  activities_[index] = std::move(activities_.back());
  activities_.pop_back();
  tags_[index] = tags_.back();
  tags_.pop_back();
}

void Simulator::sample_timeline(double at) {
  if (sink_ == nullptr)
    return;
  for (std::size_t h = 0; h < hosts_.size(); ++h) {
    HostRuntime& host = hosts_[h];
    TimelineRecord record;
    record.t = at;
    record.host = static_cast<std::int32_t>(h);
    // queue_mean and power_w average the interval since the host's previous sample, so a
    // row is what happened in it, not a snapshot of an instant; the first row, at t = 0,
    // has no interval and holds the values at that instant.
    const double interval = at - host.sampled_at;
    double area = 0;
    for (int s : host.stations) {
      record.queue_len += stations_[static_cast<std::size_t>(s)].in_system;
      area += stations_[static_cast<std::size_t>(s)].area(at);
    }
    record.queue_mean = interval > 0 ? (area - host.sampled_queue_area) / interval : record.queue_len;
    record.power_w = sampled_power(host, interval);
    record.battery_soc = battery_soc(host);
    host.sampled_queue_area = area;
    host.sampled_at = at;
    sink_->on_timeline(record);
  }
}

double Simulator::sampled_power(HostRuntime& host, double interval) {
  // The energy the meter counted in the interval / its length.
  if (!host.metered)
    return 0.0;
  const double energy = consumed_energy(host);
  const double power =
      interval > 0 ? (energy - host.sampled_energy) / interval : (host.down ? 0.0 : predicted_power(host));
  host.sampled_energy = energy;
  return power;
}

void Simulator::update_batteries() {
  // Power is constant between events, so the time a battery empties is exact:
  // now + remaining energy / current power, re-predicted after every event.
  next_battery_ = kInf;
  const double now = sg4::Engine::get_clock();
  for (std::size_t h = 0; h < hosts_.size(); ++h) {
    HostRuntime& host = hosts_[h];
    if (host.battery_j <= 0 || host.down)
      continue;
    const double remaining = host.battery_j - consumed_energy(host);
    const double power = predicted_power(host);
    if (remaining <= 1e-9 * host.battery_j) {
      host.depleted = true;
      take_host_down(static_cast<int>(h));
      continue;
    }
    if (power > 0)
      next_battery_ = std::min(next_battery_, now + remaining / power);
  }
}

double Simulator::consumed_energy(const HostRuntime& host) const {
  const double meter = host.down ? host.energy_at_down : sg_host_get_consumed_energy(host.host);
  return meter - host.energy_while_down;
}

double Simulator::battery_soc(const HostRuntime& host) const {
  if (host.battery_j <= 0)
    return 1.0;
  return host.depleted ? 0.0 : std::max(0.0, 1.0 - consumed_energy(host) / host.battery_j);
}

void Simulator::bring_host_up(int h) {
  HostRuntime& host = hosts_[static_cast<std::size_t>(h)];
  if (!host.down || host.depleted)
    return;
  // SimGrid's meter kept counting the idle power while the host was down: that part is
  // not the host's energy.
  host.energy_while_down += sg_host_get_consumed_energy(host.host) - host.energy_at_down;
  host.down_seconds += sg4::Engine::get_clock() - host.down_since;
  host.down = false;
}

void Simulator::apply_platform_changes() {
  for (const PlatformChange& change : platform_schedule_->take_due(sg4::Engine::get_clock())) {
    if (change.value > 0)
      bring_host_up(change.host);
    else if (!hosts_[static_cast<std::size_t>(change.host)].down)
      take_host_down(change.host);
  }
}

void Simulator::take_host_down(int h) {
  HostRuntime& host = hosts_[static_cast<std::size_t>(h)];
  host.down = true;
  host.down_since = sg4::Engine::get_clock();
  if (host.down_at < 0)
    host.down_at = sg4::Engine::get_clock();
  host.energy_at_down = sg_host_get_consumed_energy(host.host);
  // Everything running on, or travelling to or from, the host is lost (a request may
  // have several execs running: it is lost once).
  std::vector<std::uint32_t> victims;
  for (std::size_t i = activities_.size(); i-- > 0;) {
    const ActivityTag tag = tags_[i];
    if (tag.host != h && tag.peer != h)
      continue;
    activities_[i]->cancel();
    transfer_ended(tag);
    if (tag.kind == ActivityTag::Kind::Exec || tag.kind == ActivityTag::Kind::Merge)
      exec_finished(h, tag.threads, pool_[tag.request].tenant);
    remove_activity(i);
    if (std::find(victims.begin(), victims.end(), tag.request) == victims.end())
      victims.push_back(tag.request);
  }
  for (std::uint32_t slot : victims)
    lose(slot, LossReason::HostDown, h);
  for (int s : host.stations) {
    Station& station = stations_[static_cast<std::size_t>(s)];
    while (!station.queue.empty()) {
      std::uint32_t slot = station.queue.front();
      station.queue.pop_front();
      lose(slot, LossReason::HostDown, h);
    }
    station.busy = 0;
    station.reset(sg4::Engine::get_clock());
  }
}

void Simulator::report_progress(bool final_line) {
  if (!options_.progress)
    return;
  const auto now = std::chrono::steady_clock::now();
  // Short runs print nothing; long ones a line per second and a last one at the end.
  if (now - wall_start_ < std::chrono::seconds(2) || (!final_line && now - last_progress_ < std::chrono::seconds(1)))
    return;
  last_progress_ = now;
  const double wall = std::chrono::duration<double>(now - wall_start_).count();
  const double sim = sg4::Engine::get_clock();
  std::string line;
  if (std::isfinite(scenario_.simulation.duration)) {
    const double fraction = std::min(1.0, sim / scenario_.simulation.duration);
    const double eta = fraction > 0 ? wall * (1 - fraction) / fraction : 0;
    line = fmt::format("[edgesim] {:5.1f}%  simulated {:.1f}/{:.1f} s  requests {}  elapsed {:.1f} s  ETA {:.1f} s",
                       100 * fraction, sim, scenario_.simulation.duration, next_id_, wall, eta);
  } else {
    line = fmt::format("[edgesim] simulated {:.1f} s  requests {}  elapsed {:.1f} s", sim, next_id_, wall);
  }
  static const bool tty = isatty(STDERR_FILENO) != 0;
  std::fputs(tty ? ("\r" + line + (final_line ? "\n" : "")).c_str() : (line + "\n").c_str(), stderr);
  std::fflush(stderr);
}

void Simulator::controller() {
  attach_wifi_stations();
  const auto& sim = scenario_.simulation;
  next_sample_ = 0;
  apply_platform_changes();
  if (shares_)
    apply_share_updates(); // steps at t = 0 and every tenant's initial share
  update_batteries();
  while (true) {
    if (++loop_iterations_ % 4096 == 0) {
      report_progress(false);
      if (options_.interrupted && !interrupted_ && options_.interrupted()) {
        interrupted_ = true;
        for (auto& tenant : tenants_)
          tenant.next_arrival = kInf;
      }
    }
    double next_arrival = kInf;
    std::size_t next_tenant = 0;
    for (std::size_t t = 0; t < tenants_.size(); ++t) {
      auto& tenant = tenants_[t];
      const bool exhausted =
          tenant.next_arrival > sim.duration || (sim.requests > 0 && tenant.generated >= sim.requests);
      if (exhausted)
        tenant.next_arrival = kInf;
      if (tenant.next_arrival < next_arrival) {
        next_arrival = tenant.next_arrival;
        next_tenant = t;
      }
    }
    arrivals_done_ = !std::isfinite(next_arrival);
    if (arrivals_done_ && activities_.empty())
      break;
    const double next_timer = std::min({next_arrival, next_sample_, next_battery_, platform_schedule_->next_time(),
                                        shares_ ? shares_->next_time() : kInf, arrivals_done_ ? kInf : next_replan()});
    const double now = sg4::Engine::get_clock();
    ssize_t done = -1;
    if (activities_.empty()) {
      if (next_timer > now)
        sg4::this_actor::sleep_for(next_timer - now);
    } else if (std::isfinite(next_timer)) {
      done = sg4::Activity::wait_any_for(activities_, std::max(0.0, next_timer - now));
    } else {
      done = sg4::Activity::wait_any(activities_);
    }
    if (done >= 0) {
      const auto index = static_cast<std::size_t>(done);
      const ActivityTag tag = tags_[index];
      remove_activity(index);
      switch (tag.kind) {
      case ActivityTag::Kind::Exec:
        exec_finished(tag.host, tag.threads, pool_[tag.request].tenant);
        if (--pool_[tag.request].pending_execs == 0)
          on_exec_done(tag.request, tag.host);
        break;
      case ActivityTag::Kind::Comm:
        transfer_ended(tag);
        count_transfer(tag.host, tag.peer, tag.bytes);
        arrive_at_station(tag.request);
        break;
      case ActivityTag::Kind::BranchOutput:
        transfer_ended(tag);
        count_transfer(tag.host, tag.peer, tag.bytes);
        branch_merged(tag.request);
        break;
      case ActivityTag::Kind::Merge:
        exec_finished(tag.host, tag.threads, pool_[tag.request].tenant);
        merge_done(tag.request);
        break;
      }
    } else {
      const double clock = sg4::Engine::get_clock();
      const double tolerance = 1e-12 * std::max(1.0, clock);
      if (platform_schedule_->next_time() <= clock + tolerance)
        apply_platform_changes();
      if (shares_ && shares_->next_time() <= clock + tolerance)
        apply_share_updates();
      // After the platform and share changes of the same instant, so a policy sees them.
      for (std::size_t t = 0; t < tenants_.size(); ++t)
        if (tenants_[t].next_replan <= clock + tolerance)
          replan(t);
      if (next_battery_ <= clock + tolerance)
        update_batteries();
      if (next_sample_ <= clock + tolerance) {
        sample_timeline(next_sample_);
        next_sample_ += sim.sample_every;
      }
      if (next_arrival <= clock + tolerance) {
        on_arrival(next_tenant, next_arrival);
        horizon_ = std::max(horizon_, next_arrival);
        TenantRuntime& arrived = tenants_[next_tenant];
        arrived.next_arrival = arrived.arrivals->next();
        if (!std::isfinite(arrived.next_arrival))
          arrived.arrivals_end = next_arrival;
      }
    }
    if (has_batteries_)
      update_batteries();
  }
  // Account busy time of hosts still busy (none normally: the run drains).
  report_progress(true);
}

RunOutput Simulator::collect() {
  RunOutput out;
  out.interrupted = interrupted_;
  out.simulated_seconds = sg4::Engine::get_clock();
  out.requests = next_id_;
  const double end = out.simulated_seconds;
  const auto& sim = scenario_.simulation;
  const double window_end = std::isfinite(sim.duration) && !interrupted_ ? sim.duration : horizon_;
  // Throughput is served per second of the time requests arrived over: a tenant whose
  // trace ran out measures up to its last arrival; `all` over the longest tenant window.
  auto window_until = [&](double until) { return std::max(until - sim.warmup, 1e-12); };
  double all_window_end = 0;
  for (const TenantRuntime& tenant : tenants_)
    all_window_end = std::max(all_window_end, std::min(window_end, tenant.arrivals_end));

  std::vector<double> host_energy(hosts_.size(), 0.0);
  std::vector<std::vector<double>> tenant_busy(hosts_.size());
  std::vector<HostEnergyInputs> energy_inputs(hosts_.size());
  double total_energy = 0;
  double static_energy = 0;
  for (std::size_t h = 0; h < hosts_.size(); ++h) {
    HostRuntime& host = hosts_[h];
    HostRecord record;
    record.name = host.name;
    host_energy[h] = !host.metered ? 0.0 : consumed_energy(host);
    record.energy_j = host_energy[h];
    // Static: the idle power of the run's pstate for the time the host was up.
    const double up = std::max(0.0, end - host.down_seconds - (host.down ? end - host.down_since : 0.0));
    const auto pstate = static_cast<int>(host.host->get_pstate());
    record.energy_static_j = host.metered ? sg_host_get_idle_consumption_at(host.host, pstate) * up : 0.0;
    record.energy_dynamic_j = record.energy_j - record.energy_static_j;
    static_energy += record.energy_static_j;
    tenant_busy[h] = host.tenant_busy.busy(end);
    energy_inputs[h] = HostEnergyInputs{.energy_j = record.energy_j,
                                        .static_j = record.energy_static_j,
                                        .up_seconds = up,
                                        .tenant_work = host.tenant_work,
                                        .tenant_busy = tenant_busy[h]};
    record.busy_fraction = end > 0 ? host.busy_time / end : 0;
    record.served = host.served;
    record.lost = host.lost;
    double area = 0;
    for (int s : host.stations)
      area += stations_[static_cast<std::size_t>(s)].area(end);
    record.mean_queue = end > 0 ? area / end : 0;
    record.battery_soc_end = host.battery_j > 0 ? std::max(0.0, 1.0 - host_energy[h] / host.battery_j) : 1.0;
    record.down_at = host.down_at;
    total_energy += host_energy[h];
    out.hosts.push_back(std::move(record));
  }
  // Every link with its traffic; energy where a plugin meters it (WiFi links are
  // added in run(), once the engine has reported their energy).
  const bool wired_energy = sg_link_energy_is_inited() != 0;
  for (auto* link : sg4::Engine::get_instance()->get_all_links()) {
    const bool wifi = link->get_sharing_policy() == sg4::Link::SharingPolicy::WIFI;
    if ((wifi && wifi_metered_) || link->get_name() == "__loopback__")
      continue;
    LinkRecord record;
    record.name = link->get_name();
    record.bytes = link_traffic_.bytes(link);
    if (wired_energy && !wifi) {
      record.energy_j = sg_link_get_consumed_energy(link);
      static_energy += link_idle_watts(*link) * end;
    }
    total_energy += record.energy_j;
    out.links.push_back(std::move(record));
  }
  const std::vector<TenantEnergy> tenant_energy = attribute_energy(energy_inputs, tenants_.size());

  out.layer_latency = layer_latency_records();

  auto fill = [&](SummaryRow& row, std::uint64_t offered, std::uint64_t served, std::uint64_t lost,
                  std::uint64_t correct, std::uint64_t slo_met, const LatencyHistogram& latency, double energy,
                  double energy_static, std::uint64_t served_whole_run, double window) {
    row.offered = offered;
    row.served = served;
    row.lost = lost;
    row.loss_ratio = offered > 0 ? static_cast<double>(lost) / static_cast<double>(offered) : 0;
    row.throughput = static_cast<double>(served) / window;
    row.latency_mean = latency.mean();
    row.latency_p50 = latency.quantile(0.50);
    row.latency_p95 = latency.quantile(0.95);
    row.latency_p99 = latency.quantile(0.99);
    row.accuracy = served > 0 ? static_cast<double>(correct) / static_cast<double>(served) : NAN;
    row.effective_accuracy = offered > 0 ? static_cast<double>(correct) / static_cast<double>(offered) : NAN;
    row.slo_violation_ratio = offered > 0 ? 1.0 - static_cast<double>(slo_met) / static_cast<double>(offered) : 0;
    row.energy_j = energy;
    row.energy_static_j = energy_static;
    row.energy_dynamic_j = energy - energy_static;
    // Energy is measured over the whole run (SimGrid's meters start at 0), so it is
    // divided by every request served in that time, warm-up included.
    row.energy_per_served_j = served_whole_run > 0 ? energy / static_cast<double>(served_whole_run) : NAN;
  };
  SummaryRow all;
  all.tenant = "all";
  LatencyHistogram all_latency;
  std::uint64_t offered = 0, served = 0, lost = 0, correct = 0, slo_met = 0, served_whole_run = 0;
  for (std::size_t t = 0; t < tenants_.size(); ++t) {
    const TenantRuntime& tenant = tenants_[t];
    SummaryRow row;
    row.tenant = tenant.spec->name;
    fill(row, tenant.offered, tenant.served, tenant.lost, tenant.correct, tenant.slo_met, tenant.latency,
         tenant_energy[t].total(), tenant_energy[t].static_j, tenant.served_whole_run,
         window_until(std::min(window_end, tenant.arrivals_end)));
    served_whole_run += tenant.served_whole_run;
    out.summary.push_back(std::move(row));
    offered += tenant.offered;
    served += tenant.served;
    lost += tenant.lost;
    correct += tenant.correct;
    slo_met += tenant.slo_met;
    all_latency.merge(tenant.latency);
  }
  fill(all, offered, served, lost, correct, slo_met, all_latency, total_energy, static_energy, served_whole_run,
       window_until(all_window_end));
  served_whole_run_ = served_whole_run;
  out.summary.push_back(std::move(all));
  return out;
}

std::vector<LayerLatencyRecord> Simulator::layer_latency_records() const {
  std::vector<LayerLatencyRecord> records;
  for (std::size_t t = 0; t < tenants_.size(); ++t) {
    const ModelProfile& model = tenants_[t].spec->model;
    for (std::size_t h = 0; h < platform_.hosts.size(); ++h) {
      const ProbedHost& probed = platform_.hosts[h];
      const HostSettings& settings = scenario_.host_settings(probed.info.name);
      const int threads = std::max(1, std::max(1, probed.info.cores) / settings.servers);
      const double speed = probed.pstate_speeds.at(static_cast<std::size_t>(settings.pstate.value_or(0)));
      const double efficiency = model.efficiency_on(probed.info.device_class);
      for (std::size_t l = 0; l < model.layers.size(); ++l) {
        SegmentCost cost;
        add_layer_cost(cost, model, l, probed, threads);
        records.push_back(LayerLatencyRecord{
            .tenant = static_cast<std::uint16_t>(t),
            .layer = static_cast<std::uint32_t>(l),
            .layer_name = model.layers[l].name,
            .host = static_cast<std::int32_t>(h),
            .source = static_cast<std::uint8_t>(layer_latency_source(model, l, probed.info.device_class)),
            .seconds = cost.per_thread(1.0, threads, efficiency) / speed});
      }
    }
  }
  return records;
}

RunOutput Simulator::run() {
  std::vector<std::string> args{"edgesim"};
  args.insert(args.end(), options_.simgrid_args.begin(), options_.simgrid_args.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  // SimGrid's INFO lines (energy totals, config changes) would drown the summary;
  // --log=... on the command line still overrides this.
  xbt_log_control_set("root.thresh:warning");
  // The energy plugin warns about every host without wattage_per_state, once per
  // lookup; `edgesim run` says it once, in its own words, unless asked to be quiet.
  xbt_log_control_set("host_energy.thresh:error");
  WifiEnergyCapture wifi_energy;
  auto engine = std::make_unique<sg4::Engine>(&argc, argv.data());
  if (options_.engine_created)
    options_.engine_created();
  sg_host_energy_plugin_init();
  // The link plugins hook every transfer (and look its route up each time): load them
  // only when the platform declares what they measure.
  if (platform_.xml_text.find("wattage_range") != std::string::npos)
    sg_link_energy_plugin_init();
  wifi_metered_ = platform_.xml_text.find("wifi_watt_values") != std::string::npos;
  if (wifi_metered_)
    sg_wifi_energy_plugin_init();
  engine->set_config("network/model:" + scenario_.simulation.network_model);
  engine->set_config("network/crosstraffic:0");
  engine->load_platform(platform_.file);
  build_runtime();
  platform_schedule_.emplace(scenario_.dynamics, platform_);
  if (std::any_of(scenario_.tenants.begin(), scenario_.tenants.end(),
                  [](const TenantSpec& tenant) { return std::isfinite(tenant.replan_every); }))
    live_inputs_.emplace(platform_, scenario_);
  // The controller runs on a mains-powered host when there is one. Hosts are never
  // turned off (that would kill the controller's actor on a one-host platform); a
  // depleted host is marked down instead: its activities are cancelled, its requests
  // lost, and its energy frozen at the capacity (it draws nothing once empty).
  auto mains = std::find_if(hosts_.begin(), hosts_.end(), [](const HostRuntime& h) { return h.battery_j <= 0; });
  sg4::Host* home = (mains != hosts_.end() ? *mains : hosts_.front()).host;
  sg4::Actor::create("edgesim-controller", home, [this] { controller(); });
  engine->run();
  RunOutput out = collect();
  std::map<std::string, double, std::less<>> wifi_bytes;
  for (auto* link : engine->get_all_links())
    if (link->get_sharing_policy() == sg4::Link::SharingPolicy::WIFI)
      wifi_bytes[link->get_name()] = link_traffic_.bytes(link);
  // WiFi links report their energy when the engine (and so the link) is destroyed.
  engine.reset();
  SummaryRow& all = out.summary.back();
  // WiFi energy is counted as dynamic: the plugin reports one total per link.
  for (auto& link : wifi_energy.take()) {
    all.energy_j += link.energy_j;
    all.energy_dynamic_j += link.energy_j;
    link.bytes = wifi_bytes[link.name];
    out.links.push_back(std::move(link));
  }
  all.energy_per_served_j = served_whole_run_ > 0 ? all.energy_j / static_cast<double>(served_whole_run_) : NAN;
  return out;
}

} // namespace

RunOutput simulate(const Scenario& scenario, const PlatformInfo& platform, Deployment& deployment, TraceSink* sink,
                   const EngineOptions& options) {
  Simulator simulator(scenario, platform, deployment, sink, options);
  return simulator.run();
}

} // namespace edgesim
