#pragma once
// Summary collection (docs/architecture.md): the /summary and /hosts rows of a run as
// pure functions of what the engine counted, so they are unit-tested without SimGrid.
#include "core/energy_attribution.hpp"
#include "core/engine/host_state.hpp"
#include "util/latency_histogram.hpp"

#include <edgesim/results.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace edgesim {

/// What a tenant's requests did. The counts and latencies are over requests arriving
/// after the warm-up; served_whole_run includes the warm-up (energy covers the whole run).
struct TenantStatistics {
  std::uint64_t offered = 0, served = 0, lost = 0, correct = 0, slo_met = 0;
  std::uint64_t served_whole_run = 0;
  LatencyHistogram latency;

  void count_served(bool measured, double latency_s, bool correct_answer, bool met_slo);
  void count_lost(bool measured) { lost += measured ? 1 : 0; }
};

/// One tenant's inputs to the summary.
struct TenantSummaryInput {
  std::string name;
  const TenantStatistics* statistics = nullptr;
  TenantEnergy energy;
  double arrivals_end = 0; // last arrival of a process that ran out; infinity otherwise
};

/// The throughput window of the run: requests arrived over [warmup, end].
struct SummaryWindow {
  double warmup = 0;
  double end = 0; // the configured duration, or the last arrival (interrupted, request-bounded)
};

/// One row per tenant, then "all" (its energy: every host and link, `total_energy_j`,
/// of which `static_energy_j` is static). Throughput is served per second of the time a
/// tenant's requests arrived over: a tenant whose trace ran out measures up to its last
/// arrival; "all" over the longest tenant window.
[[nodiscard]] std::vector<SummaryRow> summary_rows(std::span<const TenantSummaryInput> tenants, SummaryWindow window,
                                                   double total_energy_j, double static_energy_j);

/// A host's /hosts row over a run of `end` seconds: `energy_j` it consumed (0 if not
/// metered), `idle_watts` of its pstate, `queue_area` the integral of its stations'
/// requests in system.
[[nodiscard]] HostRecord host_record(const HostState& host, double energy_j, double idle_watts, double end,
                                     double queue_area);

} // namespace edgesim
