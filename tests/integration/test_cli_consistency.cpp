// What every subcommand shares: the layout of --help (usage, description, options,
// SimGrid pass-through, exit codes), one wording of -q, --plugin everywhere a scenario
// or spec runs, exit code 4 documented where it is used; a SimGrid warning said once in
// edgesim's words and not at all under -q; --unset, which makes sweeps over a policy
// possible; and --streams for sweeps.
#include "cli_runner.hpp"

#include "sweep/sweep_file.hpp"

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace edgesim {
namespace {

using test::run_edgesim;
using test::TempDir;

const std::string kTiny = std::string(EDGESIM_TEST_DATA) + "/scenarios/tiny.toml";
const std::string kQuickstart = std::string(EDGESIM_SOURCE_DIR) + "/scenarios/quickstart.toml";

std::string line_with(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  if (at == std::string::npos)
    return "";
  const auto start = text.rfind('\n', at) + 1;
  return text.substr(start, text.find('\n', at) - start);
}

TEST(CliConsistency, EveryHelpHasTheSameLayout) {
  const std::vector<std::vector<std::string>> commands{
      {"run"}, {"check"}, {"list"}, {"validate"}, {"validate", "--network"}, {"sweep"}, {"merge"}, {"dataset"},
  };
  std::vector<std::string> quiet_lines;
  for (auto args : commands) {
    const std::string name = args.size() > 1 ? args[0] + " " + args[1] : args[0];
    SCOPED_TRACE(name);
    args.emplace_back("--help");
    const auto result = run_edgesim(args);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const std::string& out = result.out;
    EXPECT_EQ(out.rfind("usage: edgesim " + name, 0), 0U) << out;
    const auto options = out.find("\noptions:\n");
    const auto exit_codes = out.find("\nexit codes: 0 ok, 1 invalid input, 2 usage error, 3 runtime failure");
    ASSERT_NE(options, std::string::npos) << out;
    ASSERT_NE(exit_codes, std::string::npos) << out;
    EXPECT_LT(options, exit_codes);
    // A description paragraph between the usage line and the options.
    EXPECT_GT(options, out.find("\n\n") + 40) << out;
    EXPECT_NE(out.find("-h [ --help ]"), std::string::npos) << out;
    // The description of -q (the column it starts in depends on the other options).
    if (std::string quiet = line_with(out, "-q [ --quiet ]"); !quiet.empty())
      quiet_lines.push_back(quiet.substr(quiet.find_first_not_of(' ', quiet.find(']') + 1)));
    const bool uses_four = args[0] == "sweep" || args[0] == "validate";
    EXPECT_EQ(out.find(", 4 ", exit_codes) != std::string::npos, uses_four) << out;
    const bool runs_scenarios = args[0] != "merge" && args[0] != "validate";
    EXPECT_EQ(out.find("--plugin LIB.so") != std::string::npos, runs_scenarios) << out;
  }
  // run, sweep, dataset, validate, validate --network: one wording of -q.
  ASSERT_EQ(quiet_lines.size(), 5U);
  for (const auto& line : quiet_lines)
    EXPECT_EQ(line, quiet_lines.front());
  // The top-level usage documents exit code 4 as well.
  const auto top = run_edgesim({"--help"});
  EXPECT_NE(top.out.find("4 finished with"), std::string::npos) << top.out;
}

TEST(CliConsistency, InputErrorsNameTheSubcommand) {
  for (const std::string command : {"run", "check", "sweep"}) {
    const auto result = run_edgesim({command, kTiny, "--set", "tenants.0.arrival.rate=-1", "--vary", "seed=1"});
    // run and check take no --vary: a usage error naming the command; sweep an input error.
    if (command == "sweep") {
      EXPECT_EQ(result.exit_code, 1) << result.err;
      EXPECT_EQ(result.err.rfind("edgesim sweep: error: ", 0), 0U) << result.err;
    } else {
      EXPECT_EQ(result.exit_code, 2) << result.err;
      EXPECT_EQ(result.err.rfind("edgesim " + command + ": ", 0), 0U) << result.err;
    }
  }
  const auto result = run_edgesim({"dataset", std::string(EDGESIM_TEST_DATA) + "/nope.toml", "-n", "1", "-o", "x.h5"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_EQ(result.err.rfind("edgesim dataset: error: ", 0), 0U) << result.err;
}

// A host without wattage_per_state: SimGrid's energy plugin warned twice, even under -q.
TEST(CliConsistency, MissingPowerProfileIsSaidOnceOrNotAtAll) {
  TempDir dir;
  const std::string scenario = dir.write("s.toml", std::string(R"([simulation]
duration = "5s"
[platform]
file = ")") + EDGESIM_TEST_DATA + R"(/platforms/single-host.xml"
[[tenants]]
name = "t"
model = ")" + EDGESIM_TEST_DATA + R"(/scenarios/tiny-model.toml"
source = "h"
arrival = { process = "poisson", rate = 2.0 }
)");
  auto quiet = run_edgesim({"run", scenario, "-q", "-o", dir.file("q.h5")});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  auto json = run_edgesim({"run", scenario, "--json", "-o", dir.file("j.h5")});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(std::count(json.err.begin(), json.err.end(), '\n'), 1) << json.err;
  EXPECT_EQ(json.err.rfind("edgesim run: warning: 1 host(s) of ", 0), 0U) << json.err;
  EXPECT_NE(json.err.find("(h); their energy counts as 0 J"), std::string::npos) << json.err;
  EXPECT_EQ(json.err.find("host_energy"), std::string::npos) << json.err;
  // --log still reaches SimGrid.
  auto logged = run_edgesim({"run", scenario, "-q", "-o", dir.file("l.h5"), "--log=host_energy.thres:warning"});
  EXPECT_NE(logged.err.find("No energetic profiles"), std::string::npos) << logged.err;
}

// --set placement.policy=... on a scenario with manual fragments names the remedy;
// --unset applies it, also in a sweep over the policy.
TEST(CliConsistency, PolicySweepsWithUnset) {
  auto refused = run_edgesim({"check", kQuickstart, "--set", "placement.policy=neurosurgeon"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("placement.fragments: unknown key"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--unset placement.fragments"), std::string::npos) << refused.err;
  auto checked =
      run_edgesim({"check", kQuickstart, "--unset", "placement.fragments", "--set", "placement.policy=neurosurgeon"});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("placement=neurosurgeon"), std::string::npos) << checked.out;
  auto misspelt = run_edgesim({"check", kQuickstart, "--unset", "placement.fragmentz"});
  EXPECT_EQ(misspelt.exit_code, 1);
  EXPECT_NE(misspelt.err.find("--unset placement.fragmentz: the scenario has no key"), std::string::npos)
      << misspelt.err;

  TempDir dir;
  const std::string out = dir.file("policies.h5");
  auto sweep = run_edgesim({"sweep", kQuickstart, "--unset", "placement.fragments", "--vary",
                            "placement.policy=\"neurosurgeon\",\"chain-dp\",\"greedy\"", "--set",
                            "simulation.duration=\"20s\"", "--set", "simulation.warmup=\"2s\"", "-q", "-o", out});
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  const auto points = sweep::read_sweep_table(out, "points");
  ASSERT_EQ(points.rows, 3U);
  EXPECT_EQ(points.strings("placement.policy"),
            (std::vector<std::string>{"\"neurosurgeon\"", "\"chain-dp\"", "\"greedy\""}));
  for (double served : points.numbers("served"))
    EXPECT_GT(served, 0);
  const auto contents = sweep::read_sweep_file(out);
  EXPECT_NE(contents.meta.at("set").find("~placement.fragments"), std::string::npos);
}

// --streams independent (default): every point its own seeds; common: replication r of
// every point shares one seed (common random numbers), and the sweep id says which.
TEST(CliConsistency, SweepStreams) {
  TempDir dir;
  auto sweep_with = [&](const std::string& streams) {
    const std::string out = dir.file(streams + ".h5");
    std::vector<std::string> args{"sweep", kTiny, "--vary", "tenants.0.arrival.rate=2,4,6", "--reps", "2",
                                  "-q",    "-o",  out};
    if (!streams.empty())
      args.insert(args.end(), {"--streams", streams});
    const auto result = run_edgesim(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return out;
  };
  const std::string by_default = sweep_with("");
  const std::string independent = sweep_with("independent");
  const std::string common = sweep_with("common");
  const auto seeds_of = [](const std::string& file) { return sweep::read_sweep_table(file, "points").numbers("seed"); };
  const auto ind = seeds_of(independent);
  const auto com = seeds_of(common);
  ASSERT_EQ(ind.size(), 6U); // rows sorted by (point, rep)
  ASSERT_EQ(com.size(), 6U);
  EXPECT_EQ(seeds_of(by_default), ind);
  for (std::size_t p = 1; p < 3; ++p)
    for (std::size_t r = 0; r < 2; ++r) {
      EXPECT_NE(ind[p * 2 + r], ind[r]) << "point " << p;
      EXPECT_EQ(com[p * 2 + r], com[r]) << "point " << p;
    }
  EXPECT_EQ(com[0], ind[0]); // point 0 keeps its seeds
  EXPECT_NE(com[0], com[1]); // replications still differ
  const auto meta_common = sweep::read_sweep_file(common).meta;
  const auto meta_independent = sweep::read_sweep_file(independent).meta;
  EXPECT_EQ(meta_common.at("streams"), "common");
  EXPECT_EQ(meta_independent.at("streams"), "independent");
  EXPECT_NE(meta_common.at("sweep_id"), meta_independent.at("sweep_id"));
  EXPECT_EQ(sweep::read_sweep_file(by_default).meta.at("sweep_id"), meta_independent.at("sweep_id"));
  // Resuming a common-streams sweep as an independent one is refused (a different sweep).
  const auto mixed = run_edgesim(
      {"sweep", kTiny, "--vary", "tenants.0.arrival.rate=2,4,6", "--reps", "2", "-q", "--resume", "-o", common});
  EXPECT_NE(mixed.exit_code, 0);
  const auto bad = run_edgesim(
      {"sweep", kTiny, "--vary", "tenants.0.arrival.rate=2", "--streams", "same", "-o", dir.file("bad.h5")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--streams same"), std::string::npos) << bad.err;
}

} // namespace
} // namespace edgesim
