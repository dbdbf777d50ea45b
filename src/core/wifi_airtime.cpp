#include "core/wifi_airtime.hpp"

namespace edgesim {

WifiEnergy wifi_energy(const WifiPowers& p, int stations, double seconds, double busy) {
  const double n = stations;
  const double idle = seconds - busy;
  return WifiEnergy{.dynamic_j = seconds * p.control * n * p.rx + busy * (n * p.rx + p.tx),
                    .static_j = idle * (1 - p.control) * p.idle * (n + 1)};
}

void WifiAirtime::advance(double now) {
  // Transmissions whose latency phase is over by now begin, in time order.
  while (!pending_.empty() && *pending_.begin() <= now) {
    if (transmitting_++ == 0)
      busy_since_ = *pending_.begin();
    pending_.erase(pending_.begin());
  }
}

void WifiAirtime::transfer_started(double transmit_from) {
  pending_.insert(transmit_from);
}

void WifiAirtime::transfer_ended(double transmit_from, double now) {
  advance(now);
  if (auto it = pending_.find(transmit_from); it != pending_.end() && transmit_from > now) {
    pending_.erase(it); // cancelled during its latency phase: it never transmitted
    return;
  }
  if (--transmitting_ == 0)
    busy_ += now - busy_since_;
}

double WifiAirtime::busy(double now) {
  advance(now);
  return busy_ + (transmitting_ > 0 ? now - busy_since_ : 0.0);
}

} // namespace edgesim
