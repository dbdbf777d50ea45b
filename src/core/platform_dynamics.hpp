#pragma once
// The scenario's platform dynamics on the live engine: static link overrides applied
// once the platform is loaded, and the step profiles of [[dynamics.links]] and
// [[dynamics.hosts]] turned into one time-ordered list of changes the controller
// applies as simulated time passes.
//
// SimGrid 3.32 only accepts profiles (Link::set_bandwidth_profile, ...) before the
// platform is sealed, i.e. from the platform XML (`bandwidth_file`, ...); a scenario's
// profiles therefore become Link::set_bandwidth / set_latency calls at their step
// times, which SimGrid applies to transfers in flight as well. Host availability is
// edgesim's own state (the controller marks the host down and loses its requests), not
// Host::turn_off, which would kill the controller's actor on a one-host platform.
#include "core/placement_problem.hpp"
#include "core/platform_probe.hpp"
#include "scenario/scenario.hpp"

#include <cstddef>
#include <limits>
#include <vector>

namespace simgrid::s4u {
class Link;
}

namespace edgesim {

/// Names every link and host of the dynamics against the platform; WiFi links have
/// per-station rates and cannot be changed. Throws InputError naming the key.
void check_platform_dynamics(const Scenario& scenario, const PlatformInfo& platform);

/// Hosts whose availability profile starts down at t = 0 are unavailable to the initial
/// placement.
void mark_initially_unavailable(PlacementInputs& inputs, const PlatformDynamics& dynamics);

/// On the loaded platform: the link overrides, then each link profile's first step if
/// it is at t = 0. Links not in the platform are skipped (check_platform_dynamics
/// reports them).
void apply_initial_link_settings(const PlatformDynamics& dynamics);

struct PlatformChange {
  enum class Kind { LinkBandwidth, LinkLatency, HostAvailable };
  double at = 0;
  Kind kind = Kind::LinkBandwidth;
  simgrid::s4u::Link* link = nullptr;
  int host = -1;    // index in PlatformInfo::hosts
  double value = 0; // bytes/s, s, or 1/0 for available
};

class PlatformSchedule {
public:
  /// Applies the static link overrides to the loaded platform and orders the profile
  /// steps. Steps at the same time keep the scenario's order.
  PlatformSchedule(const PlatformDynamics& dynamics, const PlatformInfo& platform);

  [[nodiscard]] double next_time() const {
    return next_ < changes_.size() ? changes_[next_].at : std::numeric_limits<double>::infinity();
  }
  /// Link changes due by `now` are applied here; host changes are returned for the
  /// controller to apply (they lose requests).
  std::vector<PlatformChange> take_due(double now);

private:
  std::vector<PlatformChange> changes_;
  std::size_t next_ = 0;
};

} // namespace edgesim
