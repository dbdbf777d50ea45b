// [[dynamics.shares]]: a tenant's CPU share changing at run time changes what every
// share-aware exit policy does from that instant (its /policy rows and the exits its
// requests take in /requests); cooperative tenants are told what the others' load
// leaves them, epoch by epoch.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

namespace edgesim {
namespace {

constexpr double kChange = 100; // s: the share drops from 1 to 0.5

// One tenant on queue-lab's 1 Gflop/s core: exits after 4, 8 and 14 ms of deterministic
// work (tests/data/scenarios/queueing-lp-station.toml's model), 45 requests/s (ρ = 0.63
// running to the end at share 1), and its share halved at 100 s.
std::string scenario(const test::TempDir& dir, const std::string& exits) {
  return dir.write("s.toml", fmt::format(R"([simulation]
seed = 5
duration = "200s"
sample_every = "10s"

[platform]
file = "{0}/platforms/queue-lab.xml"

[hosts.default]
buffer = 5

[multitenant]
policy = "non-cooperative"

[[dynamics.shares]]
tenant = "t"
share = [[0, 1.0], ["{1}s", 0.5]]

[[tenants]]
name = "t"
source = "s1"
slo = "20ms"
work = "deterministic"
arrival = {{ process = "poisson", rate = 45.0 }}
model = {{ name = "ee2", input_bytes = 0, final = {{ accuracy = 0.9 }}, layers = [ {{ name = "a", flops = 3e6, out_bytes = 0 }}, {{ name = "b", flops = 3e6, out_bytes = 0 }}, {{ name = "c", flops = 6e6, out_bytes = 0 }} ], exits = [ {{ after = "a", flops = 1e6, accuracy = 0.6 }}, {{ after = "b", flops = 1e6, accuracy = 0.8 }} ] }}

[exits]
{2}
)",
                                         EDGESIM_TEST_DATA, kChange, exits));
}

struct ShareRun {
  std::vector<PolicyRecord> policy;
  double mean_exit_before = 0; // of requests served, arriving in [kChange - 50, kChange)
  double mean_exit_after = 0;  // in [kChange, kChange + 50)
};

ShareRun run(const test::TempDir& dir, const std::string& exits) {
  const auto result = test::run_edgesim({"run", scenario(dir, exits), "-q", "-o", dir.file("out.h5")});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  ShareRun out;
  out.policy = io::read_policy(dir.file("out.h5"));
  double sum[2] = {0, 0};
  double n[2] = {0, 0};
  for (const auto& r : io::read_requests(dir.file("out.h5"))) {
    if (r.exit < 0 || r.arrival < kChange - 50 || r.arrival >= kChange + 50)
      continue;
    const int after = r.arrival >= kChange ? 1 : 0;
    sum[after] += r.exit;
    n[after] += 1;
  }
  EXPECT_GT(n[0], 1000);
  EXPECT_GT(n[1], 1000);
  out.mean_exit_before = sum[0] / n[0];
  out.mean_exit_after = sum[1] / n[1];
  return out;
}

// name -> value of the rows at `time`.
std::map<std::string, double> rows_at(const ShareRun& r, double time) {
  std::map<std::string, double> out;
  for (const auto& row : r.policy)
    if (row.time == time)
      out[row.name] = row.value;
  return out;
}

double last_before(const ShareRun& r, const std::string& name, double time) {
  double value = -1;
  for (const auto& row : r.policy)
    if (row.name == name && row.time < time)
      value = row.value;
  return value;
}

void expect_told(const ShareRun& r) {
  const auto at = rows_at(r, kChange);
  ASSERT_TRUE(at.contains("cpu_share:s1"));
  EXPECT_DOUBLE_EQ(at.at("cpu_share:s1"), 0.5);
  int told = 0;
  for (const auto& row : r.policy)
    told += row.name == "cpu_share:s1" ? 1 : 0;
  EXPECT_EQ(told, 1); // share 1 at t = 0 is the default: only the change is told
}

TEST(ShareDynamics, ThresholdRelaxesAtTheChange) {
  test::TempDir dir;
  const ShareRun r = run(dir, "policy = \"threshold\"\nthresholds = 0.8");
  expect_told(r);
  const auto at = rows_at(r, kChange);
  EXPECT_NEAR(at.at("effective_threshold_0:s1"), 0.6, 1e-12); // 1 - 0.2 / 0.5
  EXPECT_LT(r.mean_exit_after, r.mean_exit_before - 0.1);
}

TEST(ShareDynamics, CriteriaReadsTheShare) {
  test::TempDir dir;
  const ShareRun r = run(dir, "policy = \"criteria\"\nrule = \"confidence > 0.95 OR share < 60%\"");
  expect_told(r);
  EXPECT_GT(r.mean_exit_before, 0.5);
  EXPECT_DOUBLE_EQ(r.mean_exit_after, 0.0); // every request leaves at the first exit
}

TEST(ShareDynamics, KnapsackBudgetsStretchedComputeTimes) {
  test::TempDir dir;
  const ShareRun r = run(dir, "policy = \"knapsack\"");
  expect_told(r);
  EXPECT_LT(r.mean_exit_after, r.mean_exit_before - 0.2);
}

TEST(ShareDynamics, QueueingLpReplansAtTheChange) {
  test::TempDir dir;
  const ShareRun r = run(dir, "policy = \"queueing-lp\"\nmax_loss = 0.01\nepoch = \"10s\"");
  expect_told(r);
  // A plan at the change itself (the epochs fall at 0, 10, ... s: 100 s is also one, so
  // the rows there are the re-plan for the new share, the later of the two).
  const auto at = rows_at(r, kChange);
  ASSERT_TRUE(at.contains("q_2"));
  const double before = last_before(r, "q_2", kChange);
  EXPECT_GT(before, at.at("q_2") + 0.2) << "the final exit's probability must drop with half the CPU";
  EXPECT_LE(at.at("predicted_loss"), 0.01 + 1e-9);
  EXPECT_LT(r.mean_exit_after, r.mean_exit_before - 0.2);
}

TEST(ShareDynamics, ParetoPicksAFasterPointAtTheChange) {
  test::TempDir dir;
  // At half the CPU only points whose mean compute time is under 5 ms qualify.
  const ShareRun r = run(dir, "policy = \"pareto\"\nprofile_samples = 500\nlatency_budget = \"10ms\"");
  expect_told(r);
  const auto at = rows_at(r, kChange);
  ASSERT_TRUE(at.contains("threshold_0"));
  EXPECT_LT(at.at("threshold_0"), last_before(r, "threshold_0", kChange));
  EXPECT_LT(r.mean_exit_after, r.mean_exit_before - 0.2);
}

TEST(ShareDynamics, ShareUnawarePoliciesAreToldButDoNotChange) {
  test::TempDir dir;
  const ShareRun r = run(dir, "policy = \"fixed-exit\"\nexit = 1");
  expect_told(r);
  EXPECT_DOUBLE_EQ(r.mean_exit_before, 1.0);
  EXPECT_DOUBLE_EQ(r.mean_exit_after, 1.0);
}

// Cooperative: two tenants of weight 0.5 on one core; b runs its whole model (10 ms) for
// 60 requests/s during its first 60 s only (a trace), then leaves. a is told 0.5 while b is busy and the whole core
// within one epoch of b leaving; a's threshold relaxes and tightens accordingly.
TEST(ShareDynamics, CooperativeTenantsAreToldWhatTheOthersLeave) {
  test::TempDir dir;
  std::string trace = "time\n";
  for (int i = 0; i < 60 * 60; ++i)
    trace += fmt::format("{}\n", i / 60.0);
  const std::string trace_file = dir.write("b.csv", trace);
  const std::string model =
      R"({ name = "m", input_bytes = 0, final = { accuracy = 0.9 }, layers = [ { name = "a", flops = 5e6, out_bytes = 0 }, { name = "b", flops = 5e6, out_bytes = 0 } ], exits = [ { after = "a", flops = 0, accuracy = 0.7 } ] })";
  const std::string file = dir.write("coop.toml", fmt::format(R"([simulation]
seed = 2
duration = "120s"

[platform]
file = "{0}/platforms/queue-lab.xml"

[hosts.default]
buffer = 10

[multitenant]
policy = "cooperative"
epoch = "2s"

[exits]
policy = "threshold"
thresholds = 0.8

[[tenants]]
name = "a"
source = "s1"
share = 0.5
work = "deterministic"
arrival = {{ process = "poisson", rate = 20.0 }}
model = {1}

[[tenants]]
name = "b"
source = "s1"
share = 0.5
work = "deterministic"
arrival = {{ process = "trace", file = "{2}" }}
model = {1}
exits = {{ policy = "none" }}
)",
                                                              EDGESIM_TEST_DATA, model, trace_file));
  const auto result = test::run_edgesim({"run", file, "-q", "-o", dir.file("out.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::pair<double, double>> told_a;
  for (const auto& row : io::read_policy(dir.file("out.h5")))
    if (row.tenant == 0 && row.name == "cpu_share:s1")
      told_a.emplace_back(row.time, row.value);
  ASSERT_GE(told_a.size(), 2U);
  EXPECT_EQ(told_a.front().first, 0);
  EXPECT_DOUBLE_EQ(told_a.front().second, 0.5); // b counts as busy until measured
  // b alone offers 60 x 10 ms = 60 % of the core (over its fair half): a keeps 0.5
  // until b leaves at 60 s; within one epoch after, a has the whole core.
  for (const auto& [t, share] : told_a)
    if (t < 60)
      EXPECT_NEAR(share, 0.5, 0.05) << "t = " << t;
  EXPECT_GT(told_a.back().first, 60);
  EXPECT_LE(told_a.back().first, 64);
  EXPECT_DOUBLE_EQ(told_a.back().second, 1.0);
  double sum[2] = {0, 0};
  double n[2] = {0, 0};
  for (const auto& r : io::read_requests(dir.file("out.h5"))) {
    if (r.tenant != 0 || r.exit < 0 || (r.arrival > 55 && r.arrival < 65))
      continue;
    const int after = r.arrival >= 65 ? 1 : 0;
    sum[after] += r.exit;
    n[after] += 1;
  }
  EXPECT_LT(sum[0] / n[0], sum[1] / n[1] - 0.1) << "a leaves earlier while it holds half the core";
}

} // namespace
} // namespace edgesim
