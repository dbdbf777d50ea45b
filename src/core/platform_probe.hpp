#pragma once
// Loads a platform file in a forked child process and reports its hosts. SimGrid aborts
// the process on many platform errors (bad XML, unknown attributes, WiFi latency); doing
// the first load in a child turns every such abort into a clear InputError naming the
// file and SimGrid's message, before the real run starts.
#include <edgesim/policy.hpp>

#include <string>
#include <vector>

namespace edgesim {

struct ProbedHost {
  HostInfo info; // name, speed (pstate 0), cores, ram_bytes, device_class
  std::vector<double> pstate_speeds;
  double battery_wh = 0; // 0 = mains powered
  bool has_wattage = false;
  int wifi_rate = 0; // rate level of the host on its WiFi link (host property wifi_rate)
};

struct PlatformInfo {
  std::string file;
  std::string xml_text;
  std::vector<ProbedHost> hosts; // sorted by name: host indices in outputs follow this order
  [[nodiscard]] const ProbedHost* find(std::string_view name) const;
  [[nodiscard]] int index_of(std::string_view name) const;
};

/// `simgrid_args` (--cfg=..., --log=...) are applied in the child too, so an unknown
/// --cfg key is reported as an input error instead of aborting the run.
PlatformInfo probe_platform(const std::string& file, const std::vector<std::string>& simgrid_args = {},
                            const std::string& network_model = "CM02");

} // namespace edgesim
