// load_scenario: typed values (units, arrival processes, work distributions), host and
// policy inheritance, --set overrides, and error messages that name file, line and key.
#include "scenario/scenario_loader.hpp"

#include <edgesim/error.hpp>
#include <edgesim/random.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using edgesim::ArrivalSpec;
using edgesim::InputError;
using edgesim::Rng;
using edgesim::Scenario;

const fs::path kData = fs::absolute(EDGESIM_TEST_DATA);

/// The first `count` arrival times of a run of `arrival` (infinity past a trace's end).
std::vector<double> arrival_times(const ArrivalSpec& arrival, std::size_t count) {
  Rng rng(1);
  auto stream = arrival.process->start(rng);
  std::vector<double> times;
  for (std::size_t i = 0; i < count; ++i)
    times.push_back(stream->next(rng));
  return times;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

// Scenario text is written to a per-test directory; @DATA@ stands for tests/data.
class ScenarioLoaderTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("edgesim_scenario_" + std::to_string(::getpid()) + "_" + test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    std::ofstream(path) << replace_all(text, "@DATA@", kData.string());
    return path.string();
  }

  Scenario load(const std::string& text, const std::vector<std::string>& overrides = {}) {
    return edgesim::load_scenario(write("scenario.toml", text), overrides);
  }

  // The InputError message of loading `text`, or "" when it loads.
  std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
    try {
      load(text, overrides);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

// Lines are numbered for the tests that check line numbers in messages.
const char* const kBase = R"([simulation]
seed = 7
duration = "2min"

[platform]
file = "@DATA@/scenarios/tiny.xml"

[[tenants]]
name = "cam"
model = "@DATA@/scenarios/tiny-model.toml"
source = "small-1"
arrival = { process = "poisson", rate = 4.5 }
)";

// Appends a second tenant built from `arrival` (an inline table) to kBase.
std::string with_second_tenant(const std::string& fields) {
  return std::string(kBase) +
         "\n[[tenants]]\nname = \"two\"\nmodel = \"@DATA@/scenarios/tiny-model.toml\"\n"
         "source = \"big-1\"\n" +
         fields + "\n";
}

TEST_F(ScenarioLoaderTest, LoadsTheTinyFixture) {
  Scenario s = edgesim::load_scenario((kData / "scenarios" / "tiny.toml").string(), {});
  EXPECT_EQ(s.simulation.seed, 1U);
  EXPECT_DOUBLE_EQ(s.simulation.duration, 10.0);
  EXPECT_DOUBLE_EQ(s.simulation.warmup, 1.0);
  EXPECT_EQ(s.platform_file, (kData / "scenarios" / "tiny.xml").lexically_normal().string());
  ASSERT_EQ(s.tenants.size(), 1U);
  const auto& t = s.tenants[0];
  EXPECT_EQ(t.name, "t");
  EXPECT_EQ(t.source, "small-1");
  EXPECT_EQ(t.model.name, "tiny");
  EXPECT_EQ(t.model.layers.size(), 4U);
  EXPECT_DOUBLE_EQ(t.slo, 0.25);
  EXPECT_DOUBLE_EQ(t.input_bytes, 1000.0) << "defaults to the model's input_bytes";
  EXPECT_EQ(t.arrival.name, "poisson");
  EXPECT_TRUE(t.arrival.process->is_poisson());
  EXPECT_DOUBLE_EQ(t.arrival.mean_rate(), 2.0);
  EXPECT_EQ(t.placement.name, "manual");
  EXPECT_EQ(t.placement.path, "placement");
  EXPECT_TRUE(t.placement.table->contains("fragments"));
  EXPECT_EQ(t.exits.name, "threshold");
  EXPECT_EQ(t.exits.path, "exits");
  EXPECT_EQ(s.default_host.buffer, 10);
  EXPECT_EQ(s.default_host.servers, 1);
  EXPECT_FALSE(s.text.empty());
}

TEST_F(ScenarioLoaderTest, Defaults) {
  Scenario s = load(kBase);
  EXPECT_EQ(s.simulation.seed, 7U);
  EXPECT_DOUBLE_EQ(s.simulation.duration, 120.0);
  EXPECT_DOUBLE_EQ(s.simulation.warmup, 0.0);
  EXPECT_DOUBLE_EQ(s.simulation.sample_every, 1.0);
  EXPECT_EQ(s.simulation.network_model, "CM02");
  EXPECT_TRUE(s.simulation.trace_requests);
  EXPECT_EQ(s.simulation.requests, 0U);
  const auto& t = s.tenants[0];
  EXPECT_TRUE(std::isinf(t.slo));
  EXPECT_FALSE(t.drop_late);
  EXPECT_EQ(t.work.name, "deterministic");
  ASSERT_NE(t.work.law, nullptr);
  EXPECT_DOUBLE_EQ(t.work.law->scv(), 0.0);
  EXPECT_EQ(t.placement.name, "source-only");
  EXPECT_EQ(t.exits.name, "none");
  EXPECT_EQ(s.default_host.buffer, 10);
  EXPECT_EQ(s.default_host.servers, 1);
  EXPECT_FALSE(s.default_host.battery_wh.has_value());
  EXPECT_FALSE(s.default_host.pstate.has_value());
}

TEST_F(ScenarioLoaderTest, UnitsAreConverted) {
  std::string text = replace_all(kBase, "duration = \"2min\"", R"(duration = "1.5s"
warmup = "250ms"
sample_every = "100ms"
network_model = "LV08"
trace_requests = false)");
  text = replace_all(text, "source = \"small-1\"",
                     "source = \"small-1\"\nslo = \"250ms\"\ninput_bytes = \"150kB\"\ndrop_late = true");
  text += "\n[hosts.default]\nbattery_wh = \"12.1Wh\"\npstate = 1\n";
  Scenario s = load(text);
  EXPECT_DOUBLE_EQ(s.simulation.duration, 1.5);
  EXPECT_DOUBLE_EQ(s.simulation.warmup, 0.25);
  EXPECT_DOUBLE_EQ(s.simulation.sample_every, 0.1);
  EXPECT_EQ(s.simulation.network_model, "LV08");
  EXPECT_FALSE(s.simulation.trace_requests);
  EXPECT_DOUBLE_EQ(s.tenants[0].slo, 0.25);
  EXPECT_DOUBLE_EQ(s.tenants[0].input_bytes, 150000.0);
  EXPECT_TRUE(s.tenants[0].drop_late);
  ASSERT_TRUE(s.default_host.battery_wh.has_value());
  EXPECT_NEAR(*s.default_host.battery_wh, 12.1, 1e-12);
  EXPECT_EQ(s.default_host.pstate, 1);
}

TEST_F(ScenarioLoaderTest, NumbersAreSecondsAndWattHours) {
  std::string text = replace_all(kBase, "duration = \"2min\"", "duration = 30\nwarmup = 2.5");
  text += "\n[hosts.default]\nbattery_wh = 10\n";
  Scenario s = load(text);
  EXPECT_DOUBLE_EQ(s.simulation.duration, 30.0);
  EXPECT_DOUBLE_EQ(s.simulation.warmup, 2.5);
  EXPECT_DOUBLE_EQ(*s.default_host.battery_wh, 10.0);
  Scenario kj = load(replace_all(text, "battery_wh = 10", "battery_wh = \"36kJ\""));
  EXPECT_DOUBLE_EQ(*kj.default_host.battery_wh, 10.0);
}

TEST_F(ScenarioLoaderTest, RequestsInsteadOfDuration) {
  Scenario s = load(replace_all(kBase, "duration = \"2min\"", "requests = 500\nwarmup = \"1s\""));
  EXPECT_EQ(s.simulation.requests, 500U);
  EXPECT_TRUE(std::isinf(s.simulation.duration));
  EXPECT_DOUBLE_EQ(s.simulation.warmup, 1.0);
}

TEST_F(ScenarioLoaderTest, ArrivalPeriodic) {
  Scenario s = load(replace_all(kBase, "process = \"poisson\", rate = 4.5", "process = \"periodic\", rate = 10"));
  EXPECT_EQ(s.tenants[0].arrival.name, "periodic");
  EXPECT_FALSE(s.tenants[0].arrival.process->is_poisson());
  EXPECT_DOUBLE_EQ(s.tenants[0].arrival.mean_rate(), 10.0);
  EXPECT_EQ(arrival_times(s.tenants[0].arrival, 3), (std::vector<double>{0.1, 0.2, 0.30000000000000004}));
}

TEST_F(ScenarioLoaderTest, ArrivalPoissonIsTheDefaultProcess) {
  Scenario s = load(replace_all(kBase, "process = \"poisson\", rate = 4.5", "rate = 3"));
  EXPECT_EQ(s.tenants[0].arrival.name, "poisson");
  EXPECT_DOUBLE_EQ(s.tenants[0].arrival.mean_rate(), 3.0);
}

TEST_F(ScenarioLoaderTest, ArrivalMmpp2) {
  Scenario s = load(replace_all(kBase, "process = \"poisson\", rate = 4.5",
                                "process = \"mmpp2\", rates = [20.0, 2], sojourn = [\"500ms\", 4.5]"));
  const auto& a = s.tenants[0].arrival;
  EXPECT_EQ(a.name, "mmpp2");
  EXPECT_FALSE(a.process->is_poisson());
  // The rates and sojourns (500 ms given as a duration) set the long-run rate.
  EXPECT_DOUBLE_EQ(a.mean_rate(), (20.0 * 0.5 + 2.0 * 4.5) / 5.0);
}

TEST_F(ScenarioLoaderTest, ArrivalTraceRelativeToTheScenario) {
  write("arrivals.csv", "time,comment\n0.0,first\n# a comment\n0.5\n0.5\n2.0\n");
  Scenario s =
      load(replace_all(kBase, "process = \"poisson\", rate = 4.5", "process = \"trace\", file = \"arrivals.csv\""));
  const auto& a = s.tenants[0].arrival;
  EXPECT_EQ(a.name, "trace");
  EXPECT_EQ(arrival_times(a, 5), (std::vector<double>{0.0, 0.5, 0.5, 2.0, INFINITY}));
  EXPECT_DOUBLE_EQ(a.mean_rate(), 1.5);
  EXPECT_DOUBLE_EQ(a.process->expected_arrivals(0.5), 3.0) << "rows up to t, inclusive";
  EXPECT_DOUBLE_EQ(a.process->expected_arrivals(10), 4.0);
}

TEST_F(ScenarioLoaderTest, ArrivalTraceFixture) {
  Scenario s = load(replace_all(kBase, "process = \"poisson\", rate = 4.5",
                                "process = \"trace\", file = \"@DATA@/scenarios/tiny-arrivals.csv\""));
  EXPECT_EQ(arrival_times(s.tenants[0].arrival, 5), (std::vector<double>{0.0, 0.5, 0.5, 1.25, 3.0}));
}

TEST_F(ScenarioLoaderTest, ArrivalTraceErrorsNameFileAndLine) {
  write("bad.csv", "time\n1.0\nsoon\n");
  auto message =
      error_of(replace_all(kBase, "process = \"poisson\", rate = 4.5", "process = \"trace\", file = \"bad.csv\""));
  EXPECT_NE(message.find("bad.csv:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("soon"), std::string::npos) << message;
  write("empty.csv", "time\n");
  message =
      error_of(replace_all(kBase, "process = \"poisson\", rate = 4.5", "process = \"trace\", file = \"empty.csv\""));
  EXPECT_NE(message.find("no rows"), std::string::npos) << message;
}

TEST_F(ScenarioLoaderTest, WorkDistributions) {
  Scenario s = load(with_second_tenant("arrival = { rate = 1 }\nwork = \"exponential\""));
  EXPECT_EQ(s.tenants[0].work.name, "deterministic");
  EXPECT_EQ(s.tenants[1].work.name, "exponential");
  EXPECT_DOUBLE_EQ(s.tenants[1].work.law->scv(), 1.0);

  Scenario erlang =
      load(with_second_tenant("arrival = { rate = 1 }\nwork = { distribution = \"erlang\", stages = 3 }"));
  EXPECT_EQ(erlang.tenants[1].work.name, "erlang");
  EXPECT_DOUBLE_EQ(erlang.tenants[1].work.law->scv(), 1.0 / 3.0) << "3 stages";

  Scenario h2 =
      load(with_second_tenant("arrival = { rate = 1 }\nwork = { distribution = \"hyperexponential\", scv = 9 }"));
  EXPECT_EQ(h2.tenants[1].work.name, "hyperexponential");
  EXPECT_DOUBLE_EQ(h2.tenants[1].work.law->scv(), 9.0);

  Scenario det = load(with_second_tenant("arrival = { rate = 1 }\nwork = { distribution = \"deterministic\" }"));
  EXPECT_EQ(det.tenants[1].work.name, "deterministic");
}

TEST_F(ScenarioLoaderTest, WorkDistributionErrors) {
  auto message = error_of(with_second_tenant("arrival = { rate = 1 }\nwork = \"gamma\""));
  EXPECT_NE(message.find("tenants.1.work.distribution"), std::string::npos) << message;
  EXPECT_NE(message.find(R"(one of "deterministic", "exponential", "erlang", "hyperexponential")"), std::string::npos)
      << "the registered laws: " << message;
  message = error_of(with_second_tenant("arrival = { rate = 1 }\nwork = { distribution = \"erlang\" }"));
  EXPECT_NE(message.find("tenants.1.work.stages"), std::string::npos) << message;
  message =
      error_of(with_second_tenant("arrival = { rate = 1 }\nwork = { distribution = \"hyperexponential\", scv = 1 }"));
  EXPECT_NE(message.find("tenants.1.work.scv"), std::string::npos) << message;
  message =
      error_of(with_second_tenant("arrival = { rate = 1 }\nwork = { distribution = \"hyperexponential\", p = 1.5 }"));
  EXPECT_NE(message.find("tenants.1.work.p"), std::string::npos) << message;
  message =
      error_of(with_second_tenant("arrival = { rate = 1 }\nwork = { distribution = \"exponential\", shape = 2 }"));
  EXPECT_NE(message.find("tenants.1.work.shape"), std::string::npos) << message;
  message = error_of(with_second_tenant("arrival = { rate = 1 }\nwork = 3"));
  EXPECT_NE(message.find("tenants.1.work"), std::string::npos) << message;
}

TEST_F(ScenarioLoaderTest, HostOverridesInheritTheDefault) {
  std::string text = std::string(kBase) + R"(
[hosts.default]
buffer = 5
servers = 2
battery_wh = 3

[hosts."small-1"]
buffer = 3

[hosts.big-1]
servers = 4
pstate = 0
)";
  Scenario s = load(text);
  EXPECT_EQ(s.default_host.buffer, 5);
  EXPECT_EQ(s.default_host.servers, 2);
  const auto& small = s.host_settings("small-1");
  EXPECT_EQ(small.buffer, 3);
  EXPECT_EQ(small.servers, 2) << "inherited from hosts.default";
  EXPECT_DOUBLE_EQ(*small.battery_wh, 3.0);
  const auto& big = s.host_settings("big-1");
  EXPECT_EQ(big.buffer, 5);
  EXPECT_EQ(big.servers, 4);
  EXPECT_EQ(big.pstate, 0);
  const auto& other = s.host_settings("elsewhere");
  EXPECT_EQ(other.buffer, 5);
  EXPECT_EQ(other.servers, 2);
  EXPECT_EQ(s.host_overrides.size(), 2U);
}

TEST_F(ScenarioLoaderTest, HostOverrideDeclaredBeforeDefaultStillInherits) {
  std::string text = std::string(kBase) + "\n[hosts.small-1]\nbuffer = 3\n\n[hosts.default]\nservers = 6\n";
  Scenario s = load(text);
  EXPECT_EQ(s.host_settings("small-1").buffer, 3);
  EXPECT_EQ(s.host_settings("small-1").servers, 6);
}

TEST_F(ScenarioLoaderTest, TenantPoliciesOverrideGlobalOnes) {
  std::string text = with_second_tenant(R"(arrival = { rate = 1 }
exits = { policy = "fixed-exit", exit = 1 }
placement = { policy = "manual", fragments = [ { layers = "0-", host = "big-1" } ] })");
  text += R"(
[exits]
policy = "threshold"
thresholds = 0.8

[placement]
policy = "source-only"
)";
  Scenario s = load(text);
  ASSERT_EQ(s.tenants.size(), 2U);
  EXPECT_EQ(s.tenants[0].exits.name, "threshold");
  EXPECT_EQ(s.tenants[0].exits.path, "exits");
  EXPECT_DOUBLE_EQ(s.tenants[0].exits.table->get("thresholds")->value<double>().value_or(0), 0.8);
  EXPECT_EQ(s.tenants[0].placement.name, "source-only");
  EXPECT_EQ(s.tenants[0].placement.path, "placement");
  EXPECT_EQ(s.tenants[1].exits.name, "fixed-exit");
  EXPECT_EQ(s.tenants[1].exits.path, "tenants.1.exits");
  EXPECT_EQ(s.tenants[1].exits.table->get("exit")->value<int>().value_or(-1), 1);
  EXPECT_EQ(s.tenants[1].placement.name, "manual");
  EXPECT_EQ(s.tenants[1].placement.path, "tenants.1.placement");
}

TEST_F(ScenarioLoaderTest, TenantPolicyTableWithoutNameInheritsTheGlobalName) {
  std::string text = with_second_tenant("arrival = { rate = 1 }\nexits = { thresholds = [0.5, 0.6] }");
  text += "\n[exits]\npolicy = \"threshold\"\nthresholds = 0.8\n";
  Scenario s = load(text);
  EXPECT_EQ(s.tenants[1].exits.name, "threshold");
  EXPECT_EQ(s.tenants[1].exits.path, "tenants.1.exits");
  EXPECT_TRUE(s.tenants[1].exits.table->get("thresholds")->is_array());
}

TEST_F(ScenarioLoaderTest, InlineModel) {
  std::string text = replace_all(
      kBase, "model = \"@DATA@/scenarios/tiny-model.toml\"",
      R"(model = { name = "inline", input_bytes = 10, layers = [ { name = "x", flops = 100, out_bytes = 1 }, { name = "y", flops = 50, out_bytes = 1 } ], final = { accuracy = 0.5 } })");
  Scenario s = load(text);
  EXPECT_EQ(s.tenants[0].model.name, "inline");
  EXPECT_EQ(s.tenants[0].model.layers.size(), 2U);
  EXPECT_DOUBLE_EQ(s.tenants[0].model.total_flops(), 150.0);
  EXPECT_EQ(s.tenants[0].model.source_file, s.file);
}

TEST_F(ScenarioLoaderTest, RelativePathsResolveAgainstTheScenarioDirectory) {
  fs::copy_file(kData / "scenarios" / "tiny-model.toml", dir_ / "m.toml");
  Scenario s = load(replace_all(kBase, "@DATA@/scenarios/tiny-model.toml", "m.toml"));
  EXPECT_EQ(s.tenants[0].model.name, "tiny");
  EXPECT_EQ(s.base_dir, dir_.string());
}

TEST_F(ScenarioLoaderTest, OverridesAreAppliedBeforeValidation) {
  Scenario s = load(kBase, {"tenants.0.arrival.rate=12.5", "hosts.default.buffer=5", "exits.policy=ucb",
                            "simulation.duration=30s", "tenants.0.slo=100ms", "simulation.seed=99"});
  EXPECT_DOUBLE_EQ(s.tenants[0].arrival.mean_rate(), 12.5);
  EXPECT_EQ(s.default_host.buffer, 5);
  EXPECT_EQ(s.tenants[0].exits.name, "ucb") << "validated later, against the registry";
  EXPECT_DOUBLE_EQ(s.simulation.duration, 30.0);
  EXPECT_DOUBLE_EQ(s.tenants[0].slo, 0.1);
  EXPECT_EQ(s.simulation.seed, 99U);
  EXPECT_NE(s.text.find("12.5"), std::string::npos) << "text is the scenario after overrides";
}

TEST_F(ScenarioLoaderTest, OverrideAppendsATenantAtIndexEqualToSize) {
  const std::string model = (kData / "scenarios" / "tiny-model.toml").string();
  Scenario s = load(kBase, {"tenants.1={name=\"b\",model=\"" + model + "\",source=\"big-1\",arrival={rate=1}}",
                            "tenants.1.arrival.rate=3"});
  ASSERT_EQ(s.tenants.size(), 2U);
  EXPECT_EQ(s.tenants[1].name, "b");
  EXPECT_DOUBLE_EQ(s.tenants[1].arrival.mean_rate(), 3.0);
}

// --- error messages ---------------------------------------------------------------------------

TEST_F(ScenarioLoaderTest, MissingFile) {
  try {
    edgesim::load_scenario((dir_ / "nope.toml").string(), {});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("nope.toml: cannot open"), std::string::npos) << e.what();
  }
}

TEST_F(ScenarioLoaderTest, SyntaxErrorNamesLineAndColumn) {
  auto message = error_of("[simulation]\nduration = \"1s\"\nseed = = 3\n");
  EXPECT_NE(message.find("scenario.toml:3:"), std::string::npos) << message;
}

TEST_F(ScenarioLoaderTest, UnknownKeysNameLineAndPath) {
  auto message = error_of("extra = 1\n" + std::string(kBase));
  EXPECT_NE(message.find("scenario.toml:1: extra: unknown key"), std::string::npos) << message;
  message = error_of(std::string(kBase) + "extra = 1\n");
  EXPECT_NE(message.find("scenario.toml:13: tenants.0.extra: unknown key"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "seed = 7", "seed = 7\nsede = 8"));
  EXPECT_NE(message.find("scenario.toml:3: simulation.sede: unknown key"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "source = \"small-1\"", "source = \"small-1\"\nsorce = 1"));
  EXPECT_NE(message.find("scenario.toml:12: tenants.0.sorce: unknown key"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "rate = 4.5", "rate = 4.5, burst = 2"));
  EXPECT_NE(message.find("tenants.0.arrival.burst"), std::string::npos) << message;
  message = error_of(std::string(kBase) + "[hosts.default]\nbuffers = 2\n");
  EXPECT_NE(message.find("scenario.toml:14: hosts.default.buffers"), std::string::npos) << message;
}

TEST_F(ScenarioLoaderTest, WrongTypesNameLineAndPath) {
  auto message = error_of(replace_all(kBase, "rate = 4.5", "rate = \"fast\""));
  EXPECT_NE(message.find("scenario.toml:12: tenants.0.arrival.rate: expected a number"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "seed = 7", "seed = \"seven\""));
  EXPECT_NE(message.find("scenario.toml:2: simulation.seed: expected an integer"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "duration = \"2min\"", "duration = \"soon\""));
  EXPECT_NE(message.find("scenario.toml:3: simulation.duration"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "source = \"small-1\"", "source = 3"));
  EXPECT_NE(message.find("scenario.toml:11: tenants.0.source: expected a string"), std::string::npos) << message;
  message = error_of(std::string(kBase) + "[hosts.default]\nbuffer = 2.5\n");
  EXPECT_NE(message.find("hosts.default.buffer: expected an integer"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "seed = 7", "seed = 7\ntrace_requests = \"yes\""));
  EXPECT_NE(message.find("simulation.trace_requests"), std::string::npos) << message;
}

TEST_F(ScenarioLoaderTest, ImpossibleValues) {
  struct Case {
    std::string from, to, expected;
  };
  const std::vector<Case> cases{
      {"rate = 4.5", "rate = -1", "tenants.0.arrival.rate: expected a positive"},
      {"rate = 4.5", "rate = 0", "tenants.0.arrival.rate: expected a positive"},
      {"duration = \"2min\"", "duration = -3", "simulation.duration: expected a positive"},
      {"duration = \"2min\"", "duration = inf", "simulation.duration: expected a finite"},
      {"duration = \"2min\"", "duration = \"1s\"\nwarmup = \"1s\"", "simulation.warmup"},
      {"duration = \"2min\"", "duration = \"1s\"\nwarmup = -1", "simulation.warmup"},
      {"duration = \"2min\"", "requests = 0", "simulation.requests"},
      {"seed = 7", "seed = -2", "simulation.seed"},
      {"process = \"poisson\", rate = 4.5", "process = \"mmpp2\", rates = [0, 0], sojourn = [1, 1]",
       "tenants.0.arrival.rates"},
      {"process = \"poisson\", rate = 4.5", "process = \"mmpp2\", rates = [1, 2], sojourn = [1, -1]",
       "tenants.0.arrival.sojourn"},
      {"process = \"poisson\", rate = 4.5", "process = \"hawkes\"", "tenants.0.arrival.process"},
      {"name = \"cam\"", "name = \"all\"", "tenants.0.name"},
      {"name = \"cam\"", "name = \"\"", "tenants.0.name"},
      {"source = \"small-1\"", "source = \"small-1\"\nslo = 0", "tenants.0.slo"},
      {"source = \"small-1\"", "source = \"small-1\"\ninput_bytes = -5", "tenants.0.input_bytes"},
      {"source = \"small-1\"", "source = \"small-1\"\ndrop_late = 1", "tenants.0.drop_late"},
      {"model = \"@DATA@/scenarios/tiny-model.toml\"", "model = \"missing.toml\"", "tenants.0.model"},
      {"model = \"@DATA@/scenarios/tiny-model.toml\"", "model = 42", "tenants.0.model"},
      {"file = \"@DATA@/scenarios/tiny.xml\"", "file = \"missing.xml\"", "scenario.toml:6: platform.file"},
      {"seed = 7", "seed = 7\nnetwork_model = \"fast\"", "simulation.network_model"},
  };
  for (const auto& c : cases) {
    auto message = error_of(replace_all(kBase, c.from, c.to));
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.to << " -> " << message;
    EXPECT_NE(message.find("scenario.toml"), std::string::npos) << message;
  }
  auto message = error_of(std::string(kBase) + "[hosts.default]\nbuffer = 0\n");
  EXPECT_NE(message.find("hosts.default.buffer: expected K >= 1"), std::string::npos) << message;
  message = error_of(std::string(kBase) + "[hosts.pi]\nservers = 0\n");
  EXPECT_NE(message.find("hosts.pi.servers"), std::string::npos) << message;
  message = error_of(std::string(kBase) + "[hosts.default]\ndiscipline = \"lifo\"\n");
  EXPECT_NE(message.find("hosts.default.discipline"), std::string::npos) << message;
  message = error_of(std::string(kBase) + "[hosts.default]\nbattery_wh = \"12W\"\n");
  EXPECT_NE(message.find("hosts.default.battery_wh"), std::string::npos) << message;
  message = error_of(std::string(kBase) + "[hosts.default]\npstate = -1\n");
  EXPECT_NE(message.find("hosts.default.pstate"), std::string::npos) << message;
}

// Found by fuzzing (tests/fuzz/regressions/scenario): values that used to be accepted.
TEST_F(ScenarioLoaderTest, OutOfRangeAndNonFiniteValues) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"hosts.default.buffer=4294967297", "hosts.default.buffer: expected K >= 1 (requests in system, including "
                                          "the one in service), at most 2147483647 (got 4294967297)"},
      {"hosts.default.buffer=100000000000", "at most 2147483647"},
      {"hosts.default.servers=2147483648", "hosts.default.servers"},
      {"hosts.default.pstate=4294967296", "hosts.default.pstate"},
      {"tenants.0.work={distribution=\"erlang\", stages=4294967298}", "tenants.0.work.stages"},
      {"tenants.0.input_bytes=nan", "tenants.0.input_bytes"},
      {"tenants.0.input_bytes=inf", "tenants.0.input_bytes"},
      {"hosts.default.battery_wh=inf", "hosts.default.battery_wh"},
      {"tenants.0.arrival={process=\"mmpp2\", rates=[1, 2], sojourn=[inf, 1]}", "tenants.0.arrival.sojourn"},
      {"tenants.0.model=\"/dev/zero\"", "tenants.0.model"},
      {"tenants.0.arrival={process=\"trace\", file=\"/dev/zero\"}", "cannot open arrival trace"},
      {"platform.file=\"/tmp\"", "platform.file"},
  };
  for (const auto& [assignment, expected] : cases) {
    const auto message = error_of(kBase, {assignment});
    EXPECT_NE(message.find(expected), std::string::npos) << assignment << " -> " << message;
  }
  EXPECT_EQ(load(kBase, {"hosts.default.buffer=2147483647"}).default_host.buffer, 2147483647);
}

// A run bounded by its duration alone is refused when it expects more than
// kMaxExpectedArrivals arrivals; simulation.requests bounds it and lifts the limit.
TEST_F(ScenarioLoaderTest, ExpectedArrivalsAreBounded) {
  for (const std::string& assignment :
       {std::string("tenants.0.arrival.rate=1e308"), std::string("simulation.duration=\"1e300s\"")}) {
    const auto message = error_of(kBase, {assignment});
    EXPECT_NE(message.find("simulation.duration: expected at most 1e+09 expected arrivals"), std::string::npos)
        << assignment << " -> " << message;
    EXPECT_NE(message.find("tenants.0.arrival"), std::string::npos) << message;
    EXPECT_NE(message.find("simulation.requests"), std::string::npos) << message;
  }
  EXPECT_EQ(load(kBase, {"tenants.0.arrival.rate=1e308", "simulation.requests=100"}).simulation.requests, 100U);
  // Just under the limit is accepted.
  EXPECT_NO_THROW(load(kBase, {"tenants.0.arrival.rate=1e6", "simulation.duration=\"999s\""}));
}

TEST_F(ScenarioLoaderTest, MissingSections) {
  auto message = error_of("[platform]\nfile = \"@DATA@/scenarios/tiny.xml\"\n");
  EXPECT_NE(message.find("simulation"), std::string::npos) << message;
  message = error_of("[simulation]\nduration = 1\n");
  EXPECT_NE(message.find("platform"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "duration = \"2min\"\n", ""));
  EXPECT_NE(message.find("simulation.duration"), std::string::npos) << message;
  EXPECT_NE(message.find("requests"), std::string::npos) << message;
  std::string no_tenants(kBase);
  no_tenants = no_tenants.substr(0, no_tenants.find("[[tenants]]"));
  message = error_of(no_tenants);
  EXPECT_NE(message.find("tenants"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "arrival = { process = \"poisson\", rate = 4.5 }\n", ""));
  EXPECT_NE(message.find("tenants.0.arrival"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "model = \"@DATA@/scenarios/tiny-model.toml\"\n", ""));
  EXPECT_NE(message.find("tenants.0.model"), std::string::npos) << message;
}

TEST_F(ScenarioLoaderTest, DuplicateTenantNames) {
  auto message =
      error_of(replace_all(with_second_tenant("arrival = { rate = 1 }"), "name = \"two\"", "name = \"cam\""));
  EXPECT_NE(message.find("tenants.1.name"), std::string::npos) << message;
}

TEST_F(ScenarioLoaderTest, PolicyNameMustBeAString) {
  auto message = error_of(std::string(kBase) + "[exits]\npolicy = 3\n");
  EXPECT_NE(message.find("scenario.toml:14: exits.policy: expected a string"), std::string::npos) << message;
  message = error_of(replace_all(kBase, "source = \"small-1\"", "source = \"small-1\"\nplacement = { policy = true }"));
  EXPECT_NE(message.find("scenario.toml"), std::string::npos) << message;
  EXPECT_NE(message.find("tenants.0.placement.policy"), std::string::npos) << message;
  message = error_of("placement = \"manual\"\n" + std::string(kBase));
  EXPECT_NE(message.find("scenario.toml:1: placement: expected a table"), std::string::npos) << message;
}

TEST_F(ScenarioLoaderTest, ModelErrorsNameTheModelFile) {
  auto message =
      error_of(replace_all(kBase, "@DATA@/scenarios/tiny-model.toml", "@DATA@/bad/model-missing-flops.toml"));
  EXPECT_NE(message.find("model-missing-flops.toml:11: layers.1.flops"), std::string::npos) << message;
  std::string inline_model = replace_all(kBase, "model = \"@DATA@/scenarios/tiny-model.toml\"",
                                         "model = { name = \"m\", input_bytes = 1, layers = [ { name = \"x\", "
                                         "out_bytes = 1 } ], final = { accuracy = 0.5 } }");
  message = error_of(inline_model);
  EXPECT_NE(message.find("scenario.toml:10: tenants.0.model.layers.0.flops"), std::string::npos) << message;
}

TEST_F(ScenarioLoaderTest, OverrideErrorsNameTheKey) {
  auto message = error_of(kBase, {"tenants.3.name=x"});
  EXPECT_NE(message.find("--set tenants.3.name"), std::string::npos) << message;
  message = error_of(kBase, {"tenants.0.arrival.rate=fast"});
  EXPECT_NE(message.find("tenants.0.arrival.rate: expected a number"), std::string::npos) << message;
  message = error_of(kBase, {"simulation.colour=3"});
  EXPECT_NE(message.find("simulation.colour: unknown key"), std::string::npos) << message;
}

} // namespace
