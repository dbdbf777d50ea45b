#include "core/link_traffic.hpp"

#include <cstdlib>

namespace edgesim {

void LinkTraffic::add(simgrid::s4u::Host* from, simgrid::s4u::Host* to, double bytes) {
  auto [route, fresh] = routes_.try_emplace({from, to});
  if (fresh) {
    std::vector<simgrid::s4u::Link*> links;
    double latency = 0;
    from->route_to(to, links, &latency);
    route->second.assign(links.begin(), links.end());
  }
  for (const auto* link : route->second)
    bytes_[link] += bytes;
}

double LinkTraffic::bytes(const simgrid::s4u::Link* link) const {
  auto it = bytes_.find(link);
  return it == bytes_.end() ? 0.0 : it->second;
}

double link_idle_watts(const simgrid::s4u::Link& link) {
  const char* range = link.get_property("wattage_range");
  return range == nullptr ? 0.0 : std::strtod(range, nullptr);
}

} // namespace edgesim
