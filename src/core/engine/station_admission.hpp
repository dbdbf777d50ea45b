#pragma once
// Station admission (docs/architecture.md): what happens to a request reaching a
// finite-buffer station (served at once, queued, or lost) and who is served next when
// one leaves. Pure bookkeeping on core/station.hpp, unit-tested without SimGrid.
#include "core/station.hpp"

#include <cstdint>
#include <optional>

namespace edgesim {

enum class Admission : std::uint8_t {
  Serve,      // admitted, a server is free: start its service
  Queued,     // admitted, waits in the FCFS queue
  HostDown,   // lost: the station's host is down
  BufferFull, // lost: K requests are in the system already
};

/// Admits request `slot` of `tenant` at time `now`, unless the host is down or the
/// station is full; an admitted request counts as in the system.
[[nodiscard]] Admission admit(Station& station, std::uint32_t slot, std::size_t tenant, double now, bool host_down);

/// A request of `tenant` leaves its server at `now`; returns the queued request that
/// takes the server, if any (its service starts: counted busy by begin_service).
[[nodiscard]] std::optional<std::uint32_t> depart(Station& station, std::size_t tenant, double now);

inline void begin_service(Station& station) {
  ++station.busy;
}

} // namespace edgesim
