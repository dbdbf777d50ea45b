#pragma once
// Airtime and energy of one WiFi cell (docs/energy.md, "WiFi"): how long the shared medium
// carried at least one transmission, and the energy SimGrid's WiFi energy model charges
// for it. A transfer over the cell transmits from the end of its route's latency phase to
// its completion, so each transfer's transmission is [start + latency, end]; the busy
// airtime is the union of those intervals. Pure bookkeeping, fed in time order by the
// engine; memory is bounded by the transfers in flight.
#include <cstdint>
#include <set>

namespace edgesim {

/// The powers of a cell's `wifi_watt_values` ("Pidle:Ptx:Prx:Psleep", W) and its
/// `control_duration` (seconds of beacons per second), as SimGrid's WiFi plugin reads them.
struct WifiPowers {
  double idle = 0.82;
  double tx = 1.14;
  double rx = 0.94;
  double control = 0.0036;
};

struct WifiEnergy {
  double dynamic_j = 0;
  double static_j = 0;
};

/// SimGrid's WiFi energy model over a run of `seconds` with `busy` seconds of airtime in
/// a cell of `stations` stations: beacons (control x stations x Prx) all the time; while
/// busy, one sender (Ptx) and every station listening (stations x Prx); while idle, every
/// station and the access point at Pidle outside the beacons.
[[nodiscard]] WifiEnergy wifi_energy(const WifiPowers& powers, int stations, double seconds, double busy);

class WifiAirtime {
public:
  /// A transfer over the cell started; it transmits from `transmit_from` on (its start
  /// plus its route's latency).
  void transfer_started(double transmit_from);
  /// A transfer that started transmitting (or would have) at `transmit_from` ended at
  /// `now` (done, or cancelled).
  void transfer_ended(double transmit_from, double now);
  /// Airtime up to `now` (no earlier than the last event).
  [[nodiscard]] double busy(double now);

private:
  void advance(double now);

  std::multiset<double> pending_; // transmissions not begun yet (in their latency phase)
  std::uint32_t transmitting_ = 0;
  double busy_since_ = 0;
  double busy_ = 0;
};

} // namespace edgesim
