// /policy: what policies record of their own state (include/edgesim/policy_trace.hpp).
// queueing-lp writes its plan once per epoch (the exit probabilities sum to 1 and the
// predicted loss meets max_loss); splitplace one row set per decision, matching the
// placement versions of /placements; ucb its arms every 1000 outcomes; threshold its
// thresholds at t = 0. A policy with no state to show writes nothing.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace edgesim {
namespace {

const std::string kRoot = EDGESIM_SOURCE_DIR;

std::vector<PolicyRecord> run(const test::TempDir& dir, const std::string& scenario,
                              const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"run", scenario, "-q", "-o", dir.file("out.h5")};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = test::run_edgesim(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return io::read_policy(dir.file("out.h5"));
}

// By time, then name -> value.
std::map<double, std::map<std::string, double>> by_time(const std::vector<PolicyRecord>& rows,
                                                        const std::string& policy) {
  std::map<double, std::map<std::string, double>> out;
  for (const auto& r : rows)
    if (r.policy == policy)
      out[r.time][r.name] = r.value;
  return out;
}

TEST(PolicyTrace, QueueingLpRecordsEveryEpochsPlan) {
  test::TempDir dir;
  const auto rows = run(dir, std::string(EDGESIM_TEST_DATA) + "/scenarios/queueing-lp-station.toml");
  const auto epochs = by_time(rows, "queueing-lp");
  ASSERT_GE(epochs.size(), 55U); // t = 0 and every 10 s of a 600 s run
  double previous = -1;
  for (const auto& [t, values] : epochs) {
    // Every 10 s, or earlier when a burst ends the epoch (rare under Poisson load).
    EXPECT_TRUE(previous < 0 || t > previous) << "t = " << t;
    previous = t;
    ASSERT_EQ(values.size(), 6U) << "t = " << t; // arrival_rate, planned_rate, predicted_loss, q_0..q_2
    EXPECT_GE(values.at("planned_rate"), values.at("arrival_rate")) << "t = " << t;
    EXPECT_NEAR(values.at("q_0") + values.at("q_1") + values.at("q_2"), 1.0, 1e-9) << "t = " << t;
    EXPECT_LE(values.at("predicted_loss"), 0.01 + 1e-9) << "t = " << t;
    EXPECT_GT(values.at("arrival_rate"), 0) << "t = " << t;
  }
  EXPECT_EQ(epochs.begin()->second.at("arrival_rate"), 60.0); // planned at t = 0 from the scenario's rate
  for (const auto& r : rows)
    EXPECT_EQ(r.tenant, 0U);
}

TEST(PolicyTrace, SplitPlaceRecordsEveryDecisionAsPlacementsDo) {
  test::TempDir dir;
  const auto rows = run(dir, kRoot + "/scenarios/semantic-split.toml");
  const auto decisions = by_time(rows, "splitplace");
  ASSERT_GE(decisions.size(), 20U); // t = 0 and every 5 s of 120 s
  // /placements holds a new version only when the placement changed: at each of its
  // times, the decision recorded then says the same kind of split.
  std::map<double, std::uint16_t> placed;
  for (const auto& p : io::read_placements(dir.file("out.h5")))
    placed[p.time] = p.branches;
  for (const auto& [t, branches] : placed) {
    ASSERT_TRUE(decisions.contains(t)) << "no decision recorded at t = " << t;
    EXPECT_EQ(decisions.at(t).at("arm_semantic"), branches > 1 ? 1.0 : 0.0) << "t = " << t;
    EXPECT_EQ(decisions.at(t).at("branches"), static_cast<double>(branches)) << "t = " << t;
  }
}

TEST(PolicyTrace, UcbArmsAndStaticThresholds) {
  test::TempDir dir;
  auto rows =
      run(dir, kRoot + "/scenarios/quickstart.toml", {"--set", R"(exits={policy="ucb", thresholds=[0.5, 0.7, 0.9]})"});
  const auto epochs = by_time(rows, "ucb");
  ASSERT_GE(epochs.size(), 2U); // t = 0 and one every 1000 outcomes (~1430 requests)
  const auto& first = epochs.begin()->second;
  const auto& last = epochs.rbegin()->second;
  EXPECT_EQ(first.size(), 3U * 3U * 3U); // 3 exits x 3 arms x (threshold, mean, count)
  double counted = 0;
  for (std::size_t e = 0; e < 3; ++e)
    for (std::size_t a = 0; a < 3; ++a) {
      const std::string arm = "exit" + std::to_string(e) + "_arm" + std::to_string(a);
      EXPECT_EQ(first.at(arm + "_count"), 0.0);
      counted += last.at(arm + "_count");
    }
  EXPECT_GE(counted, 1000.0);

  rows = run(dir, kRoot + "/scenarios/quickstart.toml"); // threshold [0.9, 0.85, 0.8]
  const auto thresholds = by_time(rows, "threshold");
  ASSERT_EQ(thresholds.size(), 1U);
  EXPECT_EQ(thresholds.begin()->first, 0.0);
  EXPECT_EQ(thresholds.begin()->second,
            (std::map<std::string, double>{{"threshold_0", 0.9}, {"threshold_1", 0.85}, {"threshold_2", 0.8}}));
  // manual placement has no state: nothing of it.
  EXPECT_TRUE(by_time(rows, "manual").empty());
}

} // namespace
} // namespace edgesim
