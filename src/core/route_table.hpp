#pragma once
// Routes and power figures read from a loaded SimGrid platform, for placement policies.
// Used by the platform probe (before a run, in its forked child) and usable by a running
// simulation (live link bandwidths), so both see the same figures.
#include <edgesim/policy.hpp>

#include <simgrid/s4u/Host.hpp>

#include <map>
#include <span>
#include <string>
#include <vector>

namespace edgesim {

using WifiStations = std::map<std::string, int, std::less<>>;

/// Sets each WiFi station's rate level on its WiFi link from the host property
/// `wifi_rate` (default 0). SimGrid 3.32 needs it before a transfer crosses the link.
/// Returns the number of stations attached to each WiFi link, by link name.
WifiStations attach_wifi_stations(std::span<simgrid::s4u::Host* const> hosts);

struct RouteReading {
  RouteInfo route;
  // SimGrid 3.32 does not expose a WiFi link's bandwidth (its get_bandwidth() is a
  // placeholder); for a route crossing one, `route.bandwidth_Bps` is that of its wired
  // links only (infinity if none) and must be measured.
  bool crosses_wifi = false;
};

/// One reading per ordered pair of distinct hosts that has a route: the bottleneck
/// bandwidth and the summed latency of its links.
std::vector<RouteReading> read_routes(std::span<simgrid::s4u::Host* const> hosts);

/// Bandwidth and latency one transfer gets on each route that crosses a WiFi link, by
/// timing two simulated transfers on an otherwise idle platform (must run inside an
/// actor; the WiFi stations must be attached). Fills in those routes of `readings`.
void measure_wifi_routes(std::vector<RouteReading>& readings);

/// Idle and all-cores-busy power of `host` at `pstate` (0, 0 without wattage_per_state).
struct HostPower {
  double idle_watts = 0;
  double busy_watts = 0;
};
HostPower host_power(const simgrid::s4u::Host& host, unsigned long pstate);

/// Radio power the host draws while sending over its WiFi link (Ptx of the link's
/// wifi_watt_values "Pidle:Ptx:Prx:Psleep"); 0 when it is wired or the figure is missing.
double host_tx_watts(const simgrid::s4u::Host& host, std::span<simgrid::s4u::Host* const> hosts);

} // namespace edgesim
