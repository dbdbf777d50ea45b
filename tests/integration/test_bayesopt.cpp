// `bayesopt` exit policy end to end: `edgesim run` tunes the thresholds with short child
// simulations of the scenario, prints a clean JSON summary, leaves no temporary files,
// beats a fixed policy that never leaves early on the policy's own objective, and is
// deterministic given the seed.
#include "cli_runner.hpp"

#include <edgesim/error.hpp>

#include "io/summary_json.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace edgesim {
namespace {

namespace fs = std::filesystem;
using test::json_field;
using test::run_edgesim;
using test::TempDir;

const std::string kQuickstart = std::string(EDGESIM_SOURCE_DIR) + "/scenarios/quickstart.toml";
// Rate 35/s overloads the Pi 4B when every request runs the whole model: losses rise
// above the target, and leaving early at the Pi's exit is what keeps them down.
const std::string kRate = "tenants.0.arrival.rate=35";
const std::string kBayesOpt = R"(exits={policy="bayesopt", iterations=8, initial=4, sim_duration="20s"})";
constexpr double kTargetLoss = 0.01; // the policy's defaults
constexpr double kPenalty = 10;

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.insert(entry.path().filename().string());
  return names;
}

/// One line holding one object that the library's summary reader (what sweeps and the
/// tuner's child runs rely on) reads in full: the tenants' rows, then "all".
bool is_one_line_summary(const std::string& text, std::size_t tenants) {
  if (!text.starts_with('{') || !text.ends_with("}\n") || std::count(text.begin(), text.end(), '\n') != 1)
    return false;
  try {
    const auto rows = io::parse_summary_json(text);
    return rows.size() == tenants + 1 && rows.back().tenant == "all";
  } catch (const RuntimeError&) {
    return false;
  }
}

double objective(const std::string& json, const std::string& tenant) {
  const double accuracy = json_field(json, tenant, "effective_accuracy");
  const double loss = json_field(json, tenant, "loss_ratio");
  return accuracy - kPenalty * std::max(0.0, loss - kTargetLoss);
}

TEST(BayesOpt, TunedThresholdsBeatNeverLeavingEarlyAndLeaveNoFiles) {
  TempDir dir;
  const fs::path scenarios = fs::path(kQuickstart).parent_path();
  const auto before = listing(scenarios);
  const std::vector<std::string> args{
      "run", kQuickstart, "--json", "-q", "--no-trace", "-o", dir.file("tuned.h5"), "--set", kRate, "--set", kBayesOpt};
  const auto tuned = run_edgesim(args);
  ASSERT_EQ(tuned.exit_code, 0) << tuned.err;
  EXPECT_TRUE(is_one_line_summary(tuned.out, 1)) << tuned.out;
  EXPECT_EQ(tuned.err, "");
  EXPECT_TRUE(fs::exists(dir.file("tuned.h5")));

  // Nothing was written next to the scenario (the tuning runs' files live in a private
  // temporary directory).
  const auto after = listing(scenarios);
  for (const auto& name : after)
    EXPECT_TRUE(before.contains(name)) << "left behind in scenarios/: " << name;

  const auto never_early = run_edgesim({"run", kQuickstart, "--json", "-q", "--no-trace", "-o", dir.file("fixed.h5"),
                                        "--set", kRate, "--set", R"(exits={policy="threshold", thresholds=1.0})"});
  ASSERT_EQ(never_early.exit_code, 0) << never_early.err;
  const double tuned_objective = objective(tuned.out, "cam-1");
  const double fixed_objective = objective(never_early.out, "cam-1");
  EXPECT_GT(json_field(never_early.out, "cam-1", "loss_ratio"), kTargetLoss) << "the baseline should be overloaded";
  EXPECT_GT(tuned_objective, fixed_objective + 0.05)
      << "tuned: " << tuned.out << "\nthresholds 1.0: " << never_early.out;
  EXPECT_LT(json_field(tuned.out, "cam-1", "loss_ratio"), json_field(never_early.out, "cam-1", "loss_ratio"));

  // Same seed, same tuning runs, same thresholds, same summary.
  auto again_args = args;
  again_args[6] = dir.file("again.h5");
  const auto again = run_edgesim(again_args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, tuned.out);
}

TEST(BayesOpt, RequestBoundedScenarioTunesOnFewRequestsAndWritesItsTrace) {
  // A scenario bounded by requests, in a directory of its own, naming its model by a
  // relative path: the tuning runs use sim_requests, their scenario copy lives in a
  // private temporary directory (never next to the scenario) and still finds the model.
  TempDir dir;
  const std::string root = EDGESIM_SOURCE_DIR;
  fs::copy_file(root + "/scenarios/models/mobilenetv2-3exit.toml", dir.file("model.toml"));
  const std::string scenario = dir.write("bounded.toml", fmt::format(R"(
[simulation]
seed = 3
requests = 3000
warmup = "5s"

[platform]
file = "{0}/platforms/pi-jetson-server.xml"

[[tenants]]
name = "cam"
model = "model.toml"
source = "pi4-1"
arrival = {{ process = "poisson", rate = 12.0 }}
placement = {{ policy = "manual", fragments = [ {{ layers = "0-6", host = "pi4-1" }}, {{ layers = "7-", host = "jetson-1" }} ] }}
exits = {{ policy = "bayesopt", iterations = 4, initial = 2, sim_requests = 300, trace = "{1}" }}
)",
                                                                     root, dir.file("trace.csv")));
  const auto result = run_edgesim({"run", scenario, "--json", "-q", "--no-trace", "-o", dir.file("out.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(is_one_line_summary(result.out, 1)) << result.out;
  // The run itself keeps the scenario's 3000 requests (about 60 of them in the warm-up).
  EXPECT_GT(json_field(result.out, "cam", "offered"), 2800);

  std::ifstream trace(dir.file("trace.csv"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(trace, line);)
    lines.push_back(line);
  ASSERT_EQ(lines.size(), 5U); // header + 4 evaluations
  EXPECT_EQ(lines[0], "evaluation,seed,t1,t2,t3,effective_accuracy,loss_ratio,objective,best");
  int best = 0;
  for (std::size_t k = 1; k < lines.size(); ++k)
    best += lines[k].back() == '1' ? 1 : 0;
  EXPECT_GE(best, 1);

  EXPECT_EQ(listing(dir.path()), (std::set<std::string>{"bounded.toml", "model.toml", "out.h5", "trace.csv"}));
}

// `edgesim check` validates bayesopt's settings and starts no tuning run: 10,000
// evaluations of 10 minutes each would not finish within the test's timeout, and the
// trace file is not written.
TEST(BayesOpt, CheckValidatesWithoutTuning) {
  TempDir dir;
  const std::string heavy =
      fmt::format(R"(exits={{policy="bayesopt", iterations=10000, initial=5, sim_duration="600s", trace="{}"}})",
                  dir.file("t.csv"));
  const auto result = run_edgesim({"check", kQuickstart, "--set", kRate, "--set", heavy}, 30);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("exits=bayesopt"), std::string::npos) << result.out;
  EXPECT_FALSE(fs::exists(dir.file("t.csv")));
  const auto bad = run_edgesim({"check", kQuickstart, "--set", R"(exits={policy="bayesopt", iterations=0})"}, 30);
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("exits.iterations"), std::string::npos) << bad.err;
}

TEST(BayesOpt, BadKeyIsAnInputError) {
  TempDir dir;
  const auto result = run_edgesim({"run", kQuickstart, "-q", "--no-trace", "-o", dir.file("x.h5"), "--set",
                                   R"(exits={policy="bayesopt", bounds=[0.9, 0.2]})"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("exits.bounds"), std::string::npos) << result.err;
}

} // namespace
} // namespace edgesim
