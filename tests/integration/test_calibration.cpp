// Per-device cost against measured latencies: one request of each model runs alone on
// each board the reference table covers (platforms/devices.xml), and its simulated
// end-to-end latency must be within 15 % of the measured one
// (tests/data/ncnn_reference.csv; docs/calibration.md explains the calibration).
#include "cli_runner.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace edgesim {
namespace {

struct Measurement {
  std::string device_class;
  std::string model;
  double measured_ms = 0;
};

std::vector<Measurement> reference_rows() {
  std::ifstream in(std::string(EDGESIM_TEST_DATA) + "/ncnn_reference.csv");
  std::vector<Measurement> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#')
      continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, ',');)
      fields.push_back(field);
    rows.push_back({fields.at(0), fields.at(1), std::stod(fields.at(6))});
  }
  return rows;
}

TEST(Calibration, SimulatedLatencyWithin15PercentOfMeasured) {
  const auto rows = reference_rows();
  ASSERT_GE(rows.size(), 20u);
  test::TempDir dir;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.device_class + " " + row.model);
    const std::string scenario = dir.write("one.toml", fmt::format(R"([simulation]
requests = 1
duration = "1000s"
trace_requests = false

[platform]
file = "{0}/platforms/devices.xml"

[[tenants]]
name = "probe"
model = "{0}/scenarios/models/{1}.toml"
source = "{2}"
arrival = {{ process = "periodic", rate = 0.01 }}
)",
                                                                   EDGESIM_SOURCE_DIR, row.model, row.device_class));
    auto result = test::run_edgesim({"run", scenario, "-q", "--json", "-o", dir.file("one.h5")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const double simulated_ms = 1e3 * test::json_field(result.out, "all", "latency_mean");
    RecordProperty(row.device_class + "_" + row.model,
                   fmt::format("{:.2f} ms vs {:.2f} ms", simulated_ms, row.measured_ms));
    EXPECT_NEAR(simulated_ms, row.measured_ms, 0.15 * row.measured_ms);
  }
}

} // namespace
} // namespace edgesim
