#include "core/wifi_meter.hpp"

#include <edgesim/error.hpp>

#include <simgrid/s4u.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <sstream>

namespace sg4 = simgrid::s4u;

namespace edgesim {
namespace {

double parse_non_negative(const std::string& text, const sg4::Link& link, std::string_view property) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(value >= 0))
    throw InputError(fmt::format("WiFi link {}: property {} = \"{}\": expected non-negative numbers", link.get_name(),
                                 property, text));
  return value;
}

/// The powers as SimGrid's WiFi plugin reads them (its defaults for a missing property).
WifiPowers powers_of(const sg4::Link& link) {
  WifiPowers powers;
  if (const char* control = link.get_property("control_duration"))
    powers.control = parse_non_negative(control, link, "control_duration");
  if (const char* values = link.get_property("wifi_watt_values")) {
    std::vector<std::string> fields;
    std::istringstream in(values);
    for (std::string field; std::getline(in, field, ':');)
      fields.push_back(field);
    if (fields.size() != 4)
      throw InputError(
          fmt::format("WiFi link {}: property wifi_watt_values = \"{}\": expected \"Pidle:Ptx:Prx:Psleep\"",
                      link.get_name(), values));
    powers.idle = parse_non_negative(fields[0], link, "wifi_watt_values");
    powers.tx = parse_non_negative(fields[1], link, "wifi_watt_values");
    powers.rx = parse_non_negative(fields[2], link, "wifi_watt_values");
  }
  return powers;
}

} // namespace

WifiMeter::WifiMeter(std::span<sg4::Host* const> hosts, const PlatformInfo& platform, const WifiStations& stations)
    : hosts_(hosts.begin(), hosts.end()), platform_(platform) {
  for (const auto* link : sg4::Engine::get_instance()->get_all_links()) {
    if (link->get_sharing_policy() != sg4::Link::SharingPolicy::WIFI)
      continue;
    Cell cell;
    cell.link = link;
    cell.powers = powers_of(*link);
    const auto count = stations.find(link->get_name());
    cell.stations = count == stations.end() ? 0 : count->second;
    cells_.push_back(std::move(cell));
  }
}

const WifiMeter::Route& WifiMeter::route(int from, int to) {
  auto [it, fresh] = routes_.try_emplace({from, to});
  if (!fresh)
    return it->second;
  Route& route = it->second;
  std::vector<sg4::Link*> links;
  double latency = 0;
  hosts_[static_cast<std::size_t>(from)]->route_to(hosts_[static_cast<std::size_t>(to)], links, &latency);
  for (const auto* link : links)
    for (std::size_t c = 0; c < cells_.size(); ++c)
      if (cells_[c].link == link)
        route.cells.push_back(c);
  // The latency phase as the network model delivers it (its latency factor included):
  // the probe measured it on WiFi routes.
  route.latency = latency;
  const std::string& from_name = hosts_[static_cast<std::size_t>(from)]->get_name();
  const std::string& to_name = hosts_[static_cast<std::size_t>(to)]->get_name();
  for (const RouteInfo& info : platform_.routes)
    if (info.from == from_name && info.to == to_name)
      route.latency = info.latency_s;
  return route;
}

double WifiMeter::transfer_started(int from, int to, double now) {
  const Route& r = route(from, to);
  const double transmit_from = now + r.latency;
  for (std::size_t c : r.cells)
    cells_[c].airtime.transfer_started(transmit_from);
  return transmit_from;
}

void WifiMeter::transfer_ended(int from, int to, double transmit_from, double now) {
  for (std::size_t c : route(from, to).cells)
    cells_[c].airtime.transfer_ended(transmit_from, now);
}

std::vector<WifiCellEnergy> WifiMeter::energy(double end) {
  std::vector<WifiCellEnergy> out;
  for (Cell& cell : cells_)
    out.push_back(WifiCellEnergy{.link = cell.link,
                                 .energy = wifi_energy(cell.powers, cell.stations, end, cell.airtime.busy(end))});
  return out;
}

} // namespace edgesim
