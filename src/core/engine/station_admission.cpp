#include "core/engine/station_admission.hpp"

namespace edgesim {

Admission admit(Station& station, std::uint32_t slot, std::size_t tenant, double now, bool host_down) {
  if (host_down)
    return Admission::HostDown;
  if (station.in_system >= station.capacity)
    return Admission::BufferFull;
  station.enter(now, tenant);
  if (station.busy < station.servers)
    return Admission::Serve;
  station.queue.push_back(slot);
  return Admission::Queued;
}

std::optional<std::uint32_t> depart(Station& station, std::size_t tenant, double now) {
  station.busy--;
  station.leave(now, tenant);
  if (station.queue.empty() || station.busy >= station.servers)
    return std::nullopt;
  const std::uint32_t next = station.queue.front();
  station.queue.pop_front();
  return next;
}

} // namespace edgesim
