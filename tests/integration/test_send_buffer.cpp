// Bounded network buffers (hosts.<h>.send_buffer): a transfer that finds its sender's
// interface holding send_buffer transfers is lost with reason 4 (network buffer full).
// On one link shared by concurrent transfers (SimGrid's max-min sharing: processor
// sharing) with deterministic sizes, the number of transfers in flight is that of an
// M/G/1/K-PS queue, insensitive to the size law: loss and mean transfer time are those
// of M/M/1/K with K = send_buffer. Without a buffer nothing is lost at the link.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"
#include "queueing/mm1k.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace edgesim {
namespace {

constexpr int kReplications = 8;
constexpr double kStudentT = 5.408; // 7 degrees of freedom, 1 - 0.001 / 2
constexpr double kRate = 6.0;       // requests/s
constexpr double kBytes = 1e5;      // input bytes: 0.1 s alone on the 1e6 B/s link
constexpr int kSendBuffer = 3;

std::string scenario(const test::TempDir& dir, const std::string& send_buffer_line) {
  const std::string model = dir.write("m.toml", fmt::format(R"(name = "m"
input_bytes = {}
final = {{ accuracy = 0.9 }}
layers = [ {{ name = "l", flops = 1, out_bytes = 0 }} ]
)",
                                                            kBytes));
  return dir.write("s.toml", fmt::format(R"([simulation]
duration = "4000s"
warmup = "20s"
sample_every = "100000s"

[platform]
file = "{}/platforms/link-lab.xml"

[hosts.s1]
{}

[hosts.s2]
buffer = 100000

[[tenants]]
name = "t"
model = "{}"
source = "s1"
arrival = {{ process = "poisson", rate = {} }}

[placement]
policy = "manual"
fragments = [ {{ layers = "0-", host = "s2" }} ]
)",
                                         EDGESIM_TEST_DATA, send_buffer_line, model, kRate));
}

struct Interval {
  double mean = 0;
  double half_width = 0;
  [[nodiscard]] bool holds(double exact) const { return std::abs(mean - exact) <= half_width + 0.01 * exact; }
};

Interval interval(const std::vector<double>& x) {
  const auto n = static_cast<double>(x.size());
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double ss = 0;
  for (double v : x)
    ss += (v - mean) * (v - mean);
  return {mean, kStudentT * std::sqrt(ss / (n - 1) / n)};
}

TEST(SendBuffer, SaturatedLinkLosesWithReasonFourAsMM1KPs) {
  test::TempDir dir;
  const std::string file = scenario(dir, fmt::format("send_buffer = {}", kSendBuffer));
  const double mu = 1e6 / kBytes; // transfers per second the link completes alone
  const auto exact = queueing::solve_mm1k(kRate, mu, kSendBuffer);
  std::vector<double> loss;
  std::vector<double> latency;
  for (int rep = 1; rep <= kReplications; ++rep) {
    const std::string out = dir.file(fmt::format("r{}.h5", rep));
    const auto result = test::run_edgesim({"run", file, "-q", "--json", "--seed", std::to_string(rep), "-o", out});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    loss.push_back(test::json_field(result.out, "t", "loss_ratio"));
    latency.push_back(test::json_field(result.out, "t", "latency_mean"));
    if (rep == 1) {
      int lost = 0;
      for (const RequestRecord& r : io::read_requests(out)) {
        if (r.exit >= 0)
          continue;
        ++lost;
        EXPECT_EQ(r.reason, static_cast<std::uint8_t>(LossReason::NetworkFull));
        EXPECT_EQ(r.lost_at, 0) << "lost at the sender, host s1";
      }
      EXPECT_GT(lost, 1000);
    }
  }
  const Interval l = interval(loss), t = interval(latency);
  EXPECT_TRUE(l.holds(exact.loss_probability)) << l.mean << " ± " << l.half_width << " vs " << exact.loss_probability;
  EXPECT_TRUE(t.holds(exact.mean_response_time))
      << t.mean << " ± " << t.half_width << " vs " << exact.mean_response_time;
}

TEST(SendBuffer, UnboundedByDefaultAndAnInvalidValueIsAnInputError) {
  test::TempDir dir;
  const auto result = test::run_edgesim({"run", scenario(dir, ""), "-q", "--json", "-o", dir.file("r.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(test::json_field(result.out, "t", "lost"), 0.0);
  const auto bad = test::run_edgesim({"check", scenario(dir, "send_buffer = -1")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("hosts.s1.send_buffer: expected transfers the network interface holds"), std::string::npos)
      << bad.err;
}

} // namespace
} // namespace edgesim
