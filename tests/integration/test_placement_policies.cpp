// Placement policies through the CLI: what `edgesim check` and `run` place and measure
// on pi-jetson-server.xml, agreement of chain-dp and ilp, the cost model's prediction
// against the simulated latency, and clear errors (exit 1, scenario file and placement
// key) for infeasible problems and bad keys.
#include "cli_runner.hpp"

#include "core/placement_problem.hpp"
#include "policies/place/chain_dp.hpp"
#include "scenario/scenario_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using edgesim::test::run_edgesim;
using edgesim::test::TempDir;

const fs::path kRoot = fs::absolute(EDGESIM_TEST_DATA).parent_path().parent_path();
const std::string kScenario = (kRoot / "scenarios" / "placement-bandwidth.toml").string();

std::vector<std::string> with_sets(std::vector<std::string> args, const std::vector<std::string>& sets) {
  for (const auto& s : sets) {
    args.emplace_back("--set");
    args.push_back(s);
  }
  return args;
}

// The fragments `edgesim check` prints for the first tenant: " [0-7]@pi4-1 [8-19]@server-1".
std::string placement_of(const std::vector<std::string>& sets) {
  const auto r = run_edgesim(with_sets({"check", kScenario}, sets));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto at = r.out.find("placement=");
  if (at == std::string::npos)
    return "";
  const auto colon = r.out.find(':', at);
  return r.out.substr(colon + 1, r.out.find('\n', colon) - colon - 1);
}

TEST(PlacementPolicies, CutWhereTheUplinkAllows) {
  // 50 kB/s: shipping any activation costs more than the Pi's 73 ms of MobileNetV2.
  for (const char* policy : {"chain-dp", "ilp", "neurosurgeon", "greedy"})
    EXPECT_EQ(placement_of({"links.ap-jetson.bandwidth=0.05MBps", std::string("placement.policy=") + policy}),
              " [0-19]@pi4-1")
        << policy;
  // 2 MB/s: the Pi runs the first 8 blocks and ships their 200 kB output to the server
  // (the optimum; neurosurgeon's single split finds it too).
  for (const char* policy : {"chain-dp", "ilp", "neurosurgeon"})
    EXPECT_EQ(placement_of({"links.ap-jetson.bandwidth=2MBps", std::string("placement.policy=") + policy}),
              " [0-7]@pi4-1 [8-19]@server-1")
        << policy;
  // ResNet-50 at 2 MB/s: 8.2 Gflop take 336 ms on the Pi; the input upload (0.3 s) plus
  // 26 ms on the server is sooner.
  EXPECT_EQ(placement_of({"links.ap-jetson.bandwidth=2MBps", "placement.policy=chain-dp",
                          "tenants.0.model=models/resnet50.toml"}),
            " [0-17]@server-1");
  // The random baseline is reproducible (seeded by the scenario seed) and feasible.
  const std::string random = placement_of({"placement.policy=random"});
  EXPECT_FALSE(random.empty());
  EXPECT_EQ(placement_of({"placement.policy=random"}), random);
}

TEST(PlacementPolicies, SimulatedLatencyMatchesThePrediction) {
  // Periodic arrivals, one at a time: the simulated latency is the placement's compute
  // and transfer time, which chain-dp predicts from the probed routes and cost model.
  using namespace edgesim;
  const std::vector<std::string> sets{"links.ap-jetson.bandwidth=2MBps", "placement.policy=chain-dp"};
  Scenario scenario = load_scenario(kScenario, sets);
  const PlacementInputs inputs = probe_placement_inputs(scenario);
  const PlacementProblem problem = make_placement_problem(inputs, scenario.tenants[0], 0);
  const auto fragments = place::chain_dp(problem, place::ChainObjective::Latency, place::all_hosts(problem));
  const auto predicted = place::evaluate_chain(problem, fragments);
  ASSERT_TRUE(predicted.has_value());

  TempDir dir;
  const auto r = run_edgesim(with_sets({"run", kScenario, "--json", "-q", "-o", dir.file("out.h5")}, sets));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const double measured = edgesim::test::json_field(r.out, "all", "latency_mean");
  EXPECT_NEAR(measured, predicted->latency_s, 0.01 * predicted->latency_s);
}

class PlacementErrors : public ::testing::Test {
protected:
  TempDir dir_;
  // Hosts a (source, 1 MB RAM), b (1 MB) and c (8 GB); a-b wired, c has no route.
  void SetUp() override {
    dir_.write("p.xml", R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
  <zone id="z" routing="Full">
    <host id="a" speed="1Gf"><prop id="ram_bytes" value="1000000"/></host>
    <host id="b" speed="1Gf"><prop id="ram_bytes" value="1000000"/></host>
    <host id="c" speed="1Gf"><prop id="ram_bytes" value="8000000000"/></host>
    <link id="ab" bandwidth="100Mbps" latency="1ms"/>
    <route src="a" dst="b"><link_ctn id="ab"/></route>
  </zone>
</platform>
)");
    dir_.write("m.toml", R"(name = "m"
input_bytes = 1000
[[layers]]
name = "x"
flops = 1e6
out_bytes = 1000
param_bytes = 5000
[[layers]]
name = "big"
flops = 1e6
out_bytes = 1000
param_bytes = 2e6
[final]
accuracy = 0.5
)");
  }
  std::string scenario(const std::string& placement) {
    return dir_.write("s.toml", R"([simulation]
requests = 5
[platform]
file = "p.xml"
[[tenants]]
name = "t"
model = "m.toml"
source = "a"
arrival = { process = "periodic", rate = 1.0 }
[placement]
)" + placement + R"(
[exits]
policy = "none"
)");
  }
  void expect_error(const std::string& placement, const std::vector<std::string>& expected) {
    const std::string file = scenario(placement);
    for (const char* command : {"check", "run"}) {
      std::vector<std::string> args{command, file};
      if (std::string(command) == "run")
        args.insert(args.end(), {"-q", "-o", dir_.file("out.h5")});
      const auto r = run_edgesim(args);
      EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
      EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
      for (const auto& text : expected)
        EXPECT_NE(r.err.find(text), std::string::npos) << "missing \"" << text << "\" in: " << r.err;
      EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
    }
  }
};

TEST_F(PlacementErrors, LayerBiggerThanEveryHostRam) {
  for (const char* policy : {"chain-dp", "ilp", "greedy", "random"})
    expect_error(std::string("policy = \"") + policy + "\"\nhosts = [\"a\", \"b\"]",
                 {"placement.policy", policy, "layer 1 (big) needs 2.0 MB of RAM"});
  expect_error("policy = \"neurosurgeon\"\ntarget = \"b\"",
               {"placement.policy", "neurosurgeon", "layer 1 (big) needs 2.0 MB of RAM"});
}

TEST_F(PlacementErrors, NoRouteToTheHostWithRoom) {
  // Only c can hold layer "big", and a cannot reach it.
  for (const char* policy : {"chain-dp", "ilp", "greedy", "random"})
    expect_error(std::string("policy = \"") + policy + "\"",
                 {"placement.policy", "layer 1 (big) fits only on hosts with no route from the source host a"});
  expect_error("policy = \"neurosurgeon\"", {"placement.policy", "neurosurgeon found no feasible placement"});
}

TEST_F(PlacementErrors, KeysAreValidated) {
  expect_error("policy = \"chain-dp\"\nobjectiv = \"latency\"", {"placement.objectiv", "unknown key"});
  expect_error("policy = \"chain-dp\"\nobjective = \"energy\"", {"placement.objective", "\"throughput\""});
  expect_error("policy = \"ilp\"\ntime_limit = 0", {"placement.time_limit", "positive duration"});
  expect_error("policy = \"greedy\"\nhosts = [\"a\", \"zz\"]", {"placement.hosts", "no host named \"zz\""});
  expect_error("policy = \"neurosurgeon\"\nobjective = \"energy\"", {"placement.objective", "wattage_per_state"});
  expect_error("policy = \"neurosurgeon\"\ntarget = \"zz\"", {"placement.target", "no host named \"zz\""});
}

TEST(PlacementPolicies, ListedWithDescriptions) {
  const auto r = run_edgesim({"list", "policies"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"neurosurgeon ", "chain-dp ", "ilp ", "greedy ", "random "})
    EXPECT_NE(r.out.find(std::string("  ") + name), std::string::npos) << name;
  EXPECT_NE(r.out.find("GLPK"), std::string::npos);
}

} // namespace
