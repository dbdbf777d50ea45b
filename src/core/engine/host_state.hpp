#pragma once
// Everything the engine keeps about one host (docs/architecture.md, "Engine
// components"): its stations, what runs on it, its sending interface, its energy meter
// corrections and battery, and what each tenant ran on it. One struct per host, so a
// host's state is in one place.
//
// The bookkeeping is pure: SimGrid's energy meter reading is passed in (`meter`, J, as
// sg_host_get_consumed_energy reports it), so it is unit-tested without an engine.
#include "core/tenant_busy_time.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace simgrid::s4u {
class Host;
}

namespace edgesim {

struct HostState {
  simgrid::s4u::Host* host = nullptr;
  std::string name;
  int cores = 1;
  std::vector<int> stations;
  int shared_station = -1; // station shared by every fragment on the host, if any
  // What runs.
  int running_execs = 0;
  int running_threads = 0; // cores asked for by running execs (may exceed cores)
  double busy_time = 0;
  double busy_since = 0;
  std::uint64_t served = 0;
  std::uint64_t lost = 0;
  // Sending interface.
  int send_buffer = 0; // transfers the interface holds at once, 0 = unbounded
  int sending = 0;     // transfers from this host in flight
  // Energy and battery.
  bool metered = false; // has wattage_per_state: SimGrid's energy plugin measures it
  double battery_j = 0; // capacity, 0 = mains powered
  bool down = false;
  bool depleted = false; // battery empty: down for good
  double down_at = -1;   // first time the host went down
  double energy_at_down = 0;
  double energy_while_down = 0; // meter increase during past outages (a down host draws nothing)
  double down_since = 0;        // start of the current outage
  double down_seconds = 0;      // length of past outages
  // Per tenant, to share the host's energy (docs/energy.md).
  std::vector<double> tenant_work; // flops x threads per tenant: dynamic energy
  TenantBusyTime tenant_busy;      // static energy
  // The last /timeline sample.
  double sampled_energy = 0;
  double sampled_at = 0;
  double sampled_queue_area = 0; // its stations' queue-length integral then

  HostState() = default;
  HostState(std::string host_name, int host_cores, std::size_t tenants);

  void exec_started(std::size_t tenant, int threads, double now);
  void exec_finished(std::size_t tenant, int threads, double now);

  /// The host's own energy so far: the meter without what it counted while the host was
  /// down (SimGrid's meter keeps counting idle power; a down host draws nothing).
  /// `meter` is read now, unless the host is down (its energy is frozen then).
  [[nodiscard]] double consumed_energy(double meter) const;
  /// State of charge in [0, 1]; 1 on mains. `read_meter()` gives the meter now; it is
  /// called only when the answer depends on it (reading SimGrid's meter updates it, which
  /// splits its integration intervals).
  template <class MeterReading> [[nodiscard]] double battery_soc(MeterReading&& read_meter) const {
    if (battery_j <= 0)
      return 1.0;
    if (depleted)
      return 0.0;
    return std::max(0.0, 1.0 - consumed_energy(down ? 0.0 : read_meter()) / battery_j);
  }
  void go_down(double now, double meter);
  /// Back up after an outage (not after its battery emptied: that is for good).
  void come_up(double now, double meter);
  /// Seconds the host was up over [0, end].
  [[nodiscard]] double up_seconds(double end) const;
};

} // namespace edgesim
