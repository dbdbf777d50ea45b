// /timeline rows are interval averages where an instant would be noise: queue_mean (and
// power_w) average the interval before the row's time. Periodic arrivals every second
// (the first at t = 1 s), each served in exactly 0.5 s on an idle host, keep one request
// in the system half of every interval, so every queue_mean from t = 2 s on is 0.5 (0 at
// t = 1 s) while queue_len, sampled at the instant of an arrival (before it), is 0.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>

namespace edgesim {
namespace {

TEST(Timeline, QueueMeanIsTheIntervalAverage) {
  test::TempDir dir;
  const std::string scenario = dir.write("s.toml", fmt::format(R"([simulation]
duration = "20.25s"
warmup = "2s"
sample_every = "1s"

[platform]
file = "{}/platforms/single-host.xml"

[[tenants]]
name = "t"
source = "h"
arrival = {{ process = "periodic", rate = 1.0 }}
model = {{ name = "half-second", input_bytes = 0, final = {{ accuracy = 0.9 }}, exits = [], layers = [ {{ name = "l", flops = 5e8, out_bytes = 0 }} ] }}
)",
                                                               EDGESIM_TEST_DATA));
  const auto result = test::run_edgesim({"run", scenario, "-q", "-o", dir.file("out.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto timeline = io::read_timeline(dir.file("out.h5"));
  ASSERT_GE(timeline.size(), 20U);
  EXPECT_EQ(timeline[1].t, 1.0);
  EXPECT_EQ(timeline[1].queue_mean, 0.0);
  for (std::size_t i = 2; i < timeline.size(); ++i) {
    EXPECT_NEAR(timeline[i].queue_mean, 0.5, 1e-9) << "t = " << timeline[i].t;
    EXPECT_EQ(timeline[i].queue_len, 0) << "t = " << timeline[i].t;
  }
  EXPECT_EQ(io::read_meta(dir.file("out.h5")).warmup_s, 2.0);
}

} // namespace
} // namespace edgesim
