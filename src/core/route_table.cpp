#include "core/route_table.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <sstream>

namespace edgesim {
namespace sg4 = simgrid::s4u;

namespace {

bool is_wifi(const sg4::Link* link) {
  return link->get_sharing_policy() == sg4::Link::SharingPolicy::WIFI;
}

std::vector<sg4::Link*> route_links(sg4::Host* from, sg4::Host* to, double* latency) {
  std::vector<sg4::Link*> links;
  *latency = 0;
  from->route_to(to, links, latency);
  return links;
}

} // namespace

WifiStations attach_wifi_stations(std::span<sg4::Host* const> hosts) {
  std::map<std::string, std::set<std::string>, std::less<>> stations;
  for (auto* from : hosts) {
    for (auto* to : hosts) {
      if (from == to)
        continue;
      double latency = 0;
      const auto route = route_links(from, to, &latency);
      if (route.empty())
        continue;
      for (auto* link : {route.front(), route.back()}) {
        if (!is_wifi(link))
          continue;
        sg4::Host* station = link == route.front() ? from : to;
        const char* rate = station->get_property("wifi_rate");
        link->set_host_wifi_rate(station, rate != nullptr ? std::atoi(rate) : 0);
        stations[link->get_name()].insert(station->get_name());
      }
    }
  }
  WifiStations counts;
  for (const auto& [link, names] : stations)
    counts[link] = static_cast<int>(names.size());
  return counts;
}

std::vector<RouteReading> read_routes(std::span<sg4::Host* const> hosts) {
  std::vector<RouteReading> readings;
  for (auto* from : hosts) {
    for (auto* to : hosts) {
      if (from == to)
        continue;
      RouteReading reading;
      const auto links = route_links(from, to, &reading.route.latency_s);
      if (links.empty())
        continue; // no route (a route between distinct hosts always has a link)
      reading.route.from = from->get_name();
      reading.route.to = to->get_name();
      reading.route.bandwidth_Bps = std::numeric_limits<double>::infinity();
      for (const auto* link : links) {
        if (is_wifi(link))
          reading.crosses_wifi = true;
        else
          reading.route.bandwidth_Bps = std::min(reading.route.bandwidth_Bps, link->get_bandwidth());
      }
      readings.push_back(std::move(reading));
    }
  }
  return readings;
}

void measure_wifi_routes(std::vector<RouteReading>& readings) {
  // Two transfer sizes give bandwidth and latency as the network model delivers them
  // to a single flow (WiFi rate level and SimGrid's WiFi throughput model included).
  constexpr std::uint64_t small_bytes = 1'000'000;
  constexpr std::uint64_t large_bytes = 2'000'000;
  constexpr auto small = static_cast<double>(small_bytes);
  constexpr auto large = static_cast<double>(large_bytes);
  for (auto& reading : readings) {
    if (!reading.crosses_wifi)
      continue;
    auto* from = sg4::Host::by_name(reading.route.from);
    auto* to = sg4::Host::by_name(reading.route.to);
    const double t0 = sg4::Engine::get_clock();
    sg4::Comm::sendto(from, to, small_bytes);
    const double t1 = sg4::Engine::get_clock();
    sg4::Comm::sendto(from, to, large_bytes);
    const double t2 = sg4::Engine::get_clock();
    const double bandwidth = (large - small) / ((t2 - t1) - (t1 - t0));
    reading.route.bandwidth_Bps = bandwidth;
    reading.route.latency_s = std::max(0.0, (t1 - t0) - small / bandwidth);
  }
}

HostPower host_power(const sg4::Host& host, unsigned long pstate) {
  if (host.get_property("wattage_per_state") == nullptr)
    return {};
  auto* h = const_cast<sg4::Host*>(&host); // SimGrid's C API takes non-const hosts
  const int p = static_cast<int>(pstate);
  return {sg_host_get_idle_consumption_at(h, p), sg_host_get_wattmax_at(h, p)};
}

double host_tx_watts(const sg4::Host& host, std::span<sg4::Host* const> hosts) {
  auto* self = const_cast<sg4::Host*>(&host);
  for (auto* other : hosts) {
    if (other == self)
      continue;
    double latency = 0;
    const auto route = route_links(self, other, &latency);
    if (route.empty() || !is_wifi(route.front()))
      continue;
    const char* values = route.front()->get_property("wifi_watt_values");
    if (values == nullptr)
      return 0;
    std::istringstream fields(values);
    std::string idle;
    std::string tx;
    if (std::getline(fields, idle, ':') && std::getline(fields, tx, ':'))
      return std::strtod(tx.c_str(), nullptr);
    return 0;
  }
  return 0;
}

} // namespace edgesim
