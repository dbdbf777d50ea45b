#include "core/engine/host_state.hpp"

#include <algorithm>

namespace edgesim {

HostState::HostState(std::string host_name, int host_cores, std::size_t tenants)
    : name(std::move(host_name)), cores(std::max(1, host_cores)), tenant_work(tenants, 0.0), tenant_busy(tenants) {}

void HostState::exec_started(std::size_t tenant, int threads, double now) {
  tenant_busy.exec_started(tenant, now);
  running_threads += threads;
  if (running_execs++ == 0)
    busy_since = now;
}

void HostState::exec_finished(std::size_t tenant, int threads, double now) {
  tenant_busy.exec_finished(tenant, now);
  running_threads -= threads;
  if (--running_execs == 0)
    busy_time += now - busy_since;
}

double HostState::consumed_energy(double meter) const {
  return (down ? energy_at_down : meter) - energy_while_down;
}

void HostState::go_down(double now, double meter) {
  down = true;
  down_since = now;
  if (down_at < 0)
    down_at = now;
  energy_at_down = meter;
}

void HostState::come_up(double now, double meter) {
  if (!down || depleted)
    return;
  energy_while_down += meter - energy_at_down;
  down_seconds += now - down_since;
  down = false;
}

double HostState::up_seconds(double end) const {
  return std::max(0.0, end - down_seconds - (down ? end - down_since : 0.0));
}

} // namespace edgesim
