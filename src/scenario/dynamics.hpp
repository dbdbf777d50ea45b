#pragma once
// Platform settings a scenario adds on top of the platform XML: static link overrides
// (`[links."name"] bandwidth/latency`, so sweeps can vary them with --set) and step
// profiles over time (`[[dynamics.links]]`, `[[dynamics.hosts]]`, `[[dynamics.shares]]`)
// that the engine applies while the simulation runs.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edgesim {

/// `[links."name"]`: replaces the platform's static value of the link.
struct LinkSettings {
  std::optional<double> bandwidth; // bytes/s
  std::optional<double> latency;   // s
  std::string path;                // key path, for messages ("links.uplink")
};

/// One step of a profile: from `at` (s) on, the value is `value`.
template <class Value> struct ProfileStep {
  double at = 0;
  Value value{};
};

/// `[[dynamics.links]]`: the link's bandwidth and/or latency follow step profiles.
struct LinkDynamics {
  std::string link;
  std::vector<ProfileStep<double>> bandwidth; // bytes/s
  std::vector<ProfileStep<double>> latency;   // s
  std::string path;                           // "dynamics.links.0"
};

/// `[[dynamics.hosts]]`: the host is up or down over time. A host going down loses
/// every request on it or travelling to or from it (reason 3, host down).
struct HostDynamics {
  std::string host;
  std::vector<ProfileStep<bool>> available;
  std::string path; // "dynamics.hosts.0"
};

/// `[[dynamics.shares]]`: the CPU share tenant `tenant` is entitled to on `host` (every
/// host when `host` is empty) follows a step profile, replacing `tenants[].share` from
/// the first step on. Needs a multitenant policy (docs/multitenancy.md).
struct ShareDynamics {
  std::string tenant;
  std::string host;                       // empty = every host
  std::vector<ProfileStep<double>> share; // in (0, 1]
  std::string path;                       // "dynamics.shares.0"
};

struct PlatformDynamics {
  std::map<std::string, LinkSettings, std::less<>> link_overrides;
  std::vector<LinkDynamics> links;
  std::vector<HostDynamics> hosts;
  std::vector<ShareDynamics> shares;
  [[nodiscard]] bool empty() const {
    return link_overrides.empty() && links.empty() && hosts.empty() && shares.empty();
  }
};

} // namespace edgesim
