#pragma once
// Loads a platform file in a forked child process and reports its hosts. SimGrid aborts
// the process on many platform errors (bad XML, unknown attributes, WiFi latency); doing
// the first load in a child turns every such abort into a clear InputError naming the
// file and SimGrid's message, before the real run starts.
#include <edgesim/policy.hpp>

#include "scenario/dynamics.hpp"

#include <map>
#include <string>
#include <vector>

namespace edgesim {

struct ProbedHost {
  HostInfo info; // at pstate 0, before scenario overrides (see placement_problem.hpp)
  std::vector<double> pstate_speeds;
  double battery_wh = 0; // 0 = mains powered
  bool has_wattage = false;
  std::vector<double> idle_watts;                // per pstate (0 without wattage_per_state)
  std::vector<double> busy_watts;                // per pstate, every core busy
  std::map<std::string, std::string> properties; // every <prop> of the host, verbatim
};

struct ProbedLink {
  std::string name;
  double bandwidth = 0; // bytes/s, as declared
  double latency = 0;   // s
  bool wifi = false;    // SimGrid WIFI link: bandwidth per station rate, not settable
};

struct PlatformInfo {
  std::string file;
  std::string xml_text;
  std::vector<ProbedHost> hosts; // sorted by name: host indices in outputs follow this order
  std::vector<RouteInfo> routes; // every ordered pair of distinct hosts with a route
  std::vector<ProbedLink> links; // sorted by name
  [[nodiscard]] const ProbedLink* find_link(std::string_view name) const;
  [[nodiscard]] const ProbedHost* find(std::string_view name) const;
  [[nodiscard]] int index_of(std::string_view name) const;
};

/// `simgrid_args` (--cfg=..., --log=...) are applied in the child too, so an unknown
/// --cfg key is reported as an input error instead of aborting the run.
/// The scenario's link overrides, and the first step of its link profiles when it is at
/// t = 0, are applied before links and routes are read, so a placement computed from
/// the probe sees the links the run starts with.
PlatformInfo probe_platform(const std::string& file, const std::vector<std::string>& simgrid_args = {},
                            const std::string& network_model = "CM02", const PlatformDynamics& dynamics = {});

} // namespace edgesim
