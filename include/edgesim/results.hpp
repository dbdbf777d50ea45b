#pragma once
// The records a run produces. Their field names are the HDF5 and JSON field names
// (docs/formats.md); src/io maps them one to one.
#include <cstdint>
#include <string>
#include <vector>

namespace edgesim {

// NetworkFull: a transfer found its sender's network buffer (hosts.<h>.send_buffer) full.
enum class LossReason : std::uint8_t { Served = 0, BufferFull = 1, Deadline = 2, HostDown = 3, NetworkFull = 4 };

struct RequestRecord {
  std::uint64_t id = 0;
  std::uint16_t tenant = 0;
  double arrival = 0;
  double finish = 0;      // NaN if lost
  double latency = 0;     // NaN if lost
  std::int16_t exit = -1; // exit taken (num_exits = final classifier), -1 lost
  std::uint8_t correct = 0;
  float confidence = 0;
  std::int32_t lost_at = -1;   // host index or -1
  std::uint8_t reason = 0;     // LossReason
  std::uint32_t placement = 0; // version of the tenant's placement it was admitted under (see /placements)
};

/// One fragment of a tenant's placement from `time` on: the initial placement (time 0,
/// placement 0) and every change made by re-planning (placement.replan_every).
struct PlacementRecord {
  double time = 0;
  std::uint16_t tenant = 0;
  std::uint32_t placement = 0; // version: 0 initial, +1 per change
  std::uint16_t fragment = 0;
  std::uint32_t first_layer = 0;
  std::uint32_t last_layer = 0;
  std::string host;
  std::int16_t branch = -1;   // semantic branch index, -1 for a layer-wise fragment
  std::uint16_t branches = 1; // parallel semantic branches of this placement (1 = layer-wise)
};

/// One named value a policy recorded (/policy): see include/edgesim/policy_trace.hpp.
struct PolicyRecord {
  double time = 0;
  std::uint16_t tenant = 0;
  std::string policy; // its registered name
  std::string name;   // the value's name, e.g. "q_0", "predicted_loss", "arm_1_mean"
  double value = 0;
};

struct TimelineRecord {
  double t = 0;
  std::int32_t host = 0;
  std::int32_t queue_len = 0; // requests in the host's stations at t
  double queue_mean = 0;      // time-average of queue_len over the interval before t
  double power_w = 0;
  double battery_soc = 1;
};

struct HostRecord {
  std::string name;
  double energy_j = 0;
  double energy_static_j = 0;  // idle power x time the host was up
  double energy_dynamic_j = 0; // energy_j - energy_static_j: what running work added
  double busy_fraction = 0;
  std::uint64_t served = 0; // fragment services completed on this host
  std::uint64_t lost = 0;   // requests lost at this host
  double mean_queue = 0;    // time-average requests in the host's stations
  double battery_soc_end = 1;
  double down_at = -1; // time the battery emptied, -1 if never
};

struct SummaryRow {
  std::string tenant; // tenant name or "all"
  std::uint64_t offered = 0;
  std::uint64_t served = 0;
  std::uint64_t lost = 0;
  double loss_ratio = 0;
  double throughput = 0; // served per second of measured time
  double latency_mean = 0;
  double latency_p50 = 0;
  double latency_p95 = 0;
  double latency_p99 = 0;
  double accuracy = 0;           // correct / served
  double effective_accuracy = 0; // correct / offered
  double slo_violation_ratio = 0;
  double energy_j = 0;
  double energy_per_served_j = 0;
  // energy_j = energy_dynamic_j + energy_static_j. A tenant: its work share of each
  // host's dynamic energy plus each host's static power over the time it kept the host
  // busy; "all": every host's and link's energy (docs/energy.md).
  double energy_dynamic_j = 0;
  double energy_static_j = 0;
};

struct LinkRecord {
  std::string name;
  double energy_j = 0;
  double bytes = 0;
};

/// Which cost a (tenant's layer, host) pair uses, and the time it charges one request
/// there with work factor 1 (host's configured pstate, threads = cores / servers):
/// /meta/layer_latency, one row per layer of every tenant's model on every host.
struct LayerLatencyRecord {
  std::uint16_t tenant = 0;
  std::uint32_t layer = 0;
  std::string layer_name;
  std::int32_t host = 0;   // host index (platform order)
  std::uint8_t source = 0; // LatencySource: 0 FLOPs model, 1 measured
  double seconds = 0;
};

/// What a run reports when it ends (`edgesim run --json`, the in-process run API): the
/// summary rows (one per tenant in tenant order, then "all"), each host's and each
/// link's totals, and the simulated time.
struct RunSummary {
  std::vector<SummaryRow> rows;
  std::vector<HostRecord> hosts;
  std::vector<LinkRecord> links;
  double simulated_seconds = 0;
};

struct RunMeta {
  std::string edgesim_version;
  std::string git_describe;
  std::string scenario; // TOML text after overrides
  std::string platform; // XML text
  std::uint64_t seed = 0;
  std::string started_at;
  double wall_seconds = 0;
  bool interrupted = false;
  double warmup_s = 0; // simulation.warmup: /summary counts requests arriving after it
};

} // namespace edgesim
