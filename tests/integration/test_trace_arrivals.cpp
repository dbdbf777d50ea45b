// Trace-driven arrivals: throughput is served per second of the time requests arrived
// over. A trace shorter than the run measures up to its last arrival (a 100 s trace in a
// 200 s run is not half as fast); `all` spans the longest tenant window.
#include "cli_runner.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>

namespace edgesim {
namespace {

constexpr int kArrivals = 200; // one every 0.5 s: the last at 99.5 s
constexpr double kPeriod = 0.5;
constexpr double kWarmup = 1.0; // tiny.toml's
constexpr double kDuration = 200;

std::string write_trace(const test::TempDir& dir) {
  std::string text = "time\n";
  for (int i = 0; i < kArrivals; ++i)
    text += fmt::format("{}\n", i * kPeriod);
  return dir.write("arrivals.csv", text);
}

TEST(TraceArrivals, ThroughputWindowEndsAtTheTracesLastArrival) {
  test::TempDir dir;
  const std::string trace = write_trace(dir);
  const auto result =
      test::run_edgesim({"run", EDGESIM_TEST_DATA "/scenarios/tiny.toml", "--json", "-q", "--no-trace", "-o",
                         dir.file("out.h5"), "--set", fmt::format("simulation.duration={}", kDuration), "--set",
                         fmt::format("tenants.0.arrival={{process=\"trace\", file=\"{}\"}}", trace)});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const double served = test::json_field(result.out, "t", "served");
  const double last_arrival = (kArrivals - 1) * kPeriod;
  EXPECT_GT(served, 0.95 * (kArrivals - 2)); // a light load: nearly all served
  EXPECT_DOUBLE_EQ(test::json_field(result.out, "t", "throughput"), served / (last_arrival - kWarmup));
  EXPECT_NEAR(test::json_field(result.out, "t", "throughput"), 1 / kPeriod, 0.05 / kPeriod);
  EXPECT_DOUBLE_EQ(test::json_field(result.out, "all", "throughput"), served / (last_arrival - kWarmup));
}

TEST(TraceArrivals, AllSpansTheLongestTenantWindow) {
  test::TempDir dir;
  const std::string trace = write_trace(dir);
  // A second tenant with Poisson arrivals over the whole run.
  const std::string scenario = dir.write("s.toml", fmt::format(R"([simulation]
seed = 3
duration = "{}s"
warmup = "{}s"

[platform]
file = "{}/scenarios/tiny.xml"

[hosts.default]
buffer = 50

[[tenants]]
name = "traced"
model = "{}/scenarios/tiny-model.toml"
source = "small-1"
arrival = {{ process = "trace", file = "{}" }}

[[tenants]]
name = "steady"
model = "{}/scenarios/tiny-model.toml"
source = "small-1"
arrival = {{ process = "poisson", rate = 1.0 }}

[placement]
policy = "manual"
fragments = [ {{ layers = "0-", host = "big-1" }} ]
)",
                                                               kDuration, kWarmup, EDGESIM_TEST_DATA, EDGESIM_TEST_DATA,
                                                               trace, EDGESIM_TEST_DATA));
  const auto result = test::run_edgesim({"run", scenario, "--json", "-q", "--no-trace", "-o", dir.file("out.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const double traced = test::json_field(result.out, "traced", "served");
  const double steady = test::json_field(result.out, "steady", "served");
  const double last_arrival = (kArrivals - 1) * kPeriod;
  EXPECT_DOUBLE_EQ(test::json_field(result.out, "traced", "throughput"), traced / (last_arrival - kWarmup));
  EXPECT_DOUBLE_EQ(test::json_field(result.out, "steady", "throughput"), steady / (kDuration - kWarmup));
  EXPECT_DOUBLE_EQ(test::json_field(result.out, "all", "throughput"), (traced + steady) / (kDuration - kWarmup));
}

} // namespace
} // namespace edgesim
