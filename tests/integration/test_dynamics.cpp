// Platform dynamics on tests/data/platforms/dynamics-lab.xml (1 Gflop/s hosts, round
// link figures, CM02): a link override set with --set, a bandwidth step profile and a
// host going down and up, each checked against latencies computed by hand.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <edgesim/results.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

namespace edgesim {
namespace {

constexpr std::uint8_t kServed = 0;
constexpr std::uint8_t kHostDown = 3;
constexpr std::int32_t kEdgeA = 1; // hosts sorted by name: cam, edge-a, edge-b

// One tenant on cam sending 100 kB inputs to edge-a, which runs a 10 Mflop model (10 ms).
std::string lab_scenario(const test::TempDir& dir, const std::string& extra, const std::string& simulation) {
  return dir.write("lab.toml", fmt::format(R"([simulation]
{0}

[platform]
file = "{1}/platforms/dynamics-lab.xml"

[[tenants]]
name = "t"
source = "cam"
arrival = {{ process = "periodic", rate = 10 }}
model = {{ name = "m", input_bytes = 100000, final = {{ accuracy = 0.9 }}, layers = [ {{ name = "l", flops = 1e7, out_bytes = 0 }} ] }}

[placement]
policy = "manual"
fragments = [ {{ layers = "0-", host = "edge-a" }} ]
{2}
)",
                                           simulation, EDGESIM_TEST_DATA, extra));
}

TEST(Dynamics, LinkOverrideFromSetChangesLatencyExactly) {
  test::TempDir dir;
  const std::string scenario = lab_scenario(dir, "", "requests = 5");
  // Alone on up-a (10 MB/s, 1 ms): 1 ms + 100 kB / 10 MB/s + 10 ms = 21 ms.
  auto base = test::run_edgesim({"run", scenario, "-q", "--json", "-o", dir.file("a.h5")});
  ASSERT_EQ(base.exit_code, 0) << base.err;
  EXPECT_NEAR(test::json_field(base.out, "t", "latency_mean"), 0.021, 1e-9);
  // Overridden to 2 MB/s and 5 ms: 5 ms + 50 ms + 10 ms = 65 ms.
  auto slow = test::run_edgesim({"run", scenario, "-q", "--json", "-o", dir.file("b.h5"), "--set",
                                 "links.up-a.bandwidth=\"2MBps\"", "--set", "links.up-a.latency=5ms"});
  ASSERT_EQ(slow.exit_code, 0) << slow.err;
  EXPECT_NEAR(test::json_field(slow.out, "t", "latency_mean"), 0.065, 1e-9);
}

TEST(Dynamics, UnknownOrWifiLinkIsAnInputError) {
  test::TempDir dir;
  const std::string scenario = lab_scenario(dir, "", "requests = 5");
  auto result = test::run_edgesim({"check", scenario, "--set", "links.nope.bandwidth=\"2MBps\""});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("links.nope: expected the name of a link of platform"), std::string::npos) << result.err;
  const std::string bad_host =
      lab_scenario(dir, "[[dynamics.hosts]]\nhost = \"ghost\"\navailable = [[0, false]]\n", "requests = 5");
  result = test::run_edgesim({"check", bad_host});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("dynamics.hosts.0.host: expected the name of a host"), std::string::npos) << result.err;
}

TEST(Dynamics, BandwidthProfileAndHostOutage) {
  test::TempDir dir;
  // up-a drops to 1 MB/s at 3 s and recovers at 6.05 s; edge-a is down from 4.005 s to
  // 5 s. Requests arrive every 100 ms from 0.1 s.
  const std::string scenario = lab_scenario(dir, R"([[dynamics.links]]
link = "up-a"
bandwidth = [ ["0s", "10MBps"], ["3s", "1MBps"], ["6.05s", "10MBps"] ]

[[dynamics.hosts]]
host = "edge-a"
available = [ ["0s", true], ["4.005s", false], ["5s", true] ]
)",
                                            "duration = \"8s\"");
  auto result = test::run_edgesim({"run", scenario, "-q", "-o", dir.file("d.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto requests = io::read_requests(dir.file("d.h5"));
  ASSERT_EQ(requests.size(), 80U);
  int lost = 0;
  for (const auto& r : requests) {
    if (r.arrival < 2.95) {
      EXPECT_EQ(r.reason, kServed);
      EXPECT_NEAR(r.latency, 0.021, 1e-9) << "request " << r.id << ": 1 ms + 100 kB / 10 MB/s + 10 ms";
    } else if (r.arrival > 3.05 && r.arrival < 3.85) {
      EXPECT_EQ(r.reason, kServed);
      EXPECT_NEAR(r.latency, 0.111, 1e-9) << "request " << r.id << ": 1 ms + 100 kB / 1 MB/s + 10 ms";
    } else if (r.arrival > 3.85 && r.arrival < 4.85) {
      // 3.9 s: computing on edge-a (4.001-4.011 s) when it goes down at 4.005 s;
      // 4.0 s: its input on the way; later ones reach edge-a while it is down.
      EXPECT_EQ(r.reason, kHostDown) << "request " << r.id << " arriving at " << r.arrival;
      EXPECT_EQ(r.lost_at, kEdgeA);
      EXPECT_TRUE(std::isnan(r.latency));
      ++lost;
    } else if (r.arrival > 4.85 && r.arrival < 5.95) {
      EXPECT_EQ(r.reason, kServed) << "request " << r.id << ": its input reaches edge-a after it is back at 5 s";
      EXPECT_NEAR(r.latency, 0.111, 1e-9);
    } else if (r.arrival > 6.15) {
      EXPECT_NEAR(r.latency, 0.021, 1e-9) << "request " << r.id;
    }
  }
  EXPECT_EQ(lost, 10);
  const auto hosts = io::read_hosts(dir.file("d.h5"));
  EXPECT_NEAR(hosts[static_cast<std::size_t>(kEdgeA)].down_at, 4.005, 1e-9);
  EXPECT_EQ(hosts[static_cast<std::size_t>(kEdgeA)].lost, 10U);
}

} // namespace
} // namespace edgesim
