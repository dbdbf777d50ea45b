#pragma once
// Plugin interfaces: exit policies decide, at each early exit a request reaches, whether
// it leaves; placement policies map a model's fragments to hosts. Built-ins and
// user plugins (--plugin lib.so) register factories in the same registries.
#include <edgesim/config_view.hpp>
#include <edgesim/model.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
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

class ExitPolicy {
public:
  virtual ~ExitPolicy() = default;
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
  std::size_t tenant_index = 0;
};

using ExitPolicyFactory = std::function<std::unique_ptr<ExitPolicy>(const ExitPolicyArgs&)>;

// ----- placement -------------------------------------------------------------------

struct HostInfo {
  std::string name;
  double speed = 0; // flops/s per core at the current pstate
  int cores = 1;
  double ram_bytes = 0; // 0 = unknown (unconstrained)
  std::string device_class;
};

struct Fragment {
  std::size_t first_layer = 0; // inclusive
  std::size_t last_layer = 0;  // inclusive
  std::string host;
};

struct PlacementProblem {
  const std::vector<HostInfo>& hosts;
  const ModelProfile& model;
  std::string source_host;
  int tenant = 0;
};

class PlacementPolicy {
public:
  virtual ~PlacementPolicy() = default;
  virtual std::vector<Fragment> place(const PlacementProblem& problem) = 0;
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

/// The registry of policies known to this process. Built-ins are registered on first
/// use; plugins add theirs from `edgesim_register(Registry&)`.
class Registry {
public:
  static Registry& instance();

  void add_exit_policy(std::string name, std::string description, ExitPolicyFactory factory);
  void add_placement_policy(std::string name, std::string description, PlacementPolicyFactory factory);
  [[nodiscard]] const ExitPolicyEntry* exit_policy(std::string_view name) const;
  [[nodiscard]] const PlacementPolicyEntry* placement_policy(std::string_view name) const;
  [[nodiscard]] const std::vector<ExitPolicyEntry>& exit_policies() const { return exit_; }
  [[nodiscard]] const std::vector<PlacementPolicyEntry>& placement_policies() const { return place_; }
  /// dlopens a shared library and calls its `edgesim_register` symbol.
  void load_plugin(const std::string& path);

private:
  Registry();
  // Declared first so it is destroyed last: the factories below may hold code and data
  // of a plugin, which must stay mapped until they are gone.
  std::vector<std::shared_ptr<void>> plugin_handles_;
  std::vector<ExitPolicyEntry> exit_;
  std::vector<PlacementPolicyEntry> place_;
};

} // namespace edgesim

/// The symbol a plugin library exports.
extern "C" void edgesim_register(edgesim::Registry& registry);
