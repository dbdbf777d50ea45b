// The simulator against exact queueing theory (M/M/1/K, M/D/1/K, M/G/1/K with the
// early-exit mixture of the `probabilities` policy, and a Jackson tandem).
//
// Tolerance: each point is simulated in R independent replications (seeds 1..R). The
// replication means give a Student-t confidence interval; the exact value must lie in
// it. The interval is two-sided at level 1 - 1e-3 per comparison (t_{9, 0.9995} =
// 4.781), so over the ~100 comparisons below the chance of a false alarm is below 10 %
// — and since the seeds are fixed, a run that passes passes every time.
#include "cli_runner.hpp"

#include "queueing/mg1k.hpp"
#include "queueing/service_distribution.hpp"
#include "queueing/tandem.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace edgesim {
namespace {

constexpr int kReplications = 10;
constexpr double kStudentT = 4.781; // t quantile, 9 degrees of freedom, 1 - 0.001 / 2
constexpr double kSpeed = 1e9;      // queue-lab.xml hosts: 1 Gflop/s, one core
constexpr double kMeanService = 0.01;

struct Estimate {
  double mean = 0;
  double half_width = 0;
};

Estimate confidence_interval(const std::vector<double>& samples) {
  const auto n = static_cast<double>(samples.size());
  const double mean = std::accumulate(samples.begin(), samples.end(), 0.0) / n;
  double ss = 0;
  for (double x : samples)
    ss += (x - mean) * (x - mean);
  return {mean, kStudentT * std::sqrt(ss / (n - 1) / n)};
}

enum class Service { Exponential, Deterministic, ExitMixture };

// Early-exit model: two exits; segment costs (layers + classifier) in seconds.
constexpr double kSegments[] = {0.004, 0.004, 0.006};
constexpr double kExitProbabilities[] = {0.3, 0.3, 0.4};

std::string single_station_scenario(const test::TempDir& dir, Service service, double rate, int K, int requests) {
  std::string model;
  std::string exits = R"([exits]
policy = "none"
)";
  std::string work = "deterministic";
  if (service == Service::ExitMixture) {
    // Layer flops are the segment costs minus the exit classifiers' (1 Mflop each).
    model = fmt::format(R"(name = "ee"
input_bytes = 0
final = {{ accuracy = 0.9 }}
layers = [ {{ name = "a", flops = {}, out_bytes = 0 }}, {{ name = "b", flops = {}, out_bytes = 0 }}, {{ name = "c", flops = {}, out_bytes = 0 }} ]
exits = [ {{ after = "a", flops = 1e6, accuracy = 0.6 }}, {{ after = "b", flops = 1e6, accuracy = 0.8 }} ]
)",
                        kSegments[0] * kSpeed - 1e6, kSegments[1] * kSpeed - 1e6, kSegments[2] * kSpeed);
    exits = fmt::format(R"([exits]
policy = "probabilities"
probabilities = [{}, {}, {}]
)",
                        kExitProbabilities[0], kExitProbabilities[1], kExitProbabilities[2]);
  } else {
    model = fmt::format(R"(name = "one"
input_bytes = 0
final = {{ accuracy = 0.9 }}
layers = [ {{ name = "l", flops = {}, out_bytes = 0 }} ]
)",
                        kMeanService * kSpeed);
    work = service == Service::Exponential ? "exponential" : "deterministic";
  }
  const std::string text = fmt::format(R"([simulation]
seed = 1
requests = {}
warmup = "{}s"
sample_every = "1000s"
trace_requests = false

[platform]
file = "{}/platforms/queue-lab.xml"

[hosts.default]
buffer = {}

[[tenants]]
name = "t"
source = "s1"
work = "{}"
arrival = {{ process = "poisson", rate = {} }}
model = "{}"

{}
)",
                                       requests, 200 * kMeanService, EDGESIM_TEST_DATA, K, work, rate,
                                       dir.write("model.toml", model), exits);
  return dir.write("station.toml", text);
}

queueing::ServiceDistribution service_distribution(Service service) {
  switch (service) {
  case Service::Exponential:
    return queueing::ServiceDistribution::exponential(kMeanService);
  case Service::Deterministic:
    return queueing::ServiceDistribution::deterministic(kMeanService);
  case Service::ExitMixture:
    return queueing::ServiceDistribution::mixture_of_deterministic(kExitProbabilities, kSegments);
  }
  throw std::logic_error("unknown service");
}

struct StationCase {
  Service service;
  int K;
};

class SingleStation : public ::testing::TestWithParam<StationCase> {};

TEST_P(SingleStation, LossAndResponseTimeMatchExactMG1K) {
  const auto [service, K] = GetParam();
  const auto distribution = service_distribution(service);
  test::TempDir dir;
  for (double rho : {0.5, 0.9, 1.2, 1.5}) {
    const double rate = rho / distribution.mean();
    const auto exact = queueing::solve_mg1k(rate, distribution, K);
    const std::string scenario = single_station_scenario(dir, service, rate, K, 10000);
    std::vector<double> loss;
    std::vector<double> response;
    for (int rep = 1; rep <= kReplications; ++rep) {
      auto result =
          test::run_edgesim({"run", scenario, "-q", "--json", "--seed", std::to_string(rep), "-o", dir.file("out.h5")});
      ASSERT_EQ(result.exit_code, 0) << result.err;
      loss.push_back(test::json_field(result.out, "all", "loss_ratio"));
      response.push_back(test::json_field(result.out, "all", "latency_mean"));
    }
    const Estimate sim_loss = confidence_interval(loss);
    const Estimate sim_response = confidence_interval(response);
    RecordProperty(fmt::format("rho{}_loss", rho), fmt::format("{:.5f} +- {:.5f} exact {:.5f}", sim_loss.mean,
                                                               sim_loss.half_width, exact.loss_probability));
    // A deterministic K = 1 station has no randomness in its response time: the
    // interval collapses, so allow floating-point rounding (1e-9 relative).
    EXPECT_NEAR(sim_loss.mean, exact.loss_probability, std::max(sim_loss.half_width, 1e-9))
        << "K=" << K << " rho=" << rho << " loss";
    EXPECT_NEAR(sim_response.mean, exact.mean_response_time,
                std::max(sim_response.half_width, 1e-9 * exact.mean_response_time))
        << "K=" << K << " rho=" << rho << " mean response time";
    // The interval must be informative: narrower than 10 % of the value it checks.
    EXPECT_LT(sim_response.half_width, 0.1 * exact.mean_response_time);
  }
}

std::string case_name(const ::testing::TestParamInfo<StationCase>& info) {
  const char* kind = info.param.service == Service::Exponential     ? "MM1K"
                     : info.param.service == Service::Deterministic ? "MD1K"
                                                                    : "MExits1K";
  return fmt::format("{}_K{}", kind, info.param.K);
}

INSTANTIATE_TEST_SUITE_P(Exact, SingleStation,
                         ::testing::Values(StationCase{Service::Exponential, 1}, StationCase{Service::Exponential, 2},
                                           StationCase{Service::Exponential, 5}, StationCase{Service::Exponential, 10},
                                           StationCase{Service::Deterministic, 1},
                                           StationCase{Service::Deterministic, 2},
                                           StationCase{Service::Deterministic, 5},
                                           StationCase{Service::Deterministic, 10},
                                           StationCase{Service::ExitMixture, 1}, StationCase{Service::ExitMixture, 2},
                                           StationCase{Service::ExitMixture, 5}, StationCase{Service::ExitMixture, 10}),
                         case_name);

TEST(Tandem, ThreeExponentialStationsMatchJacksonProductForm) {
  // Three fragments on three hosts, exponential service at each visit, buffers large
  // enough that no request is lost: the mean response time is sum 1/(mu_i - lambda).
  test::TempDir dir;
  const double means[] = {0.010, 0.014, 0.008};
  const double rate = 50.0;
  const std::string text =
      fmt::format(R"([simulation]
seed = 1
requests = 20000
warmup = "5s"
sample_every = "1000s"
trace_requests = false

[platform]
file = "{}/platforms/queue-lab.xml"

[hosts.default]
buffer = 100000

[[tenants]]
name = "chain"
source = "s1"
work = "exponential"
arrival = {{ process = "poisson", rate = {} }}
model = "{}"

[placement]
policy = "manual"
fragments = [ {{ layers = "0", host = "s1" }}, {{ layers = "1", host = "s2" }}, {{ layers = "2", host = "s3" }} ]
)",
                  EDGESIM_TEST_DATA, rate,
                  dir.write("three.toml", fmt::format(R"(name = "three"
input_bytes = 0
final = {{ accuracy = 0.9 }}
layers = [ {{ name = "a", flops = {}, out_bytes = 0 }}, {{ name = "b", flops = {}, out_bytes = 0 }}, {{ name = "c", flops = {}, out_bytes = 0 }} ]
)",
                                                      means[0] * kSpeed, means[1] * kSpeed, means[2] * kSpeed)));
  const std::string scenario = dir.write("tandem.toml", text);
  std::vector<double> response;
  for (int rep = 1; rep <= kReplications; ++rep) {
    auto result =
        test::run_edgesim({"run", scenario, "-q", "--json", "--seed", std::to_string(rep), "-o", dir.file("out.h5")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    ASSERT_EQ(test::json_field(result.out, "all", "lost"), 0.0);
    response.push_back(test::json_field(result.out, "all", "latency_mean"));
  }
  const double rates[] = {1 / means[0], 1 / means[1], 1 / means[2]};
  const double exact = queueing::jackson_tandem_mean_response(rate, rates);
  const Estimate sim = confidence_interval(response);
  EXPECT_NEAR(sim.mean, exact, sim.half_width);
  EXPECT_LT(sim.half_width, 0.1 * exact);
}

} // namespace
} // namespace edgesim
