#include "core/engine/energy_monitor.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <algorithm>

namespace edgesim {
namespace {

int pstate_of(const HostState& host) {
  return static_cast<int>(host.host->get_pstate());
}

} // namespace

double EnergyMonitor::consumed_energy(const HostState& host) const {
  // Reading the meter of a host that is down would only count what is discarded.
  return host.consumed_energy(host.down ? 0.0 : sg_host_get_consumed_energy(host.host));
}

double EnergyMonitor::battery_soc(const HostState& host) const {
  return host.battery_soc([&] { return sg_host_get_consumed_energy(host.host); });
}

double EnergyMonitor::predicted_power(const HostState& host) const {
  // The energy plugin's own law (Idle when nothing runs, else Epsilon + (AllCores -
  // Epsilon) x busy cores / cores), evaluated from the execs edgesim started: SimGrid
  // only refreshes a host's load at its next model solve, so right after an exec starts
  // sg_host_get_current_consumption still reports the idle power.
  if (!host.metered)
    return 0.0;
  const int pstate = pstate_of(host);
  if (host.running_threads == 0)
    return sg_host_get_idle_consumption_at(host.host, pstate);
  const double load = std::min(1.0, static_cast<double>(host.running_threads) / host.cores);
  const double epsilon = sg_host_get_wattmin_at(host.host, pstate);
  return epsilon + (sg_host_get_wattmax_at(host.host, pstate) - epsilon) * load;
}

double EnergyMonitor::dynamic_power(const HostState& host) const {
  if (!host.metered)
    return 0.0;
  const int pstate = pstate_of(host);
  return sg_host_get_wattmax_at(host.host, pstate) - sg_host_get_idle_consumption_at(host.host, pstate);
}

double EnergyMonitor::idle_power(const HostState& host) const {
  return sg_host_get_idle_consumption_at(host.host, pstate_of(host));
}

void EnergyMonitor::mark_down(HostState& host, double now) const {
  host.go_down(now, sg_host_get_consumed_energy(host.host));
}

void EnergyMonitor::mark_up(HostState& host, double now) const {
  if (!host.down || host.depleted)
    return;
  // SimGrid's meter kept counting the idle power while the host was down: that part is
  // not the host's energy.
  host.come_up(now, sg_host_get_consumed_energy(host.host));
}

bool EnergyMonitor::has_batteries() const {
  return std::any_of(state_.hosts.begin(), state_.hosts.end(), [](const HostState& h) { return h.battery_j > 0; });
}

void EnergyMonitor::update_batteries(double now, const std::function<void(int)>& take_down) {
  // Power is constant between events, so the time a battery empties is exact:
  // now + remaining energy / current power, re-predicted after every event.
  next_battery_ = std::numeric_limits<double>::infinity();
  for (std::size_t h = 0; h < state_.hosts.size(); ++h) {
    HostState& host = state_.hosts[h];
    if (host.battery_j <= 0 || host.down)
      continue;
    const double remaining = host.battery_j - consumed_energy(host);
    const double power = predicted_power(host);
    if (remaining <= 1e-9 * host.battery_j) {
      host.depleted = true;
      take_down(static_cast<int>(h));
      continue;
    }
    if (power > 0)
      next_battery_ = std::min(next_battery_, now + remaining / power);
  }
}

double EnergyMonitor::sampled_power(HostState& host, double interval) const {
  // The energy the meter counted in the interval / its length.
  if (!host.metered)
    return 0.0;
  const double energy = consumed_energy(host);
  const double power =
      interval > 0 ? (energy - host.sampled_energy) / interval : (host.down ? 0.0 : predicted_power(host));
  host.sampled_energy = energy;
  return power;
}

std::vector<TimelineRecord> EnergyMonitor::sample_timeline(double at) {
  std::vector<TimelineRecord> rows;
  rows.reserve(state_.hosts.size());
  for (std::size_t h = 0; h < state_.hosts.size(); ++h) {
    HostState& host = state_.hosts[h];
    TimelineRecord record;
    record.t = at;
    record.host = static_cast<std::int32_t>(h);
    // queue_mean and power_w average the interval since the host's previous sample, so a
    // row is what happened in it, not a snapshot of an instant; the first row, at t = 0,
    // has no interval and holds the values at that instant.
    const double interval = at - host.sampled_at;
    double area = 0;
    for (int s : host.stations) {
      record.queue_len += state_.station(s).in_system;
      area += state_.station(s).area(at);
    }
    record.queue_mean = interval > 0 ? (area - host.sampled_queue_area) / interval : record.queue_len;
    record.power_w = sampled_power(host, interval);
    record.battery_soc = battery_soc(host);
    host.sampled_queue_area = area;
    host.sampled_at = at;
    rows.push_back(record);
  }
  return rows;
}

} // namespace edgesim
