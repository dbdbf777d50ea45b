#pragma once
// The live-engine source of re-planning inputs: the placement inputs of the scenario
// (core/placement_problem) with what has changed since the run started replaced by
// what SimGrid and the controller see now: link bandwidths and latencies (profiles,
// overrides), host speeds, and which hosts are down.
#include "core/placement_problem.hpp"
#include "core/route_table.hpp"

#include <vector>

namespace simgrid::s4u {
class Host;
}

namespace edgesim {

class LivePlacementInputs {
public:
  /// After the platform is loaded and before the run starts: remembers the routes as
  /// they start, to tell later what changed on routes whose WiFi part was measured.
  LivePlacementInputs(const PlatformInfo& platform, const Scenario& scenario);

  /// The inputs now. `host_down[i]` is whether platform host i is down.
  const PlacementInputs& refresh(const std::vector<bool>& host_down);

private:
  std::vector<simgrid::s4u::Host*> hosts_; // platform order
  PlacementInputs start_;                  // as probed (WiFi routes measured)
  std::vector<RouteReading> start_readings_;
  PlacementInputs live_;
};

} // namespace edgesim
