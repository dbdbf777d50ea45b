// Measured per-layer latency in model files: the [measurement.<class>] reference, the
// per-layer and per-exit `latency` tables, `type`, the speed-up curve and the work an
// exec needs for a measured latency (docs/calibration.md).
#include "model/model_loader.hpp"

#include <edgesim/error.hpp>
#include <edgesim/model.hpp>
#include <edgesim/policy.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using edgesim::InputError;
using edgesim::LatencyMeasurement;
using edgesim::parse_model;

const std::string kHead = R"(name = "m"
input_bytes = 10
[final]
accuracy = 0.5
)";

std::string error_of(const std::string& text) {
  try {
    (void)parse_model(text, "m.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(MeasuredLatencyModel, ParsesLatencyTypeAndMeasurement) {
  const auto model = parse_model(kHead + R"(
[measurement.rpi4b]
pstate = 1
threads = 4
scaling = [[1, 1.0], [2, 1.9], [4, 3.2]]
model_latency = "20ms"
source = "bench"
[[layers]]
name = "a"
type = "depthwise"
flops = 1
out_bytes = 1
latency = { rpi4b = "4.5ms" }
[[layers]]
name = "b"
flops = 1
out_bytes = 1
[[exits]]
after = "a"
flops = 1
accuracy = 0.3
latency = { rpi4b = 0.001 }
)",
                                 "m.toml");
  ASSERT_EQ(model.layers.size(), 2u);
  EXPECT_EQ(model.layers[0].type, "depthwise");
  EXPECT_EQ(model.layers[1].type, "other");
  EXPECT_DOUBLE_EQ(model.measured_layer_latency(0, "rpi4b").value(), 0.0045);
  EXPECT_FALSE(model.measured_layer_latency(1, "rpi4b").has_value());
  EXPECT_FALSE(model.measured_layer_latency(0, "jetson_nano").has_value());
  EXPECT_DOUBLE_EQ(model.measured_exit_latency(0, "rpi4b").value(), 0.001);
  const LatencyMeasurement* m = model.measurement_on("rpi4b");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->pstate, 1);
  EXPECT_EQ(m->threads, 4);
  ASSERT_EQ(m->scaling.size(), 3u);
  EXPECT_DOUBLE_EQ(m->model_latency, 0.02);
  EXPECT_EQ(m->source, "bench");
}

TEST(MeasuredLatencyModel, ErrorsNameTheKeyAndTheExpectation) {
  const std::string layer = "[[layers]]\nname = \"a\"\nflops = 1\nout_bytes = 1\n";
  EXPECT_NE(error_of(kHead + layer + "latency = { rpi4b = \"1ms\" }\n").find("[measurement.rpi4b]"), std::string::npos);
  EXPECT_NE(error_of(kHead + layer + "type = \"lstm\"\n").find("layers.0.type"), std::string::npos);
  EXPECT_NE(error_of(kHead + layer + "latency = { rpi4b = \"-1ms\" }\n[measurement.rpi4b]\nthreads = 1\n")
                .find("layers.0.latency.rpi4b"),
            std::string::npos);
  // The curve must hold the reference thread count and rise in threads.
  EXPECT_NE(error_of(kHead + "[measurement.rpi4b]\nthreads = 4\nscaling = [[1, 1.0], [2, 1.8]]\n" + layer)
                .find("measurement.rpi4b.scaling"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "[measurement.rpi4b]\nthreads = 2\nscaling = [[2, 1.8], [1, 1.0]]\n" + layer)
                .find("measurement.rpi4b.scaling"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "[measurement.rpi4b]\nthreads = 0\n" + layer).find("measurement.rpi4b.threads"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "[measurement.rpi4b]\nthreads = 1\ncores = 2\n" + layer).find("cores"), std::string::npos);
  EXPECT_EQ(error_of(kHead + "[measurement.rpi4b]\nthreads = 1\n" + layer), ""); // a reference nothing uses is fine
}

TEST(MeasuredLatencyModel, SpeedupInterpolatesAndExtrapolatesByAmdahl) {
  LatencyMeasurement linear;
  EXPECT_DOUBLE_EQ(linear.speedup(8), 8.0);
  LatencyMeasurement m;
  m.threads = 2;
  m.scaling = {{1, 1.0}, {2, 1.6}, {4, 2.4}};
  EXPECT_DOUBLE_EQ(m.speedup(1), 1.0);
  EXPECT_DOUBLE_EQ(m.speedup(3), 2.0);
  EXPECT_DOUBLE_EQ(m.speedup(4), 2.4);
  // Amdahl through (4, 2.4): p = (1 - 1/2.4) / (1 - 1/4) = 7/9; S(16) = 1 / (2/9 + 7/144).
  EXPECT_NEAR(m.speedup(16), 1.0 / (2.0 / 9.0 + 7.0 / 144.0), 1e-12);
  EXPECT_LT(m.speedup(16), 1.0 / (2.0 / 9.0)); // bounded by the serial fraction
  EXPECT_DOUBLE_EQ(m.thread_factor(2), 1.0);
  EXPECT_DOUBLE_EQ(m.thread_factor(4), 1.6 / 2.4);
}

TEST(MeasuredLatencyModel, WorkTakesTheLatencyAtTheReferenceAndScalesWithPstate) {
  LatencyMeasurement m;
  m.pstate = 1;
  m.threads = 4;
  const std::vector<double> speeds{2e9, 1e9};
  const double work = edgesim::measured_work_per_thread(m, 0.25, speeds, 4);
  EXPECT_DOUBLE_EQ(work / speeds[1], 0.25); // at the reference pstate
  EXPECT_DOUBLE_EQ(work / speeds[0], 0.125);
  // Policies see the same rule through layer_seconds.
  auto model = parse_model(kHead + "[measurement.c]\npstate = 1\nthreads = 4\n[[layers]]\nname = \"a\"\nflops = "
                                   "1e9\nout_bytes = 1\nlatency = { c = 0.25 }\n[[layers]]\nname = \"b\"\nflops = "
                                   "8e9\nout_bytes = 1\n",
                           "m.toml");
  edgesim::HostInfo host;
  host.device_class = "c";
  host.cores = 2;
  host.speed = 2e9;
  host.pstate_speeds = speeds;
  EXPECT_DOUBLE_EQ(edgesim::layer_seconds(model, 0, host), 0.25 * 2.0 / 1.0 * 1e9 / 2e9); // 2 of 4 threads
  EXPECT_DOUBLE_EQ(edgesim::layer_seconds(model, 1, host), 8e9 / (2 * 2e9));
  EXPECT_DOUBLE_EQ(edgesim::range_seconds(model, 0, 1, host),
                   edgesim::layer_seconds(model, 0, host) + edgesim::layer_seconds(model, 1, host));
}

} // namespace
