#include "core/engine/run_summary.hpp"

#include <algorithm>
#include <cmath>

namespace edgesim {
namespace {

SummaryRow summary_row(std::string name, const TenantStatistics& s, double energy, double energy_static,
                       double window) {
  SummaryRow row;
  row.tenant = std::move(name);
  row.offered = s.offered;
  row.served = s.served;
  row.lost = s.lost;
  const auto ratio = [](std::uint64_t a, std::uint64_t b) { return static_cast<double>(a) / static_cast<double>(b); };
  row.loss_ratio = s.offered > 0 ? ratio(s.lost, s.offered) : 0;
  row.throughput = static_cast<double>(s.served) / window;
  row.latency_mean = s.latency.mean();
  row.latency_p50 = s.latency.quantile(0.50);
  row.latency_p95 = s.latency.quantile(0.95);
  row.latency_p99 = s.latency.quantile(0.99);
  row.accuracy = s.served > 0 ? ratio(s.correct, s.served) : NAN;
  row.effective_accuracy = s.offered > 0 ? ratio(s.correct, s.offered) : NAN;
  row.slo_violation_ratio = s.offered > 0 ? 1.0 - ratio(s.slo_met, s.offered) : 0;
  row.energy_j = energy;
  row.energy_static_j = energy_static;
  row.energy_dynamic_j = energy - energy_static;
  // Energy is measured over the whole run (SimGrid's meters start at 0), so it is
  // divided by every request served in that time, warm-up included.
  row.energy_per_served_j = s.served_whole_run > 0 ? energy / static_cast<double>(s.served_whole_run) : NAN;
  return row;
}

} // namespace

void TenantStatistics::count_served(bool measured, double latency_s, bool correct_answer, bool met_slo) {
  served_whole_run++;
  if (!measured)
    return;
  served++;
  latency.add(latency_s);
  correct += correct_answer ? 1 : 0;
  slo_met += met_slo ? 1 : 0;
}

std::vector<SummaryRow> summary_rows(std::span<const TenantSummaryInput> tenants, SummaryWindow window,
                                     double total_energy_j, double static_energy_j) {
  auto seconds_until = [&](double until) { return std::max(until - window.warmup, 1e-12); };
  std::vector<SummaryRow> rows;
  TenantStatistics all;
  double all_window_end = 0;
  for (const TenantSummaryInput& tenant : tenants) {
    const TenantStatistics& s = *tenant.statistics;
    const double tenant_end = std::min(window.end, tenant.arrivals_end);
    all_window_end = std::max(all_window_end, tenant_end);
    rows.push_back(
        summary_row(tenant.name, s, tenant.energy.total(), tenant.energy.static_j, seconds_until(tenant_end)));
    all.offered += s.offered;
    all.served += s.served;
    all.lost += s.lost;
    all.correct += s.correct;
    all.slo_met += s.slo_met;
    all.served_whole_run += s.served_whole_run;
    all.latency.merge(s.latency);
  }
  rows.push_back(summary_row("all", all, total_energy_j, static_energy_j, seconds_until(all_window_end)));
  return rows;
}

HostRecord host_record(const HostState& host, double energy_j, double idle_watts, double end, double queue_area) {
  HostRecord record;
  record.name = host.name;
  record.energy_j = energy_j;
  // Static: the idle power of the run's pstate for the time the host was up.
  record.energy_static_j = host.metered ? idle_watts * host.up_seconds(end) : 0.0;
  record.energy_dynamic_j = record.energy_j - record.energy_static_j;
  record.busy_fraction = end > 0 ? host.busy_time / end : 0;
  record.served = host.served;
  record.lost = host.lost;
  record.mean_queue = end > 0 ? queue_area / end : 0;
  record.battery_soc_end = host.battery_j > 0 ? std::max(0.0, 1.0 - energy_j / host.battery_j) : 1.0;
  record.down_at = host.down_at;
  return record;
}

} // namespace edgesim
