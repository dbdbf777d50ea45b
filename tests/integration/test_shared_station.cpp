// Shared device stations (hosts.<h>.station = "shared"): one station per host holds the
// fragments of every tenant on it, with one K for all of them.
// - FCFS, two classes of exponential service on one server: loss and each class's mean
//   response time match the exact multi-class CTMC (queueing/multiclass_fcfs).
// - Processor sharing, deterministic service: the number in system is insensitive to
//   the service law, so loss and per-class response times are those of M/M/1/K at the
//   total load (per class in proportion to its load).
// Both classes arrive over the same window (a duration, not a request count). Ten
// replications each; a 99.9 % Student-t interval around their mean must hold the
// exact value, widened by 1 % for the finite runs' start-up bias.
#include "cli_runner.hpp"

#include "queueing/mm1k.hpp"
#include "queueing/multiclass_fcfs.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace edgesim {
namespace {

constexpr int kReplications = 10;
constexpr double kStudentT = 4.781; // 9 degrees of freedom, 1 - 0.001 / 2
constexpr double kSpeed = 1e9;      // queue-lab.xml s1: 1 Gflop/s, one core
constexpr int kK = 4;
const std::vector<double> kRates{4.0, 3.0};
const std::vector<double> kMeanService{0.05, 0.2}; // rho = 0.2 + 0.6

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

std::string scenario(const test::TempDir& dir, const std::string& work, const std::string& discipline) {
  std::string tenants;
  for (std::size_t c = 0; c < kRates.size(); ++c) {
    const std::string model = dir.write(fmt::format("m{}.toml", c), fmt::format(R"(name = "m{}"
input_bytes = 0
final = {{ accuracy = 0.9 }}
layers = [ {{ name = "l", flops = {}, out_bytes = 0 }} ]
)",
                                                                                c, kMeanService[c] * kSpeed));
    tenants += fmt::format(R"(
[[tenants]]
name = "c{}"
source = "s1"
work = "{}"
arrival = {{ process = "poisson", rate = {} }}
model = "{}"
)",
                           c, work, kRates[c], model);
  }
  return dir.write("shared.toml", fmt::format(R"([simulation]
duration = "5000s"
warmup = "20s"
sample_every = "100000s"
trace_requests = false

[platform]
file = "{}/platforms/queue-lab.xml"

[hosts.default]
buffer = {}
station = "shared"
discipline = "{}"
{}
)",
                                              EDGESIM_TEST_DATA, kK, discipline, tenants));
}

struct Measured {
  std::vector<std::vector<double>> loss, response; // [class][replication]
};

Measured replicate(const std::string& file) {
  Measured m;
  m.loss.resize(kRates.size());
  m.response.resize(kRates.size());
  test::TempDir out;
  for (int rep = 1; rep <= kReplications; ++rep) {
    const auto result =
        test::run_edgesim({"run", file, "-q", "--json", "--seed", std::to_string(rep), "-o", out.file("r.h5")});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    if (result.exit_code != 0)
      return m;
    for (std::size_t c = 0; c < kRates.size(); ++c) {
      m.loss[c].push_back(test::json_field(result.out, fmt::format("c{}", c), "loss_ratio"));
      m.response[c].push_back(test::json_field(result.out, fmt::format("c{}", c), "latency_mean"));
    }
  }
  return m;
}

TEST(SharedStation, FcfsTwoClassesMatchTheExactCtmc) {
  test::TempDir dir;
  const std::vector<double> mu{1.0 / kMeanService[0], 1.0 / kMeanService[1]};
  const auto exact = queueing::solve_multiclass_fcfs(kRates, mu, kK);
  const Measured m = replicate(scenario(dir, "exponential", "fcfs"));
  ASSERT_FALSE(HasFailure());
  for (std::size_t c = 0; c < kRates.size(); ++c) {
    SCOPED_TRACE(fmt::format("class {}", c));
    const Interval loss = interval(m.loss[c]), response = interval(m.response[c]);
    EXPECT_TRUE(loss.holds(exact.loss)) << loss.mean << " ± " << loss.half_width << " vs " << exact.loss;
    EXPECT_TRUE(response.holds(exact.response_time[c]))
        << response.mean << " ± " << response.half_width << " vs " << exact.response_time[c];
  }
}

TEST(SharedStation, ProcessorSharingIsInsensitiveToTheServiceLaw) {
  test::TempDir dir;
  double rho = 0;
  for (std::size_t c = 0; c < kRates.size(); ++c)
    rho += kRates[c] * kMeanService[c];
  const auto total = queueing::solve_mm1k(rho, 1.0, kK); // p_n proportional to rho^n
  const Measured m = replicate(scenario(dir, "deterministic", "ps"));
  ASSERT_FALSE(HasFailure());
  for (std::size_t c = 0; c < kRates.size(); ++c) {
    SCOPED_TRACE(fmt::format("class {}", c));
    const double share = kRates[c] * kMeanService[c] / rho;
    const double exact_response = share * total.mean_in_system / (kRates[c] * (1.0 - total.loss_probability));
    const Interval loss = interval(m.loss[c]), response = interval(m.response[c]);
    EXPECT_TRUE(loss.holds(total.loss_probability))
        << loss.mean << " ± " << loss.half_width << " vs " << total.loss_probability;
    EXPECT_TRUE(response.holds(exact_response))
        << response.mean << " ± " << response.half_width << " vs " << exact_response;
  }
}

TEST(SharedStation, PerFragmentStationsKeepTheirOwnK) {
  // The same load with a station per fragment: each class sees its own M/M/1/K-like
  // buffer, so the two classes' losses differ (the slow class loses more), unlike the
  // shared station where every class sees the same full-buffer probability.
  test::TempDir dir;
  std::string text = scenario(dir, "exponential", "fcfs");
  const auto result = test::run_edgesim(
      {"run", text, "-q", "--json", "--set", "hosts.default.station=per-fragment", "-o", dir.file("p.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const double fast = test::json_field(result.out, "c0", "loss_ratio");
  const double slow = test::json_field(result.out, "c1", "loss_ratio");
  EXPECT_LT(fast, 0.5 * slow);
}

TEST(SharedStation, UnknownStationKindIsAnInputError) {
  test::TempDir dir;
  const auto result =
      test::run_edgesim({"check", scenario(dir, "exponential", "fcfs"), "--set", "hosts.default.station=pooled"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("hosts.default.station"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("\"shared\""), std::string::npos) << result.err;
}

} // namespace
} // namespace edgesim
