#pragma once
// WiFi energy (docs/energy.md, "WiFi"): SimGrid's WiFi energy model evaluated from the
// transfers the engine starts. SimGrid 3.32's own WiFi plugin keys its per-flow state by
// the address of the flow's network action and never forgets a flow that was not fully
// accounted for, so a later flow allocated at the same address inherits it: its figure
// changed with the heap layout (the output file's path, whether stdout was a pipe). Here
// each cell's airtime is the union of its transfers' transmission intervals (after their
// route's latency phase), which depends on the simulation only.
#include "core/platform_probe.hpp"
#include "core/route_table.hpp"
#include "core/wifi_airtime.hpp"

#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Link.hpp>

#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace edgesim {

struct WifiCellEnergy {
  const simgrid::s4u::Link* link = nullptr;
  WifiEnergy energy;
};

class WifiMeter {
public:
  /// The WiFi cells of the loaded platform (`hosts` in platform order), each with its
  /// `wifi_watt_values`, `control_duration` and the stations attach_wifi_stations counted.
  WifiMeter(std::span<simgrid::s4u::Host* const> hosts, const PlatformInfo& platform, const WifiStations& stations);

  /// A transfer from host index `from` to `to` starts now; returns when it begins to
  /// transmit (now + its route's latency), to be passed back when it ends.
  double transfer_started(int from, int to, double now);
  void transfer_ended(int from, int to, double transmit_from, double now);

  /// Every cell's energy over a run that ended at `end`, in platform link order.
  [[nodiscard]] std::vector<WifiCellEnergy> energy(double end);

private:
  struct Cell {
    const simgrid::s4u::Link* link = nullptr;
    WifiPowers powers;
    int stations = 0;
    WifiAirtime airtime;
  };
  struct Route {
    std::vector<std::size_t> cells;
    double latency = 0;
  };
  const Route& route(int from, int to);

  std::vector<simgrid::s4u::Host*> hosts_;
  const PlatformInfo& platform_;
  std::vector<Cell> cells_;
  std::map<std::pair<int, int>, Route> routes_;
};

} // namespace edgesim
