#pragma once
// A tenant as the engine runs it: its policies, its placements in force, its random
// streams and arrival process, and its statistics.
#include "core/engine/run_summary.hpp"
#include "core/fragment_cost.hpp"
#include "core/tenant_policy_trace.hpp"
#include "scenario/scenario.hpp"

#include <edgesim/arrival_process.hpp>
#include <edgesim/exit_oracle.hpp>
#include <edgesim/policy.hpp>
#include <edgesim/random.hpp>

#include <limits>
#include <memory>
#include <vector>

namespace edgesim {

/// A fragment of a placement as it runs: its host and station, the threads one request
/// uses, and its cost segments (a segment ends at an exit the policy evaluates).
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

struct TenantRuntime {
  const TenantSpec* spec = nullptr;
  ExitPolicy* policy = nullptr;
  PlacementPolicy* placement_policy = nullptr;
  std::unique_ptr<TenantPolicyTrace> exit_trace, placement_trace; // /policy rows, when traced
  std::vector<PlacementRuntime> placements; // index = placement version; back() serves new requests
  double next_replan = std::numeric_limits<double>::infinity();
  std::unique_ptr<ExitOracle> oracle;
  Rng arrival_rng{0};
  std::unique_ptr<ArrivalStream> arrivals; // draws from arrival_rng
  Rng work_rng{0};
  Rng penalty_rng{0}; // accuracy penalty of semantic splits
  double next_arrival = std::numeric_limits<double>::infinity();
  std::uint64_t generated = 0;
  double last_arrival = 0;
  // Time of the last arrival of a process that ran out (a trace shorter than the run);
  // the tenant's throughput window ends there, not at the configured duration.
  double arrivals_end = std::numeric_limits<double>::infinity();
  double mean_interarrival = 0; // EWMA, for ExitContext::arrival_rate
  TenantStatistics statistics;

  /// Notes an arrival at `at` (the EWMA of the interarrival time).
  void count_arrival(double at) {
    if (generated > 0) {
      const double gap = at - last_arrival;
      mean_interarrival = generated == 1 ? gap : 0.9 * mean_interarrival + 0.1 * gap;
    }
    last_arrival = at;
    generated++;
  }
  [[nodiscard]] double arrival_rate() const { return mean_interarrival > 0 ? 1.0 / mean_interarrival : 0.0; }
};

} // namespace edgesim
