// Measured per-layer latency (docs/calibration.md): one request alone on the Pi 4B of
// platforms/devices.xml must take exactly the sum of its layers' measured latencies
// (and of the FLOPs model's time for the one unmeasured layer), scaled by the
// measurement's rule at another pstate or thread count; /meta/layer_latency names the
// source each (layer, host) pair used.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace edgesim {
namespace {

// Pi 4B per-core speeds of pstates 0 and 1 (platforms/devices.xml) and its cores.
constexpr double kSpeed0 = 5.148e9;
constexpr double kSpeed1 = 3.432e9;
constexpr int kCores = 4;
constexpr double kUnmeasuredFlops = 4.0e8;
constexpr double kEfficiency = 0.5;
// Measured latencies (s) of layers 0, 1, 3 and of the exit head after layer 1.
constexpr double kL0 = 0.0041, kL1 = 0.0123, kL3 = 0.0007, kExit = 0.0009;
// Whole-model speed-up at 1, 2 and 4 threads.
constexpr double kSpeedup2 = 1.8, kSpeedup4 = 3.0;

const char* kModel = R"(name = "measured-probe"
input_bytes = 1000
[efficiency]
rpi4b = 0.5
[measurement.rpi4b]
pstate = 0
threads = 4
scaling = [[1, 1.0], [2, 1.8], [4, 3.0]]
model_latency = "18ms"
source = "test figures"
[[layers]]
name = "a"
type = "conv"
flops = 1e9
out_bytes = 100
latency = { rpi4b = "4.1ms" }
[[layers]]
name = "b"
type = "conv"
flops = 1e9
out_bytes = 100
latency = { rpi4b = 0.0123 }
[[layers]]
name = "c"
type = "fc"
flops = 4e8
out_bytes = 100
[[layers]]
name = "d"
type = "fc"
flops = 1e9
out_bytes = 10
latency = { rpi4b = "700us", jetson_nano = "0.2ms" }
[[exits]]
after = "b"
flops = 1e6
accuracy = 0.5
latency = { rpi4b = "0.9ms" }
[measurement.jetson_nano]
threads = 1
[final]
accuracy = 0.7
)";

struct Probe {
  test::TempDir dir;
  std::string scenario;

  explicit Probe(const std::string& extra) {
    dir.write("model.toml", kModel);
    scenario = dir.write("one.toml", fmt::format(R"([simulation]
requests = 1
duration = "1000s"

[platform]
file = "{0}/platforms/devices.xml"

[[tenants]]
name = "probe"
model = "{1}"
source = "rpi4b"
input_bytes = 0
arrival = {{ process = "periodic", rate = 0.01 }}
{2}
)",
                                                 EDGESIM_SOURCE_DIR, dir.file("model.toml"), extra));
  }

  [[nodiscard]] double latency(const std::vector<std::string>& sets = {}) const {
    std::vector<std::string> args{"run", scenario, "-q", "-o", dir.file("one.h5")};
    for (const auto& s : sets) {
      args.emplace_back("--set");
      args.push_back(s);
    }
    const auto result = test::run_edgesim(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    const auto requests = io::read_requests(dir.file("one.h5"));
    EXPECT_EQ(requests.size(), 1u);
    return requests.empty() ? 0.0 : requests.front().latency;
  }
};

double flops_model_seconds(double flops, int threads, double speed) {
  return flops / (threads * speed * kEfficiency);
}

TEST(MeasuredLatency, OneRequestTakesTheSumOfMeasuredLatencies) {
  const Probe probe("[exits]\npolicy = \"none\"\n");
  const double expected = kL0 + kL1 + kL3 + flops_model_seconds(kUnmeasuredFlops, kCores, kSpeed0);
  EXPECT_NEAR(probe.latency(), expected, 1e-12 * expected);
}

TEST(MeasuredLatency, ExitClassifierTakesItsMeasuredLatency) {
  const Probe probe("[exits]\npolicy = \"fixed-exit\"\nexit = 0\n");
  const double expected = kL0 + kL1 + kExit;
  EXPECT_NEAR(probe.latency(), expected, 1e-12 * expected);
}

TEST(MeasuredLatency, OtherPstateScalesBySpeedRatio) {
  const Probe probe("[exits]\npolicy = \"none\"\n");
  const double expected =
      (kL0 + kL1 + kL3) * kSpeed0 / kSpeed1 + flops_model_seconds(kUnmeasuredFlops, kCores, kSpeed1);
  const double simulated = probe.latency({"hosts.rpi4b.pstate=1"});
  EXPECT_NEAR(simulated, expected, 1e-12 * expected);
}

TEST(MeasuredLatency, FewerThreadsScaleByTheSpeedupCurve) {
  // Two servers on a 4-core host: each request runs with 2 threads.
  const Probe probe("[exits]\npolicy = \"none\"\n");
  const double expected = (kL0 + kL1 + kL3) * kSpeedup4 / kSpeedup2 + flops_model_seconds(kUnmeasuredFlops, 2, kSpeed0);
  EXPECT_NEAR(probe.latency({"hosts.rpi4b.servers=2"}), expected, 1e-12 * expected);
}

TEST(MeasuredLatency, MetaRecordsTheSourceOfEveryLayerOnEveryHost) {
  const Probe probe("[exits]\npolicy = \"none\"\n");
  (void)probe.latency();
  const auto rows = io::read_layer_latency(probe.dir.file("one.h5"));
  const auto hosts = io::read_hosts(probe.dir.file("one.h5"));
  ASSERT_EQ(rows.size(), 4 * hosts.size());
  int measured = 0;
  for (const auto& row : rows) {
    const std::string& host = hosts.at(static_cast<std::size_t>(row.host)).name;
    SCOPED_TRACE(host + " " + row.layer_name);
    const bool expect_measured =
        (host == "rpi4b" && row.layer_name != "c") || (host == "jetson_nano" && row.layer_name == "d");
    EXPECT_EQ(row.source, expect_measured ? 1 : 0);
    measured += row.source;
    if (host == "rpi4b" && row.layer_name == "a")
      EXPECT_NEAR(row.seconds, kL0, 1e-15);
    if (host == "rpi4b" && row.layer_name == "c")
      EXPECT_NEAR(row.seconds, flops_model_seconds(kUnmeasuredFlops, kCores, kSpeed0), 1e-15);
    if (host == "jetson_nano" && row.layer_name == "d")
      EXPECT_NEAR(row.seconds, 0.0002, 1e-15);
  }
  EXPECT_EQ(measured, 4);
}

TEST(MeasuredLatency, LatencyWithoutMeasurementTableIsAnInputError) {
  test::TempDir dir;
  std::string model = kModel;
  const std::string jetson_reference = "[measurement.jetson_nano]\nthreads = 1\n";
  model.replace(model.find(jetson_reference), jetson_reference.size(), "");
  dir.write("model.toml", model);
  const std::string scenario = dir.write("s.toml", fmt::format(R"([simulation]
requests = 1
[platform]
file = "{0}/platforms/devices.xml"
[[tenants]]
name = "probe"
model = "{1}"
source = "rpi4b"
arrival = {{ process = "periodic", rate = 1 }}
)",
                                                               EDGESIM_SOURCE_DIR, dir.file("model.toml")));
  const auto result = test::run_edgesim({"check", scenario});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("measurement.jetson_nano"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("model.toml"), std::string::npos) << result.err;
}

} // namespace
} // namespace edgesim
