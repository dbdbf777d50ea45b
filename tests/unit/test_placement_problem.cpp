// The placement problem edgesim builds from a probed platform: hosts at the scenario's
// pstate with their power figures, routes (bottleneck bandwidth, summed latency; WiFi
// measured), and the tenant's workload.
#include "core/placement_problem.hpp"
#include "core/platform_probe.hpp"
#include "scenario/scenario_loader.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace edgesim;

const std::string kSource = EDGESIM_SOURCE_DIR;

TEST(PlacementProblem, ProbedRoutesAndPowerOfPiJetsonServer) {
  const PlatformInfo platform = probe_platform(kSource + "/platforms/pi-jetson-server.xml");
  ASSERT_EQ(platform.routes.size(), 6U); // 3 hosts, every ordered pair
  Scenario scenario = load_scenario(kSource + "/scenarios/pi-jetson-server.toml", {"hosts.pi4-1.pstate=1"});
  const PlacementInputs inputs = placement_inputs(platform, scenario);
  const PlacementProblem problem = make_placement_problem(inputs, scenario.tenants[0], 0);

  // Wired: eth-jetson-server, 941 Mb/s and 0.2 ms.
  const RouteInfo* wired = problem.route("jetson-1", "server-1");
  ASSERT_NE(wired, nullptr);
  EXPECT_DOUBLE_EQ(wired->bandwidth_Bps, 941e6 / 8);
  EXPECT_DOUBLE_EQ(wired->latency_s, 0.2e-3);
  // Over the air: the WiFi cell (120 Mb/s, at most) then ap-jetson (940 Mb/s, 1.1 ms).
  const RouteInfo* uplink = problem.route("pi4-1", "jetson-1");
  ASSERT_NE(uplink, nullptr);
  EXPECT_GT(uplink->bandwidth_Bps, 1e6);
  EXPECT_LE(uplink->bandwidth_Bps, 120e6 / 8 * (1 + 1e-9));
  EXPECT_NEAR(uplink->latency_s, 1.1e-3, 1e-9);
  const RouteInfo* to_server = problem.route("pi4-1", "server-1");
  ASSERT_NE(to_server, nullptr);
  EXPECT_NEAR(to_server->latency_s, 1.3e-3, 1e-9);
  EXPECT_NEAR(to_server->bandwidth_Bps, uplink->bandwidth_Bps, 1e-6 * uplink->bandwidth_Bps);
  EXPECT_EQ(problem.route("pi4-1", "pi4-1"), nullptr);
  EXPECT_NEAR(transfer_seconds(*wired, 941e6 / 8), 1.0002, 1e-12);

  // Hosts at the scenario's pstate: pi4-1 at pstate 1 (3.432 Gf/s per core, 2.7/4.344 W).
  const HostInfo* pi = problem.host("pi4-1");
  ASSERT_NE(pi, nullptr);
  EXPECT_DOUBLE_EQ(pi->speed, 3.432e9);
  ASSERT_EQ(pi->pstate_speeds.size(), 4U);
  EXPECT_DOUBLE_EQ(pi->pstate_speeds[0], 5.148e9);
  EXPECT_DOUBLE_EQ(pi->idle_watts, 2.7);
  EXPECT_DOUBLE_EQ(pi->busy_watts, 4.344);
  EXPECT_DOUBLE_EQ(pi->tx_watts, 0.5);
  EXPECT_EQ(pi->cores, 4);
  EXPECT_TRUE(pi->available);
  const HostInfo* server = problem.host("server-1");
  ASSERT_NE(server, nullptr);
  EXPECT_DOUBLE_EQ(server->busy_watts, 150);
  EXPECT_DOUBLE_EQ(server->tx_watts, 0);
  EXPECT_DOUBLE_EQ(server->ram_bytes, 137438953472.0);

  EXPECT_EQ(problem.source_host, scenario.tenants[0].source);
  EXPECT_DOUBLE_EQ(problem.workload.arrival_rate, scenario.tenants[0].arrival.mean_rate());
  EXPECT_DOUBLE_EQ(problem.workload.input_bytes, scenario.tenants[0].input_bytes);
  EXPECT_DOUBLE_EQ(problem.now_s, 0);
  // The cost model: a layer's time on a host is flops / (cores x speed x efficiency).
  const ModelProfile& model = problem.model;
  EXPECT_DOUBLE_EQ(layer_seconds(model, 0, *pi), model.layers[0].flops / (4 * 3.432e9 * model.efficiency_on("rpi4b")));
}

} // namespace
