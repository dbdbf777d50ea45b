#include "core/live_placement.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <span>

namespace sg4 = simgrid::s4u;

namespace edgesim {
namespace {

const RouteReading* find_reading(std::span<const RouteReading> readings, const RouteInfo& route) {
  auto it = std::find_if(readings.begin(), readings.end(),
                         [&](const RouteReading& r) { return r.route.from == route.from && r.route.to == route.to; });
  return it == readings.end() ? nullptr : &*it;
}

} // namespace

LivePlacementInputs::LivePlacementInputs(const PlatformInfo& platform, const Scenario& scenario)
    : start_(placement_inputs(platform, scenario)) {
  auto* engine = sg4::Engine::get_instance();
  for (const auto& probed : platform.hosts)
    hosts_.push_back(engine->host_by_name(probed.info.name));
  start_readings_ = read_routes(hosts_);
  live_ = start_;
}

const PlacementInputs& LivePlacementInputs::refresh(const std::vector<bool>& host_down) {
  for (std::size_t h = 0; h < hosts_.size(); ++h) {
    live_.hosts[h].speed = hosts_[h]->get_speed();
    live_.hosts[h].available = !host_down[h];
  }
  const std::vector<RouteReading> now = read_routes(hosts_);
  for (std::size_t r = 0; r < start_.routes.size(); ++r) {
    const RouteInfo& start = start_.routes[r];
    const RouteReading* before = find_reading(start_readings_, start);
    const RouteReading* current = find_reading(now, start);
    if (before == nullptr || current == nullptr)
      continue;
    RouteInfo& live = live_.routes[r];
    if (!current->crosses_wifi) {
      live.bandwidth_Bps = current->route.bandwidth_Bps;
      live.latency_s = current->route.latency_s;
      continue;
    }
    // SimGrid does not expose a WiFi link's rate: the probe measured the route once.
    // Its wired links may have changed since; they bound the bandwidth, and their
    // latency change adds to the measured latency.
    live.bandwidth_Bps = std::min(start.bandwidth_Bps, current->route.bandwidth_Bps);
    live.latency_s = start.latency_s + (current->route.latency_s - before->route.latency_s);
  }
  return live_;
}

} // namespace edgesim
