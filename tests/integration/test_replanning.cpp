// Run-time re-planning and /placements on tests/data/platforms/split-lab.xml: a 1 Gflop/s
// camera and a 10 Gflop/s server behind an uplink whose bandwidth falls from 100 MB/s
// to 2 MB/s at 54.5 s and to 100 kB/s at 114.5 s. A four-layer model (100 Mflop each;
// input 500 kB, activations 300, 100, 20 and 10 kB) is re-placed every 10.02 s by
// splitplace's layer-wise arm (the best single cut). Latency of a cut keeping c layers
// on the camera: its layers at 100 ms each, then the activation over the uplink (1 ms +
// bytes / bandwidth), then the rest on the server at 10 ms each:
//   100 MB/s: c = 0 takes 1 + 5 + 40 = 46 ms (c = 1: 134 ms)
//     2 MB/s: c = 2 takes 200 + 1 + 50 + 20 = 271 ms (c = 1: 281 ms, c = 3: 321 ms)
//   100 kB/s: c = 4 takes 400 ms on the camera (c = 3: 511 ms)
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <edgesim/results.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace edgesim {
namespace {

std::string online_split(const test::TempDir& dir, const std::string& policy) {
  return dir.write("online.toml", fmt::format(R"([simulation]
duration = "170s"

[platform]
file = "{0}/platforms/split-lab.xml"

[[tenants]]
name = "cam"
source = "cam"
arrival = {{ process = "periodic", rate = 1 }}
model = {{ name = "chain4", input_bytes = 500000, final = {{ accuracy = 0.9 }}, layers = [
  {{ name = "l0", flops = 1e8, out_bytes = 300000 }},
  {{ name = "l1", flops = 1e8, out_bytes = 100000 }},
  {{ name = "l2", flops = 1e8, out_bytes = 20000 }},
  {{ name = "l3", flops = 1e8, out_bytes = 10000 }} ] }}

[placement]
{1}
replan_every = "10.02s"

[[dynamics.links]]
link = "uplink"
bandwidth = [ ["0s", "100MBps"], ["54.5s", "2MBps"], ["114.5s", "100kBps"] ]
)",
                                              EDGESIM_TEST_DATA, policy));
}

// Layers kept on the camera by each placement version, and when it took effect.
struct Version {
  double time = 0;
  std::size_t on_camera = 0;
  std::vector<PlacementRecord> fragments;
};

std::map<std::uint32_t, Version> versions_of(const std::vector<PlacementRecord>& rows) {
  std::map<std::uint32_t, Version> versions;
  for (const auto& row : rows) {
    Version& v = versions[row.placement];
    v.time = row.time;
    v.fragments.push_back(row);
    if (row.host == "cam")
      v.on_camera += row.last_layer - row.first_layer + 1;
  }
  return versions;
}

TEST(Replanning, CutMovesTowardsTheSourceAsBandwidthFalls) {
  test::TempDir dir;
  auto result = test::run_edgesim(
      {"run", online_split(dir, "policy = \"splitplace\"\nmode = \"layer\""), "-q", "-o", dir.file("o.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto versions = versions_of(io::read_placements(dir.file("o.h5")));
  ASSERT_EQ(versions.size(), 3U) << "one initial placement and two changes";
  EXPECT_DOUBLE_EQ(versions.at(0).time, 0.0);
  EXPECT_EQ(versions.at(0).on_camera, 0U) << "100 MB/s: everything on the server";
  EXPECT_NEAR(versions.at(1).time, 60.12, 1e-9) << "first re-planning after the drop to 2 MB/s";
  EXPECT_EQ(versions.at(1).on_camera, 2U);
  ASSERT_EQ(versions.at(1).fragments.size(), 2U);
  EXPECT_EQ(versions.at(1).fragments[0].host, "cam");
  EXPECT_EQ(versions.at(1).fragments[0].last_layer, 1U);
  EXPECT_EQ(versions.at(1).fragments[1].host, "server");
  EXPECT_EQ(versions.at(1).fragments[1].first_layer, 2U);
  EXPECT_NEAR(versions.at(2).time, 120.24, 1e-9);
  EXPECT_EQ(versions.at(2).on_camera, 4U) << "100 kB/s: everything on the camera";
  for (const auto& [version, v] : versions)
    for (const auto& f : v.fragments)
      EXPECT_EQ(f.branches, 1U);
}

TEST(Replanning, RequestsFinishOnThePlacementTheyWereAdmittedUnder) {
  test::TempDir dir;
  auto result = test::run_edgesim(
      {"run", online_split(dir, "policy = \"splitplace\"\nmode = \"layer\""), "-q", "-o", dir.file("o.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto requests = io::read_requests(dir.file("o.h5"));
  ASSERT_EQ(requests.size(), 170U);
  int straddling = 0;
  for (const auto& r : requests) {
    ASSERT_EQ(r.reason, 0) << "request " << r.id;
    // Version in force at admission.
    const std::uint32_t expected_version = r.arrival < 60.12 ? 0 : r.arrival < 120.24 ? 1 : 2;
    EXPECT_EQ(r.placement, expected_version) << "request " << r.id << " arriving at " << r.arrival;
    double latency = 0;
    if (r.placement == 0)
      latency = r.arrival < 54.5 ? 0.046 : 0.001 + 0.25 + 0.04; // input over 100 MB/s or 2 MB/s, then the server
    else if (r.placement == 1)
      latency =
          r.arrival < 114.5 ? 0.2 + 0.001 + 0.05 + 0.02 : 0.2 + 0.001 + 1.0 + 0.02; // 100 kB at 2 MB/s or 100 kB/s
    else
      latency = 0.4;
    EXPECT_NEAR(r.latency, latency, 1e-9)
        << "request " << r.id << " arriving at " << r.arrival << " (placement " << r.placement << ")";
    // Admitted before a change, finished after it: it still ran where it was placed.
    if ((r.placement == 0 && r.finish > 60.12) || (r.placement == 1 && r.finish > 120.24))
      ++straddling;
  }
  EXPECT_EQ(straddling, 2) << "the requests arriving at 60 s and 120 s straddle the changes";
}

} // namespace
} // namespace edgesim
