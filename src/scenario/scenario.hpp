#pragma once
// The validated, typed form of a scenario file (docs/formats.md). Everything the simulator
// needs is here; the TOML tree is kept only for policy tables and for /meta.
#include <edgesim/model.hpp>
#include <edgesim/policy.hpp>

#include "scenario/dynamics.hpp"

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace edgesim {

/// A tenant's arrival process (`arrival`): its registered name and the configured
/// process (include/edgesim/arrival_process.hpp), shared by every run of the scenario.
struct ArrivalSpec {
  std::string name = "poisson";
  std::shared_ptr<const ArrivalProcess> process;
  [[nodiscard]] double mean_rate() const { return process->mean_rate(); }
};

/// Per-request variability of the work a request brings: every layer's flops are
/// multiplied by one factor drawn per fragment visit with mean 1 (`work`, a registered
/// law, include/edgesim/work_law.hpp). "deterministic" is what a real DNN does; the
/// other built-ins turn a station into M/M/1/K, M/E_k/1/K, M/H2/1/K.
struct WorkSpec {
  std::string name = "deterministic";
  std::shared_ptr<const WorkLaw> law;
};

struct PolicySpec {
  std::string name;
  std::shared_ptr<const toml::table> table; // the policy's table, for ConfigView
  std::string path;                         // key path of the table, for messages
};

struct TenantSpec {
  std::string name;
  ModelProfile model;
  std::string source;
  double input_bytes = 0;
  double slo = std::numeric_limits<double>::infinity();
  bool drop_late = false; // drop a request whose SLO passed before it starts a fragment
  ArrivalSpec arrival;
  WorkSpec work;
  // One law per fragment of the tenant's placement (fragment i draws its per-visit work
  // from fragment_work[i]); empty: every fragment uses `work`. For networks of stations
  // with different service laws (`validate --network --station-dist`).
  std::vector<WorkSpec> fragment_work;
  PolicySpec placement;
  /// placement.replan_every: re-run the placement policy this often at run time (the
  /// new placement serves new requests); infinity = place once at t = 0.
  double replan_every = std::numeric_limits<double>::infinity();
  PolicySpec exits;
  double share = 1; // fraction of each host's CPU it is entitled to (multitenant mode)
};

/// How tenants on one host divide it (docs/multitenancy.md).
enum class MultitenantPolicy {
  None,           // SimGrid's fair sharing between running execs
  Cooperative,    // weighted by share; unused share is re-divided; exit criteria see the effective share
  NonCooperative, // each tenant capped at its share; each adapts on its own
};

/// Which requests a station holds: one station per fragment a host runs (each with its
/// own K), or one station per host shared by every fragment of every tenant on it.
enum class StationSharing : std::uint8_t { PerFragment, Shared };
/// FCFS with `servers` servers, or processor sharing: every admitted request is in
/// service at once and the host's cores are shared among them as SimGrid shares them.
enum class Discipline : std::uint8_t { Fcfs, ProcessorSharing };

struct HostSettings {
  int buffer = 10; // K: requests in system, including those in service
  int servers = 1;
  StationSharing station = StationSharing::PerFragment;
  Discipline discipline = Discipline::Fcfs;
  std::optional<double> battery_wh;
  std::optional<int> pstate;
  // Transfers the host's network interface holds at once (sending, in flight from it);
  // one more is lost (reason 4). 0 = unbounded: links only slow down under load.
  int send_buffer = 0;
};

/// A run bounded by `simulation.duration` alone may expect at most this many arrivals
/// (all tenants together); `simulation.requests` bounds a run explicitly and lifts it.
inline constexpr double kMaxExpectedArrivals = 1e9;

struct SimulationSpec {
  std::uint64_t seed = 1;
  double duration = std::numeric_limits<double>::infinity();
  std::uint64_t requests = 0; // stop after this many arrivals per tenant (0 = by duration)
  double warmup = 0;
  double sample_every = 1.0;
  std::string network_model = "CM02";
  bool trace_requests = true;
};

struct Scenario {
  std::string file;
  std::string text; // TOML after overrides
  std::string base_dir;
  SimulationSpec simulation;
  std::string platform_file;
  HostSettings default_host;
  std::map<std::string, HostSettings, std::less<>> host_overrides;
  std::vector<TenantSpec> tenants;
  std::vector<std::string> plugins;
  MultitenantPolicy multitenant = MultitenantPolicy::None;
  // Cooperative mode: how often each tenant's effective share is recomputed from the
  // CPU work every tenant brought to the host in the last epoch, and by how much it
  // must move before the tenant's exit policy is told (docs/multitenancy.md).
  double share_epoch = 1.0; // s
  double share_tolerance = 0.02;
  PlatformDynamics dynamics; // [links.*] overrides and [dynamics] profiles

  [[nodiscard]] const HostSettings& host_settings(std::string_view host) const;
  /// Throws InputError unless tenant t's fragment_work is empty or has one law for each
  /// of `fragments` fragments (checked when a placement is installed).
  void check_fragment_work(std::size_t t, std::size_t fragments) const;
};

} // namespace edgesim
