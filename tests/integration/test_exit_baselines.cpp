// Dělen's exit baselines on the real digits CNN replaying its held-out exit trace
// (scenarios/digits-trace.toml): `oracle` leaves at the first exit that is right for the
// request, `per-workload` at the first exit whose profiled accuracy reaches the tenant's
// target. The trace fixes what each sample's exits say, so the oracle's exit mix must be
// the trace's first-correct-exit distribution and its accuracy the share of samples some
// exit gets right.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace edgesim {
namespace {

const std::string kRoot = EDGESIM_SOURCE_DIR;
const std::string kScenario = kRoot + "/scenarios/digits-trace.toml";
constexpr int kExits = 3; // intermediate; exit 3 = final

/// Per sample of the trace: the first exit (0..3) whose answer is right, 4 if none.
std::vector<int> first_correct_exit() {
  std::ifstream in(kRoot + "/scenarios/traces/digits-cnn-3exit.csv");
  std::map<int, int> first;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.starts_with("sample"))
      continue;
    std::istringstream fields(line);
    std::string sample, exit, confidence, correct;
    std::getline(fields, sample, ',');
    std::getline(fields, exit, ',');
    std::getline(fields, confidence, ',');
    std::getline(fields, correct, ',');
    const int s = std::stoi(sample);
    const int e = std::stoi(exit);
    first.try_emplace(s, kExits + 1);
    if (correct == "1" && e < first[s])
      first[s] = e;
  }
  std::vector<int> out;
  for (const auto& [sample, e] : first)
    out.push_back(e);
  return out;
}

std::string fmt_target(double target) {
  std::ostringstream text;
  text << R"(exits={policy="per-workload", target_accuracy=)" << target << "}";
  return text.str();
}

std::vector<RequestRecord> run(const test::TempDir& dir, const std::string& exits) {
  const auto result = test::run_edgesim({"run", kScenario, "-q", "-o", dir.file("out.h5"), "--set", exits});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return io::read_requests(dir.file("out.h5"));
}

TEST(ExitBaselines, OracleLeavesAtTheFirstRightExit) {
  const std::vector<int> first = first_correct_exit();
  ASSERT_EQ(first.size(), 899U);
  std::vector<double> expected(kExits + 2, 0.0); // exits 0..3, then "no exit right"
  for (int e : first)
    expected[static_cast<std::size_t>(e)] += 1.0 / static_cast<double>(first.size());

  test::TempDir dir;
  const auto requests = run(dir, R"(exits={policy="oracle"})");
  std::vector<double> taken(kExits + 1, 0.0);
  double served = 0, correct = 0;
  for (const auto& r : requests) {
    if (r.exit < 0)
      continue;
    served += 1;
    correct += r.correct;
    taken[static_cast<std::size_t>(r.exit)] += 1;
    if (r.exit < kExits)
      EXPECT_TRUE(r.correct) << "request " << r.id << " left at a wrong exit " << r.exit;
  }
  ASSERT_GT(served, 20000);
  // Each request replays a sample drawn uniformly: a multinomial over `first`; 4 sigma.
  for (int e = 0; e <= kExits; ++e) {
    const double p = e < kExits ? expected[static_cast<std::size_t>(e)]
                                : expected[kExits] + expected[kExits + 1]; // the final serves both
    const double sigma = std::sqrt(p * (1 - p) / served);
    EXPECT_NEAR(taken[static_cast<std::size_t>(e)] / served, p, 4 * sigma + 1e-9) << "exit " << e;
  }
  const double right_somewhere = 1 - expected[kExits + 1];
  EXPECT_NEAR(correct / served, right_somewhere, 4 * std::sqrt(right_somewhere * (1 - right_somewhere) / served));
  EXPECT_GT(right_somewhere, 0.98); // above the final classifier's 0.98: the bound is real
}

TEST(ExitBaselines, PerWorkloadTakesTheFirstExitMeetingTheTarget) {
  // Profiled accuracy: 0.7775, 0.9711, 0.9789, final 0.98.
  const std::vector<std::pair<double, int>> cases{{0.5, 0}, {0.95, 1}, {0.975, 2}, {0.979, 3}, {0.999, 3}};
  for (const auto& [target, exit] : cases) {
    test::TempDir dir;
    const auto requests = run(dir, fmt_target(target));
    std::size_t served = 0;
    for (const auto& r : requests) {
      if (r.exit < 0)
        continue;
      ++served;
      ASSERT_EQ(r.exit, exit) << "target " << target << ", request " << r.id;
    }
    EXPECT_GT(served, 20000U) << "target " << target;
  }
  test::TempDir dir;
  const auto bad = test::run_edgesim({"check", kScenario, "--set", R"(exits={policy="per-workload"})"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("exits.target_accuracy: expected a number (missing)"), std::string::npos) << bad.err;
}

TEST(ExitBaselines, Listed) {
  const auto result = test::run_edgesim({"list", "policies"});
  ASSERT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("oracle"), std::string::npos);
  EXPECT_NE(result.out.find("per-workload"), std::string::npos);
}

} // namespace
} // namespace edgesim
