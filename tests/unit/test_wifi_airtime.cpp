// WiFi airtime and energy (core/wifi_airtime.hpp): the busy airtime is the union of the
// transfers' transmission intervals, a transfer cancelled in its latency phase never
// transmits, and the energy follows SimGrid's WiFi model term by term.
#include "core/wifi_airtime.hpp"

#include <gtest/gtest.h>

namespace edgesim {
namespace {

TEST(WifiAirtime, OverlappingTransmissionsCountOnce) {
  WifiAirtime air;
  air.transfer_started(1.0); // started at 0.9 with 0.1 s latency
  air.transfer_started(1.5);
  air.transfer_ended(1.0, 2.0);
  air.transfer_ended(1.5, 3.0);
  air.transfer_started(5.0);
  air.transfer_ended(5.0, 5.5);
  EXPECT_DOUBLE_EQ(air.busy(10.0), 2.0 + 0.5);
}

TEST(WifiAirtime, LatencyPhaseIsNotAirtime) {
  WifiAirtime air;
  air.transfer_started(2.0); // a transfer started at 1.0 whose route has 1 s latency
  EXPECT_DOUBLE_EQ(air.busy(1.5), 0.0);
  air.transfer_ended(2.0, 2.25);
  EXPECT_DOUBLE_EQ(air.busy(3.0), 0.25);
}

TEST(WifiAirtime, TransferCancelledBeforeTransmittingAddsNothing) {
  WifiAirtime air;
  air.transfer_started(4.0);
  air.transfer_started(1.0);
  air.transfer_ended(4.0, 3.0); // its host went down during its latency phase
  air.transfer_ended(1.0, 2.0);
  EXPECT_DOUBLE_EQ(air.busy(10.0), 1.0);
}

TEST(WifiAirtime, BusyUpToNowWhileTransmitting) {
  WifiAirtime air;
  air.transfer_started(1.0);
  EXPECT_DOUBLE_EQ(air.busy(3.0), 2.0);
}

TEST(WifiEnergy, FollowsSimGridsWifiModel) {
  const WifiPowers p{.idle = 0.8, .tx = 1.2, .rx = 1.0, .control = 0.01};
  // 2 stations, 100 s, 10 s busy.
  const WifiEnergy e = wifi_energy(p, 2, 100.0, 10.0);
  EXPECT_DOUBLE_EQ(e.dynamic_j, 100.0 * 0.01 * 2 * 1.0 + 10.0 * (2 * 1.0 + 1.2));
  EXPECT_DOUBLE_EQ(e.static_j, 90.0 * 0.99 * 0.8 * 3);
  const WifiEnergy radio_only = wifi_energy(WifiPowers{.idle = 0, .tx = 0.5, .rx = 0.3, .control = 0}, 1, 200.0, 50.0);
  EXPECT_DOUBLE_EQ(radio_only.dynamic_j, 50.0 * 0.8);
  EXPECT_DOUBLE_EQ(radio_only.static_j, 0.0);
}

} // namespace
} // namespace edgesim
