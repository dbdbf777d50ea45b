#pragma once
// Plugin interfaces: exit policies decide, at each early exit a request reaches, whether
// it leaves; placement policies map a model's fragments to hosts. Built-ins and
// user plugins (--plugin lib.so) register factories in the same registry, with the
// arrival processes (arrival_process.hpp) and work laws (work_law.hpp).
#include <edgesim/arrival_process.hpp>
#include <edgesim/config_view.hpp>
#include <edgesim/model.hpp>
#include <edgesim/policy_trace.hpp>
#include <edgesim/work_law.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim {

/// What an exit policy sees when a request reaches exit `exit_index`.
struct ExitContext {
  std::uint64_t request_id = 0;
  int tenant = 0;
  std::size_t exit_index = 0; // 0-based among the model's intermediate exits
  std::size_t num_exits = 0;  // intermediate exits (the final classifier is not counted)
  double confidence = 0;      // classifier confidence at this exit
  double now = 0;             // simulated time, s
  double elapsed = 0;         // since the request arrived, s
  double deadline = 0;        // SLO relative to arrival, s (infinity if none)
  int queue_length = 0;       // requests in the local station (incl. in service)
  double arrival_rate = 0;    // recent arrival rate of this tenant, 1/s
  double battery_soc = 1;     // state of charge of the local host, 0..1 (1 if mains powered)
  double exit_accuracy = 0;   // calibrated top-1 accuracy of this exit
  double flops_so_far = 0;    // flops the request has executed, classifiers included
  double energy_so_far = 0;   // dynamic energy of its execs so far, J (busy minus idle power)
  /// Share of the local host's CPU this tenant can count on: 1 without a multitenant
  /// policy; its own share when non-cooperative; share / (sum of the shares of the
  /// tenants active on the host) when cooperative, so it grows when others go idle.
  double cpu_share = 1;
  /// Ground truth: whether this exit's answer is right for this request (from the exit
  /// trace or the synthetic outcome). A deployable policy cannot know it; the `oracle`
  /// baseline reads it to bound what any exit policy could reach.
  bool correct_here = false;
};

enum class ExitDecision { Continue, Exit };

/// Feedback after a request finished or was lost, so learning policies can adapt.
struct ExitOutcome {
  std::uint64_t request_id = 0;
  bool served = false;
  int exit = -1; // exit taken (num_exits = final), -1 if lost
  bool correct = false;
  double latency = 0;
  double now = 0;
};

/// A tenant's CPU share on a host changed (multitenant mode, docs/multitenancy.md): a
/// `[[dynamics.shares]]` step moved its entitlement, or, when cooperative, the other
/// tenants' load moved what it can count on by more than `multitenant.tolerance`. The
/// new value is also ExitContext::cpu_share from now on.
struct CpuShareChange {
  int tenant = 0;
  std::string_view host;
  /// The host runs the tenant's first fragment (its first station, the one queueing
  /// and knapsack models describe).
  bool first_host = false;
  double share = 1;
  double previous = 1;
  double now = 0; // simulated time, s
};

class ExitPolicy : public TracedPolicy {
public:
  ~ExitPolicy() override = default;
  /// Share-aware policies re-plan here; ExitContext::cpu_share carries the same value.
  virtual void on_cpu_share(const CpuShareChange& /*change*/) {}
  /// Whether a request reaching intermediate exit i runs its classifier (paying its
  /// flops) and asks decide(). Policies that never leave at i return false so requests
  /// pass it at no cost.
  [[nodiscard]] virtual bool evaluates_exit(std::size_t /*exit*/) const { return true; }
  virtual ExitDecision decide(const ExitContext& ctx) = 0;
  virtual void on_outcome(const ExitOutcome& /*outcome*/) {}
};

/// Everything a policy factory gets: its config table, the tenant's model, and a seed
/// derived deterministically from the scenario seed and the tenant.
struct ExitPolicyArgs {
  const ConfigView& config;
  const ModelProfile& model;
  std::uint64_t seed;
  /// Compute time from a request's start to reaching exit i on its placement, without
  /// queueing or transfers, with every earlier classifier evaluated; index num_exits is
  /// the final classifier. What knapsack/queueing models of a station need.
  std::vector<double> exit_times;
  int station_capacity = 1; // K of the tenant's first station
  int station_servers = 1;
  double mean_arrival_rate = 0; // of the tenant's arrival process, 1/s
  double slo = 0;               // seconds (infinity if none)
  /// The scenario being run (its file, and its TOML text after --set overrides) and this
  /// tenant's index, for policies that tune themselves offline by simulating it.
  std::string scenario_file;
  std::string scenario_text;
  std::string scenario_dir; // where the scenario's relative paths resolve
  std::size_t tenant_index = 0;
  /// The policy is built to validate the scenario (`edgesim check`), not to run it:
  /// check the configuration, skip offline work such as tuning simulations.
  bool check_only = false;
};

using ExitPolicyFactory = std::function<std::unique_ptr<ExitPolicy>(const ExitPolicyArgs&)>;

// ----- placement -------------------------------------------------------------------

struct HostInfo {
  std::string name;
  double speed = 0; // flops/s per core at the current pstate
  int cores = 1;
  double ram_bytes = 0; // 0 = unknown (unconstrained)
  std::string device_class;
  std::vector<double> pstate_speeds; // flops/s per core of each pstate
  // Power at the current pstate from the host's wattage_per_state: idle, and with every
  // core busy (a fragment runs on all cores). 0 = unknown (no wattage_per_state).
  double idle_watts = 0;
  double busy_watts = 0;
  // Extra radio power while the host sends over its WiFi link (the link's
  // wifi_watt_values Ptx); 0 = wired or unknown.
  double tx_watts = 0;
  double battery_wh = 0; // 0 = mains powered
  bool available = true; // false once the host is down (battery depleted, turned off)
};

/// The route from one host to another: the bottleneck bandwidth and the summed latency
/// of the links SimGrid routes it over.
struct RouteInfo {
  std::string from;
  std::string to;
  double bandwidth_Bps = 0;
  double latency_s = 0;
};

/// What the tenant asks of its placement.
struct Workload {
  double arrival_rate = 0; // mean rate of its arrival process, 1/s
  double slo_s = std::numeric_limits<double>::infinity();
  double input_bytes = 0; // bytes each request brings to the first fragment
};

struct Fragment {
  std::size_t first_layer = 0; // inclusive
  std::size_t last_layer = 0;  // inclusive
  std::string host;
  /// Semantic split (SplitNet): the placement is `branches` parallel fragments, each
  /// running layers first..last at the model's [semantic] flops share; this one is
  /// branch `branch` (0-based). The branch outputs merge on branch 0's host. A
  /// layer-wise fragment has branches = 1.
  std::size_t branch = 0;
  std::size_t branches = 1;
};

/// Joint placement (docs/joint-placement.md): what the other tenants placed with this
/// one use of one host. Utilisation is the fraction of time their fragments keep the
/// host's cores busy: the sum of arrival rate x compute seconds (cost model below).
struct HostLoad {
  double ram_bytes = 0;
  double utilisation = 0;
};

/// The same for a route: the sum of arrival rate x bytes / bandwidth of their transfers.
struct RouteLoad {
  std::string from;
  std::string to;
  double utilisation = 0;
};

/// What co-placed tenants use of the platform: `hosts` in PlacementProblem::hosts order,
/// and the routes they send over (edgesim/joint_load.hpp builds it).
struct CoTenantLoad {
  std::vector<HostLoad> hosts;
  std::vector<RouteLoad> routes;
  /// The largest utilisation any host or route carries.
  [[nodiscard]] double peak() const {
    double peak = 0;
    for (const auto& h : hosts)
      peak = std::max(peak, h.utilisation);
    for (const auto& r : routes)
      peak = std::max(peak, r.utilisation);
    return peak;
  }
  [[nodiscard]] double route(std::string_view from, std::string_view to) const {
    for (const auto& r : routes)
      if (r.from == from && r.to == to)
        return r.utilisation;
    return 0;
  }
};

struct PlacementProblem {
  const std::vector<HostInfo>& hosts;
  const ModelProfile& model;
  std::string source_host;
  int tenant = 0;
  /// One route per ordered pair of distinct hosts that has one (a host reaches itself
  /// at no cost). Missing pair = no route.
  std::span<const RouteInfo> routes = {};
  Workload workload = {};
  double now_s = 0; // simulated time; > 0 when re-planning during a run
  /// Joint placement re-planning one tenant during a run: what the other tenants of the
  /// joint group use now (their placements stay); nullptr when the tenant is placed alone.
  const CoTenantLoad* co_tenants = nullptr;

  [[nodiscard]] const HostInfo* host(std::string_view name) const {
    for (const auto& h : hosts)
      if (h.name == name)
        return &h;
    return nullptr;
  }
  /// The route from `from` to `to`, nullptr if there is none (or from == to).
  [[nodiscard]] const RouteInfo* route(std::string_view from, std::string_view to) const {
    for (const auto& r : routes)
      if (r.from == from && r.to == to)
        return &r;
    return nullptr;
  }
};

// ----- cost model (docs/calibration.md) ----------------------------------------------
// What edgesim's engine charges, for policies that predict latency: a fragment runs on
// all cores of its host, at the model's efficiency on the host's device class.

/// Flops/s `model` runs at on `host` (current pstate, all cores).
[[nodiscard]] inline double model_flops_per_second(const ModelProfile& model, const HostInfo& host) {
  return host.speed * std::max(1, host.cores) * model.efficiency_on(host.device_class);
}

/// Seconds a latency measured at `m`'s reference takes on `host` (current pstate, all
/// cores), by the rule of LatencyMeasurement.
[[nodiscard]] inline double measured_seconds(const LatencyMeasurement& m, double latency, const HostInfo& host) {
  const auto reference = static_cast<std::size_t>(m.pstate);
  const double reference_speed = reference < host.pstate_speeds.size() ? host.pstate_speeds[reference] : host.speed;
  return latency * m.thread_factor(std::max(1, host.cores)) * reference_speed / host.speed;
}

/// Seconds layer `layer` of `model` takes on `host`, without queueing: its measured
/// latency on the host's device class if the model has one, else the FLOPs model.
[[nodiscard]] inline double layer_seconds(const ModelProfile& model, std::size_t layer, const HostInfo& host) {
  if (const LatencyMeasurement* m = model.measurement_on(host.device_class))
    if (const auto latency = model.measured_layer_latency(layer, host.device_class))
      return measured_seconds(*m, *latency, host);
  return model.layers[layer].flops / model_flops_per_second(model, host);
}

/// Seconds exit `exit`'s classifier of `model` takes on `host`, like layer_seconds.
[[nodiscard]] inline double exit_seconds(const ModelProfile& model, std::size_t exit, const HostInfo& host) {
  if (const LatencyMeasurement* m = model.measurement_on(host.device_class))
    if (const auto latency = model.measured_exit_latency(exit, host.device_class))
      return measured_seconds(*m, *latency, host);
  return model.exits[exit].flops / model_flops_per_second(model, host);
}

/// Seconds layers first..last of `model` take on `host`: the FLOPs-model layers
/// together (flops / rate, as one exec runs them) plus the measured ones.
[[nodiscard]] inline double range_seconds(const ModelProfile& model, std::size_t first, std::size_t last,
                                          const HostInfo& host) {
  const LatencyMeasurement* m = model.measurement_on(host.device_class);
  double flops = 0;
  double measured = 0;
  for (std::size_t l = first; l <= last; ++l) {
    const auto latency = m != nullptr ? model.measured_layer_latency(l, host.device_class) : std::nullopt;
    if (latency)
      measured += measured_seconds(*m, *latency, host);
    else
      flops += model.layers[l].flops;
  }
  return flops / model_flops_per_second(model, host) + measured;
}

/// Seconds to move `bytes` over a route: its latency plus bytes / bottleneck bandwidth.
[[nodiscard]] inline double transfer_seconds(const RouteInfo& route, double bytes) {
  return route.latency_s + bytes / route.bandwidth_Bps;
}

/// Bytes a layer range needs on its host: the parameters of its layers plus its largest
/// activation (its input included). The RAM constraint of every placement.
[[nodiscard]] inline double fragment_memory_bytes(const ModelProfile& model, std::size_t first_layer,
                                                  std::size_t last_layer) {
  double params = 0;
  double largest_activation = first_layer == 0 ? model.input_bytes : model.layers[first_layer - 1].out_bytes;
  for (std::size_t l = first_layer; l <= last_layer; ++l) {
    params += model.layers[l].param_bytes;
    largest_activation = std::max(largest_activation, model.layers[l].out_bytes);
  }
  return params + largest_activation;
}

/// Feedback after a request finished or was lost, for placement policies that learn
/// (splitplace). `branches` tells which kind of placement served it.
struct PlacementOutcome {
  bool served = false;
  bool slo_met = false;
  bool correct = false;
  double latency = 0; // s, NaN if lost
  std::size_t branches = 1;
  double now = 0;
};

class PlacementPolicy : public TracedPolicy {
public:
  ~PlacementPolicy() override = default;
  virtual std::vector<Fragment> place(const PlacementProblem& problem) = 0;
  /// Whether the tenants sharing this policy's table are placed together
  /// (docs/joint-placement.md): the deployment then calls place_jointly once for all of
  /// them, and re-plans give each tenant the others' load in PlacementProblem::co_tenants.
  [[nodiscard]] virtual bool places_jointly() const { return false; }
  /// One placement per problem (same order), for policies whose places_jointly() is true.
  virtual std::vector<std::vector<Fragment>> place_jointly(std::span<const PlacementProblem> problems) {
    std::vector<std::vector<Fragment>> plans;
    for (const PlacementProblem& problem : problems)
      plans.push_back(place(problem));
    return plans;
  }
  virtual void on_outcome(const PlacementOutcome& /*outcome*/) {}
};

struct PlacementPolicyArgs {
  const ConfigView& config;
  std::uint64_t seed;
};

using PlacementPolicyFactory = std::function<std::unique_ptr<PlacementPolicy>(const PlacementPolicyArgs&)>;

// ----- registry --------------------------------------------------------------------

struct ExitPolicyEntry {
  std::string name;
  std::string description;
  ExitPolicyFactory factory;
};

struct PlacementPolicyEntry {
  std::string name;
  std::string description;
  PlacementPolicyFactory factory;
};

/// The registry of policies, arrival processes and work laws known to this process.
/// Built-ins are registered on first use; plugins add theirs from
/// `edgesim_register(Registry&)`. Each kind has its own names.
class Registry {
public:
  static Registry& instance();

  void add_exit_policy(std::string name, std::string description, ExitPolicyFactory factory);
  void add_placement_policy(std::string name, std::string description, PlacementPolicyFactory factory);
  void add_arrival_process(std::string name, std::string description, ArrivalProcessFactory factory);
  void add_work_law(std::string name, std::string description, WorkLawFactory factory);
  /// nullptr when no entry has the name.
  [[nodiscard]] const ExitPolicyEntry* exit_policy(std::string_view name) const;
  [[nodiscard]] const PlacementPolicyEntry* placement_policy(std::string_view name) const;
  [[nodiscard]] const ArrivalProcessEntry* arrival_process(std::string_view name) const;
  [[nodiscard]] const WorkLawEntry* work_law(std::string_view name) const;
  /// In registration order: built-ins first, then each plugin's.
  [[nodiscard]] const std::vector<ExitPolicyEntry>& exit_policies() const { return exit_; }
  [[nodiscard]] const std::vector<PlacementPolicyEntry>& placement_policies() const { return place_; }
  [[nodiscard]] const std::vector<ArrivalProcessEntry>& arrival_processes() const { return arrival_; }
  [[nodiscard]] const std::vector<WorkLawEntry>& work_laws() const { return work_; }
  /// dlopens a shared library and calls its `edgesim_register` symbol.
  void load_plugin(const std::string& path);

private:
  Registry();
  // Declared first so it is destroyed last: the factories below may hold code and data
  // of a plugin, which must stay mapped until they are gone.
  std::vector<std::shared_ptr<void>> plugin_handles_;
  std::vector<ExitPolicyEntry> exit_;
  std::vector<PlacementPolicyEntry> place_;
  std::vector<ArrivalProcessEntry> arrival_;
  std::vector<WorkLawEntry> work_;
};

} // namespace edgesim

/// The symbol a plugin library exports.
extern "C" void edgesim_register(edgesim::Registry& registry);
