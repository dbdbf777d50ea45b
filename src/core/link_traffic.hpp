#pragma once
// Bytes carried per link (/links `bytes`): each completed transfer adds its size to
// every link on its route. Routes are looked up once per ordered pair of hosts.
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Link.hpp>

#include <map>
#include <utility>
#include <vector>

namespace edgesim {

class LinkTraffic {
public:
  void add(simgrid::s4u::Host* from, simgrid::s4u::Host* to, double bytes);
  [[nodiscard]] double bytes(const simgrid::s4u::Link* link) const;

private:
  std::map<std::pair<const simgrid::s4u::Host*, const simgrid::s4u::Host*>, std::vector<const simgrid::s4u::Link*>>
      routes_;
  std::map<const simgrid::s4u::Link*, double> bytes_;
};

/// Idle power of a wired link from its `wattage_range` property ("idle:busy", W); 0
/// without one. What the link draws with no traffic: its static energy per second.
[[nodiscard]] double link_idle_watts(const simgrid::s4u::Link& link);

} // namespace edgesim
