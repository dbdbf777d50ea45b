// Bad input through the CLI (docs/cli.md): every invalid scenario, model, platform or
// option must end with exit code 1 and one line on stderr, "edgesim <command>: error: ...", that
// names the file and the key path or line; never a signal, a hang or an output file.
// Usage errors exit with code 2.
#include "cli_runner.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::absolute(EDGESIM_TEST_DATA);
const fs::path kRoot = kData.parent_path().parent_path();
const fs::path kTiny = kData / "scenarios" / "tiny.toml";
const fs::path kBad = kData / "bad";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

std::set<std::string> list_directory(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.insert(entry.path().filename().string());
  return names;
}

// A fresh working directory per test; scenario text written there may use @DATA@ (the
// tests/data directory) and @ROOT@ (the repository).
class BadInputTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = fs::temp_directory_path() / ("edgesim_bad_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "work");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write_scenario(const std::string& text, const std::string& name = "scenario.toml") {
    fs::path path = dir_ / name;
    std::ofstream(path) << replace_all(replace_all(text, "@DATA@", kData.string()), "@ROOT@", kRoot.string());
    return path;
  }

  edgesim::test::CommandResult edgesim(const std::vector<std::string>& args) {
    return edgesim::test::run_edgesim(args, 30, (dir_ / "work").string());
  }

  // `check` and `run -o out.h5` must both reject the input with one error line that
  // contains every string of `expected`; `run` must leave nothing in its directory.
  void expect_rejected(const fs::path& scenario, const std::vector<std::string>& extra,
                       const std::vector<std::string>& expected) {
    for (const char* command : {"check", "run"}) {
      SCOPED_TRACE(command);
      std::vector<std::string> args{command, scenario.string()};
      args.insert(args.end(), extra.begin(), extra.end());
      if (std::string(command) == "run")
        args.insert(args.end(), {"-q", "-o", (dir_ / "work" / "out.h5").string()});
      edgesim::test::CommandResult r = edgesim(args);
      expect_input_error(r, expected, command);
      EXPECT_EQ(r.out, "") << "nothing on stdout for invalid input";
      EXPECT_TRUE(list_directory(dir_ / "work").empty()) << "left files behind: " << r.err;
    }
  }

  // The line names the subcommand, as usage errors do: "edgesim run: error: ...".
  static void expect_input_error(const edgesim::test::CommandResult& r, const std::vector<std::string>& expected,
                                 const std::string& command) {
    EXPECT_NE(r.exit_code, -1) << "edgesim hung (killed by timeout) or died from a signal: " << r.err;
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err.rfind("edgesim " + command + ": error: ", 0), 0U) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "expected one line: " << r.err;
    EXPECT_FALSE(r.err.empty() || r.err.back() != '\n') << r.err;
    for (const auto& text : expected)
      EXPECT_NE(r.err.find(text), std::string::npos) << "missing \"" << text << "\" in: " << r.err;
  }

  static void expect_usage_error(const edgesim::test::CommandResult& r, const std::string& expected) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
  }

  fs::path dir_;
};

// A valid scenario with every path absolute, so that it can live in the test directory.
// Line numbers matter: tests below check them.
const char* const kScenario = R"([simulation]
seed = 1
duration = "10s"

[platform]
file = "@DATA@/scenarios/tiny.xml"

[[tenants]]
name = "t"
model = "@DATA@/scenarios/tiny-model.toml"
source = "big-1"
arrival = { process = "poisson", rate = 2.0 }
)";

// --- positive controls -------------------------------------------------------------------

TEST_F(BadInputTest, QuickstartChecks) {
  edgesim::test::CommandResult r = edgesim({"check", (kRoot / "scenarios" / "quickstart.toml").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ok"), std::string::npos) << r.out;
}

TEST_F(BadInputTest, TinyFixtureChecksAndRuns) {
  edgesim::test::CommandResult check = edgesim({"check", kTiny.string()});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  edgesim::test::CommandResult inline_scenario = edgesim({"check", write_scenario(kScenario).string()});
  EXPECT_EQ(inline_scenario.exit_code, 0) << inline_scenario.err;
  // The run-side checks below ("no output file") mean something only if a good run writes one.
  edgesim::test::CommandResult run = edgesim({"run", kTiny.string(), "-q", "-o", "out.h5"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(list_directory(dir_ / "work"), std::set<std::string>{"out.h5"});
}

// --- files ---------------------------------------------------------------------------------

TEST_F(BadInputTest, MissingScenarioFile) {
  expect_rejected(dir_ / "does-not-exist.toml", {}, {"does-not-exist.toml", "cannot open"});
}

TEST_F(BadInputTest, RunWithDefaultOutputNameCreatesNothing) {
  // Without -o the output would be tiny.h5 in the working directory.
  edgesim::test::CommandResult r = edgesim({"run", kTiny.string(), "-q", "--set", "tenants.0.arrival.rate=-1"});
  expect_input_error(r, {"tenants.0.arrival.rate"}, "run");
  EXPECT_TRUE(list_directory(dir_ / "work").empty());
}

TEST_F(BadInputTest, ScenarioIsADirectory) {
  expect_rejected(dir_ / "capture", {}, {"capture"});
}

TEST_F(BadInputTest, TomlSyntaxErrorReportsLine) {
  auto path = write_scenario("[simulation]\nduration = \"10s\"\n[platform\nfile = \"x.xml\"\n");
  expect_rejected(path, {}, {"scenario.toml:3:"});
}

TEST_F(BadInputTest, MissingPlatformFile) {
  expect_rejected(kTiny, {"--set", "platform.file=nope.xml"}, {"tiny.toml", "platform.file", "nope.xml"});
}

TEST_F(BadInputTest, PlatformNotXml) {
  expect_rejected(kTiny, {"--set", "platform.file=" + (kBad / "not-xml.xml").string()},
                  {"not-xml.xml", "invalid platform"});
}

TEST_F(BadInputTest, PlatformTruncated) {
  expect_rejected(kTiny, {"--set", "platform.file=" + (kBad / "truncated.xml").string()},
                  {"truncated.xml", "invalid platform", "EOF"});
}

TEST_F(BadInputTest, PlatformUnknownAttribute) {
  expect_rejected(kTiny, {"--set", "platform.file=" + (kBad / "unknown-attribute.xml").string()},
                  {"unknown-attribute.xml", "colour"});
}

TEST_F(BadInputTest, PlatformWifiLinkWithLatency) {
  // SimGrid aborts on this one rather than throwing.
  expect_rejected(kTiny, {"--set", "platform.file=" + (kBad / "wifi-latency.xml").string()},
                  {"wifi-latency.xml", "Latency"});
}

TEST_F(BadInputTest, PlatformRouteToUnknownHost) {
  expect_rejected(kTiny, {"--set", "platform.file=" + (kBad / "unknown-route-host.xml").string()},
                  {"unknown-route-host.xml", "nowhere"});
}

TEST_F(BadInputTest, PlatformBadRamProperty) {
  expect_rejected(kTiny, {"--set", "platform.file=" + (kBad / "bad-ram.xml").string()},
                  {"bad-ram.xml", "ram_bytes", "small-1"});
}

TEST_F(BadInputTest, PlatformWithoutHosts) {
  expect_rejected(kTiny, {"--set", "platform.file=" + (kBad / "no-hosts.xml").string()}, {"no-hosts.xml", "no hosts"});
}

TEST_F(BadInputTest, UnknownModelFile) {
  expect_rejected(kTiny, {"--set", "tenants.0.model=nomodel.toml"}, {"tenants.0.model", "nomodel.toml"});
}

TEST_F(BadInputTest, ModelLayerWithoutFlops) {
  expect_rejected(kTiny, {"--set", "tenants.0.model=" + (kBad / "model-missing-flops.toml").string()},
                  {"model-missing-flops.toml:11:", "layers.1.flops"});
}

TEST_F(BadInputTest, ModelExitAfterUnknownLayer) {
  expect_rejected(kTiny, {"--set", "tenants.0.model=" + (kBad / "model-unknown-exit-layer.toml").string()},
                  {"model-unknown-exit-layer.toml:30:", "exits.0.after", "zz"});
}

TEST_F(BadInputTest, ModelSyntaxError) {
  expect_rejected(kTiny, {"--set", "tenants.0.model=" + (kBad / "model-syntax-error.toml").string()},
                  {"model-syntax-error.toml:3:"});
}

TEST_F(BadInputTest, ModelExitTraceMissingAnExit) {
  expect_rejected(kTiny, {"--set", "tenants.0.model=" + (kBad / "model-bad-trace.toml").string()},
                  {"exit-trace-missing-exit.csv:5:", "sample 7", "exit 1"});
}

TEST_F(BadInputTest, InlineModelMissingLayers) {
  expect_rejected(kTiny, {"--set", "tenants.0.model={name=\"m\",input_bytes=1}"}, {"tenants.0.model.layers"});
}

TEST_F(BadInputTest, ArrivalTraceMissing) {
  expect_rejected(kTiny, {"--set", "tenants.0.arrival={process=\"trace\",file=\"none.csv\"}"},
                  {"tenants.0.arrival.file", "none.csv"});
}

TEST_F(BadInputTest, ArrivalTraceNotSorted) {
  expect_rejected(
      kTiny,
      {"--set", "tenants.0.arrival={process=\"trace\",file=\"" + (kBad / "arrivals-decreasing.csv").string() + "\"}"},
      {"arrivals-decreasing.csv:4:", "non-decreasing"});
}

TEST_F(BadInputTest, MissingPlugin) {
  expect_rejected(kTiny, {"--plugin", (dir_ / "nope.so").string()}, {"nope.so"});
}

// --- keys and values -----------------------------------------------------------------------

TEST_F(BadInputTest, UnknownTopLevelKey) {
  auto path = write_scenario(std::string(kScenario) + "colour = \"blue\"\n");
  expect_rejected(path, {}, {"scenario.toml:13:", "colour", "unknown key"});
}

TEST_F(BadInputTest, UnknownTopLevelTable) {
  expect_rejected(kTiny, {"--set", "bogus.x=1"}, {"tiny.toml", "bogus", "unknown key"});
}

TEST_F(BadInputTest, UnknownTenantKey) {
  auto path = write_scenario(replace_all(kScenario, "source = ", "colour = 3\nsource = "));
  expect_rejected(path, {}, {"scenario.toml:11:", "tenants.0.colour", "unknown key"});
}

TEST_F(BadInputTest, UnknownHostSettingsKey) {
  expect_rejected(kTiny, {"--set", "hosts.default.bufer=3"}, {"hosts.default.bufer", "unknown key"});
}

TEST_F(BadInputTest, RateWrongType) {
  auto path = write_scenario(replace_all(kScenario, "rate = 2.0", "rate = \"fast\""));
  expect_rejected(path, {}, {"scenario.toml:12:", "tenants.0.arrival.rate", "a number"});
}

TEST_F(BadInputTest, RateNegative) {
  expect_rejected(kTiny, {"--set", "tenants.0.arrival.rate=-1"}, {"tenants.0.arrival.rate", "positive"});
}

TEST_F(BadInputTest, RateZero) {
  expect_rejected(kTiny, {"--set", "tenants.0.arrival.rate=0"}, {"tenants.0.arrival.rate", "positive"});
}

TEST_F(BadInputTest, RateInfinite) {
  expect_rejected(kTiny, {"--set", "tenants.0.arrival.rate=inf"}, {"tenants.0.arrival.rate"});
}

TEST_F(BadInputTest, UnknownArrivalProcess) {
  expect_rejected(kTiny, {"--set", "tenants.0.arrival.process=bursty"}, {"tenants.0.arrival.process", "poisson"});
}

TEST_F(BadInputTest, Mmpp2WithoutSojourn) {
  expect_rejected(kTiny, {"--set", "tenants.0.arrival={process=\"mmpp2\",rates=[1,2]}"}, {"tenants.0.arrival.sojourn"});
}

TEST_F(BadInputTest, ErlangWithoutStages) {
  expect_rejected(kTiny, {"--set", "tenants.0.work={distribution=\"erlang\",stages=0}"}, {"tenants.0.work.stages"});
}

TEST_F(BadInputTest, HyperexponentialBadBranchProbability) {
  expect_rejected(kTiny, {"--set", "tenants.0.work={distribution=\"hyperexponential\",p=2}"}, {"tenants.0.work.p"});
}

TEST_F(BadInputTest, BufferZero) {
  expect_rejected(kTiny, {"--set", "hosts.default.buffer=0"}, {"hosts.default.buffer", "K >= 1"});
}

TEST_F(BadInputTest, BufferNegative) {
  expect_rejected(kTiny, {"--set", "hosts.default.buffer=-3"}, {"hosts.default.buffer", "K >= 1"});
}

TEST_F(BadInputTest, BufferNotAnInteger) {
  expect_rejected(kTiny, {"--set", "hosts.default.buffer=2.5"}, {"hosts.default.buffer", "integer"});
}

TEST_F(BadInputTest, ServersZero) {
  expect_rejected(kTiny, {"--set", "hosts.default.servers=0"}, {"hosts.default.servers"});
}

TEST_F(BadInputTest, HostOverrideForUnknownHost) {
  expect_rejected(kTiny, {"--set", "hosts.nohost.buffer=3"}, {"hosts.nohost", "nohost", "tiny.xml"});
}

TEST_F(BadInputTest, PstateOutOfRange) {
  expect_rejected(kTiny, {"--set", "hosts.small-1.pstate=5"}, {"hosts.small-1.pstate", "0..1"});
}

TEST_F(BadInputTest, UnknownSourceHost) {
  expect_rejected(kTiny, {"--set", "tenants.0.source=nohost"}, {"tenants.0.source", "nohost", "tiny.xml"});
}

TEST_F(BadInputTest, UnknownFragmentHost) {
  expect_rejected(kTiny, {"--set", "placement.fragments.1.host=nohost"},
                  {"placement.fragments.1.host", "nohost", "tiny.xml"});
}

TEST_F(BadInputTest, DuplicateTenantName) {
  expect_rejected(kTiny, {"--set", "tenants.1={name=\"t\"}"}, {"tenants.1.name", "unique"});
}

TEST_F(BadInputTest, NoTenants) {
  expect_rejected(kTiny, {"--set", "tenants=[]"}, {"tenants"});
}

TEST_F(BadInputTest, DurationNegative) {
  expect_rejected(kTiny, {"--set", "simulation.duration=-5"}, {"simulation.duration", "positive"});
}

TEST_F(BadInputTest, DurationNegativeWithUnit) {
  expect_rejected(kTiny, {"--set", "simulation.duration=-5s"}, {"simulation.duration"});
}

TEST_F(BadInputTest, DurationNotADuration) {
  expect_rejected(kTiny, {"--set", "simulation.duration=soon"}, {"simulation.duration", "250ms"});
}

TEST_F(BadInputTest, DurationInfinite) {
  // Would never end: no hang, an error.
  expect_rejected(kTiny, {"--set", "simulation.duration=inf"}, {"simulation.duration", "finite"});
}

TEST_F(BadInputTest, NoDurationNorRequests) {
  auto path = write_scenario(replace_all(kScenario, "duration = \"10s\"\n", ""));
  expect_rejected(path, {}, {"scenario.toml", "simulation.duration", "requests"});
}

TEST_F(BadInputTest, WarmupEqualToDuration) {
  expect_rejected(kTiny, {"--set", "simulation.warmup=10s"}, {"simulation.warmup", "shorter than"});
}

TEST_F(BadInputTest, WarmupLongerThanDuration) {
  expect_rejected(kTiny, {"--set", "simulation.warmup=20"}, {"simulation.warmup"});
}

TEST_F(BadInputTest, UnknownNetworkModel) {
  expect_rejected(kTiny, {"--set", "simulation.network_model=ns-4"}, {"simulation.network_model"});
}

TEST_F(BadInputTest, SeedNegative) {
  expect_rejected(kTiny, {"--set", "simulation.seed=-1"}, {"simulation.seed"});
}

TEST_F(BadInputTest, SloZero) {
  expect_rejected(kTiny, {"--set", "tenants.0.slo=0ms"}, {"tenants.0.slo"});
}

// --- policies --------------------------------------------------------------------------------

TEST_F(BadInputTest, UnknownExitPolicy) {
  expect_rejected(kTiny, {"--set", "exits.policy=clairvoyant"}, {"exits.policy", "clairvoyant"});
}

TEST_F(BadInputTest, ExitPolicyNotAString) {
  expect_rejected(kTiny, {"--set", "exits.policy=3"}, {"tiny.toml", "exits.policy", "string"});
}

TEST_F(BadInputTest, UnknownPlacementPolicy) {
  expect_rejected(kTiny, {"--set", "placement.policy=magic"}, {"placement.policy", "magic"});
}

TEST_F(BadInputTest, UnknownTenantExitPolicy) {
  expect_rejected(kTiny, {"--set", "tenants.0.exits={policy=\"clairvoyant\"}"},
                  {"tenants.0.exits.policy", "clairvoyant"});
}

TEST_F(BadInputTest, UnknownTenantPlacementPolicy) {
  expect_rejected(kTiny, {"--set", "tenants.0.placement={policy=\"magic\"}"}, {"tenants.0.placement.policy", "magic"});
}

TEST_F(BadInputTest, UnknownPlacementKey) {
  expect_rejected(kTiny, {"--set", "placement.fragmnets=1"}, {"placement.fragmnets", "unknown key"});
}

TEST_F(BadInputTest, FragmentsWithGap) {
  expect_rejected(kTiny, {"--set", R"(placement.fragments=[{layers="0-0",host="small-1"},{layers="2-",host="big-1"}])"},
                  {"placement.fragments.1", "start at layer 1"});
}

TEST_F(BadInputTest, FragmentsOverlap) {
  expect_rejected(kTiny, {"--set", R"(placement.fragments=[{layers="0-1",host="big-1"},{layers="1-",host="big-1"}])"},
                  {"placement.fragments.1", "start at layer 2"});
}

TEST_F(BadInputTest, FragmentsNotReachingTheEnd) {
  expect_rejected(kTiny, {"--set", R"(placement.fragments=[{layers="0-2",host="big-1"}])"},
                  {"placement.fragments", "3..3"});
}

TEST_F(BadInputTest, FragmentBeyondLastLayer) {
  expect_rejected(kTiny, {"--set", R"(placement.fragments=[{layers="0-9",host="big-1"}])"},
                  {"placement.fragments.0", "0-9"});
}

TEST_F(BadInputTest, FragmentsEmpty) {
  expect_rejected(kTiny, {"--set", "placement.fragments=[]"}, {"placement.fragments"});
}

TEST_F(BadInputTest, FragmentWithoutHost) {
  expect_rejected(kTiny, {"--set", R"(placement.fragments=[{layers="0-"}])"}, {"placement.fragments.0", "host"});
}

TEST_F(BadInputTest, FragmentsOverHostRam) {
  expect_rejected(kTiny, {"--set", R"(placement.fragments=[{layers="0-",host="small-1"}])"},
                  {"tiny.toml", "placement", "small-1", "RAM", "tiny.xml"});
}

TEST_F(BadInputTest, Vgg16OnPiAPlusOverRam) {
  auto path = write_scenario(R"([simulation]
duration = "10s"
[platform]
file = "@ROOT@/platforms/chainnet-testbed.xml"
[[tenants]]
name = "cam"
model = "@ROOT@/scenarios/models/vgg16.toml"
source = "pia-1"
arrival = { process = "poisson", rate = 1.0 }
)");
  expect_rejected(path, {}, {"scenario.toml", "placement", "pia-1", "RAM", "chainnet-testbed.xml"});
}

TEST_F(BadInputTest, FragmentWorkNotOnePerFragment) {
  // tiny.toml places the model in two fragments.
  expect_rejected(kTiny, {"--set", R"(tenants.0.fragment_work=["exponential"])"},
                  {"tiny.toml", "tenants.t.fragment_work", "expected 2 laws", "found 1"});
  expect_rejected(kTiny, {"--set", "tenants.0.fragment_work=[3]"}, {"tenants.0.fragment_work", "distribution names"});
}

TEST_F(BadInputTest, ThresholdListWrongLength) {
  expect_rejected(kTiny, {"--set", "exits.thresholds=[0.9, 0.8, 0.7]"}, {"exits.thresholds", "2 thresholds"});
}

TEST_F(BadInputTest, ThresholdOutOfRange) {
  expect_rejected(kTiny, {"--set", "exits.thresholds=[0.9, 1.5]"}, {"exits.thresholds", "[0, 1]"});
}

TEST_F(BadInputTest, ProbabilitiesNotSummingToOne) {
  expect_rejected(kTiny, {"--set", "exits={policy=\"probabilities\",probabilities=[0.5,0.3,0.3]}"},
                  {"exits.probabilities", "sum to 1"});
}

TEST_F(BadInputTest, ProbabilitiesWrongLength) {
  expect_rejected(kTiny, {"--set", "exits={policy=\"probabilities\",probabilities=[0.5,0.5]}"},
                  {"exits.probabilities", "3 probabilities"});
}

TEST_F(BadInputTest, FixedExitOutOfRange) {
  expect_rejected(kTiny, {"--set", "exits={policy=\"fixed-exit\",exit=3}"}, {"exits.exit", "0..2"});
}

// --- --set -----------------------------------------------------------------------------------

TEST_F(BadInputTest, SetBadIndex) {
  expect_rejected(kTiny, {"--set", "tenants.5.name=x"}, {"--set tenants.5.name", "tenants.5", "1 elements"});
}

TEST_F(BadInputTest, SetNonNumericIndex) {
  expect_rejected(kTiny, {"--set", "tenants.first.name=x"}, {"tenants.first"});
}

TEST_F(BadInputTest, SetPathThroughAValue) {
  expect_rejected(kTiny, {"--set", "simulation.seed.low=1"}, {"simulation.seed.low", "simulation.seed is a value"});
}

TEST_F(BadInputTest, SetWithoutValue) {
  expect_rejected(kTiny, {"--set", "simulation.seed"}, {"KEY=VALUE"});
}

TEST_F(BadInputTest, SetEmptyComponent) {
  expect_rejected(kTiny, {"--set", "simulation..seed=1"}, {"simulation..seed", "empty"});
}

// --- SimGrid options ---------------------------------------------------------------------------

TEST_F(BadInputTest, UnknownSimgridConfigKey) {
  expect_rejected(kTiny, {"--cfg=unknown/key:1"}, {"--cfg=unknown/key:1", "unknown/key"});
}

TEST_F(BadInputTest, BadSimgridConfigValue) {
  expect_rejected(kTiny, {"--cfg=network/model:Bogus"}, {"--cfg=network/model:Bogus", "Bogus"});
}

TEST_F(BadInputTest, MalformedSimgridConfig) {
  expect_rejected(kTiny, {"--cfg=network/model"}, {"--cfg=network/model"});
}

TEST_F(BadInputTest, BadSimgridLogOption) {
  expect_rejected(kTiny, {"--log=nonsense"}, {"--log=nonsense"});
}

// --- usage errors (exit code 2) ------------------------------------------------------------------

TEST_F(BadInputTest, NoArguments) {
  edgesim::test::CommandResult r = edgesim({});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("usage"), std::string::npos) << r.err;
}

TEST_F(BadInputTest, UnknownCommand) {
  expect_usage_error(edgesim({"simulate", kTiny.string()}), "simulate");
}

TEST_F(BadInputTest, CheckWithoutScenario) {
  expect_usage_error(edgesim({"check"}), "missing SCENARIO.toml");
}

TEST_F(BadInputTest, RunWithoutScenario) {
  expect_usage_error(edgesim({"run", "-o", "out.h5"}), "missing SCENARIO.toml");
  EXPECT_TRUE(list_directory(dir_ / "work").empty());
}

TEST_F(BadInputTest, CheckUnknownOption) {
  expect_usage_error(edgesim({"check", kTiny.string(), "--frobnicate"}), "--frobnicate");
}

TEST_F(BadInputTest, RunUnknownOption) {
  expect_usage_error(edgesim({"run", kTiny.string(), "--frobnicate", "-o", "out.h5"}), "--frobnicate");
  EXPECT_TRUE(list_directory(dir_ / "work").empty());
}

TEST_F(BadInputTest, RunSeedNotANumber) {
  expect_usage_error(edgesim({"run", kTiny.string(), "--seed", "abc", "-o", "out.h5"}), "seed");
  EXPECT_TRUE(list_directory(dir_ / "work").empty());
}

TEST_F(BadInputTest, RunTwoScenarios) {
  expect_usage_error(edgesim({"run", kTiny.string(), kTiny.string(), "-o", "out.h5"}), "edgesim run");
  EXPECT_TRUE(list_directory(dir_ / "work").empty());
}

TEST_F(BadInputTest, SetWithoutArgument) {
  expect_usage_error(edgesim({"check", kTiny.string(), "--set"}), "set");
}

} // namespace
