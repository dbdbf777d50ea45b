// A policy plugin built outside edgesim_lib (tests/plugin/example_plugin.cpp, public
// headers only) loaded by the edgesim executable: `--plugin` and `[plugins] load`. It
// also registers an arrival process and a work law.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"
#include "sweep/sweep_file.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

namespace edgesim {
namespace {

// Two-layer model with one early exit; queue-lab hosts s1, s2, s3 (1 Gflop/s).
std::string write_scenario(const test::TempDir& dir, const std::string& extra) {
  const std::string model = dir.write("ee.toml", R"(name = "ee"
input_bytes = 0
final = { accuracy = 0.9 }
layers = [ { name = "a", flops = 2e6, out_bytes = 0 }, { name = "b", flops = 3e6, out_bytes = 0 } ]
exits = [ { after = "a", flops = 1e5, accuracy = 0.7 } ]
)");
  return dir.write("plugin.toml", fmt::format(R"({}
[simulation]
seed = 3
requests = 400

[platform]
file = "{}/platforms/queue-lab.xml"

[hosts.default]
buffer = 100000

[[tenants]]
name = "t"
source = "s1"
arrival = {{ process = "poisson", rate = 20 }}
model = "{}"

[exits]
policy = "example-every-other"

[placement]
policy = "example-last-host"
)",
                                              extra, EDGESIM_TEST_DATA, model));
}

void expect_every_other_on_last_host(const std::string& file) {
  const auto requests = io::read_requests(file);
  ASSERT_EQ(requests.size(), 400U);
  for (const auto& r : requests) {
    ASSERT_GE(r.exit, 0) << "request " << r.id << " lost";
    EXPECT_EQ(r.exit == 0, r.id % 2 == 0) << "request " << r.id << " left at exit " << r.exit;
    EXPECT_EQ(r.exit, r.id % 2 == 0 ? 0 : 1) << "request " << r.id;
  }
  // example-last-host: everything ran on s3, nothing on s1 or s2.
  const auto hosts = io::read_hosts(file);
  ASSERT_EQ(hosts.size(), 3U);
  for (const auto& h : hosts)
    EXPECT_EQ(h.served, h.name == "s3" ? 400U : 0U) << h.name;
}

TEST(Plugin, ListShowsPluginPoliciesWithDescriptions) {
  auto result = test::run_edgesim({"list", "policies", "--plugin", EDGESIM_EXAMPLE_PLUGIN});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("example-every-other"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("leave at the first exit for even request ids"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("example-last-host"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("whole model on the last host by name"), std::string::npos) << result.out;
  // The exit policy is listed among exit policies, the placement among placements.
  const auto placements = result.out.find("placement policies:");
  ASSERT_NE(placements, std::string::npos);
  EXPECT_LT(result.out.find("example-every-other"), placements);
  EXPECT_GT(result.out.find("example-last-host"), placements);

  auto without = test::run_edgesim({"list", "policies"});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(without.out.find("example-"), std::string::npos);
}

TEST(Plugin, ListShowsPluginProcessesAndLaws) {
  auto result = test::run_edgesim({"list", "processes", "--plugin", EDGESIM_EXAMPLE_PLUGIN});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto laws = result.out.find("work laws:");
  ASSERT_NE(result.out.find("arrival processes:"), std::string::npos) << result.out;
  ASSERT_NE(laws, std::string::npos) << result.out;
  // Where an entry's line starts (a description may mention another entry's name).
  const auto line_of = [&](const std::string& name) { return result.out.find("\n  " + name + " "); };
  for (const char* builtin : {"poisson", "periodic", "mmpp2", "trace", "example-gaps"})
    EXPECT_LT(line_of(builtin), laws) << builtin;
  for (const char* builtin : {"deterministic", "exponential", "erlang", "hyperexponential", "example-two-point"}) {
    EXPECT_NE(line_of(builtin), std::string::npos) << builtin;
    EXPECT_GT(line_of(builtin), laws) << builtin;
  }
  EXPECT_NE(result.out.find("one arrival every gap"), std::string::npos) << result.out;

  auto without = test::run_edgesim({"list", "processes"});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(without.out.find("example-"), std::string::npos);
}

// A plugin's arrival process and work law drive a run: arrivals every 50 ms, each
// request's work 0.5 or 1.5 times the model's 5 ms on one otherwise idle host.
TEST(Plugin, PluginArrivalProcessAndWorkLaw) {
  test::TempDir dir;
  const std::string model = dir.write("two.toml", R"(name = "two"
input_bytes = 0
final = { accuracy = 0.9 }
layers = [ { name = "a", flops = 2e6, out_bytes = 0 }, { name = "b", flops = 3e6, out_bytes = 0 } ]
)");
  const std::string scenario = dir.write("gaps.toml", fmt::format(R"(
[simulation]
seed = 5
requests = 200

[platform]
file = "{}/platforms/queue-lab.xml"

[hosts.default]
buffer = 100

[[tenants]]
name = "t"
source = "s1"
arrival = {{ process = "example-gaps", gap = "50ms" }}
work = {{ distribution = "example-two-point", low = 0.5 }}
model = "{}"
)",
                                                                  EDGESIM_TEST_DATA, model));
  const std::string out = dir.file("gaps.h5");
  auto result = test::run_edgesim({"run", scenario, "-q", "--plugin", EDGESIM_EXAMPLE_PLUGIN, "-o", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto requests = io::read_requests(out);
  ASSERT_EQ(requests.size(), 200U);
  std::size_t short_ones = 0;
  for (const auto& r : requests) {
    EXPECT_NEAR(r.arrival, 0.05 * static_cast<double>(r.id + 1), 1e-12) << "request " << r.id;
    ASSERT_GE(r.exit, 0) << "request " << r.id << " lost";
    const bool short_one = std::abs(r.latency - 0.0025) < 1e-9;
    EXPECT_TRUE(short_one || std::abs(r.latency - 0.0075) < 1e-9) << "request " << r.id << ": " << r.latency;
    short_ones += short_one ? 1 : 0;
  }
  EXPECT_GT(short_ones, 60U);
  EXPECT_LT(short_ones, 140U);

  // The law's parameters are checked with the scenario's key path.
  auto bad =
      test::run_edgesim({"check", scenario, "--plugin", EDGESIM_EXAMPLE_PLUGIN, "--set", "tenants.0.work.low=2"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("tenants.0.work.low"), std::string::npos) << bad.err;
  // Without the plugin, the names are unknown and the error lists the registered ones.
  auto unknown = test::run_edgesim({"check", scenario});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("tenants.0.arrival.process"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find(R"("poisson", "periodic", "mmpp2", "trace")"), std::string::npos) << unknown.err;
}

TEST(Plugin, CommandLinePluginDrivesExitsAndPlacement) {
  test::TempDir dir;
  const std::string scenario = write_scenario(dir, "");
  const std::string out = dir.file("run.h5");
  auto result = test::run_edgesim({"run", scenario, "-q", "--plugin", EDGESIM_EXAMPLE_PLUGIN, "-o", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_every_other_on_last_host(out);

  auto check = test::run_edgesim({"check", scenario, "--plugin", EDGESIM_EXAMPLE_PLUGIN});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("exits=example-every-other"), std::string::npos) << check.out;

  // Without the plugin the policy names are unknown: an input error naming the key.
  auto unknown = test::run_edgesim({"run", scenario, "-q", "-o", out});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown"), std::string::npos) << unknown.err;
}

TEST(Plugin, ScenarioPluginsLoad) {
  test::TempDir dir;
  const std::string scenario = write_scenario(dir, fmt::format("[plugins]\nload = [\"{}\"]\n", EDGESIM_EXAMPLE_PLUGIN));
  const std::string out = dir.file("run.h5");
  auto result = test::run_edgesim({"run", scenario, "-q", "-o", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_every_other_on_last_host(out);
}

// `sweep --plugin` loads the plugin to validate the base scenario and hands it to every
// run (forked or exec'd): each point uses the plugin's policies.
TEST(Plugin, SweepTakesPlugins) {
  test::TempDir dir;
  const std::string scenario = write_scenario(dir, "");
  for (const char* spawn : {"fork", "exec"}) {
    SCOPED_TRACE(spawn);
    const std::string out = dir.file(std::string("sweep-") + spawn + ".h5");
    auto result = test::run_edgesim({"sweep", scenario, "--vary", "tenants.0.arrival.rate=10,20", "--plugin",
                                     EDGESIM_EXAMPLE_PLUGIN, "--spawn", spawn, "-q", "-o", out});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto contents = sweep::read_sweep_file(out);
    ASSERT_EQ(contents.runs.size(), 2U);
    for (const auto& run : contents.runs) {
      // example-last-host: every request served on s3.
      const std::string& json = run.summary_json;
      const auto s3 = json.find("\"name\":\"s3\"");
      ASSERT_NE(s3, std::string::npos) << json;
      EXPECT_EQ(json.compare(json.find("\"served\":", s3), 13, "\"served\":400,"), 0) << json;
    }
  }
  // Without it, every run fails on the unknown policy name (recorded, exit code 4).
  const std::string none = dir.file("none.h5");
  auto without = test::run_edgesim({"sweep", scenario, "--vary", "tenants.0.arrival.rate=10", "-q", "-o", none});
  EXPECT_EQ(without.exit_code, 4) << without.err;
  const auto failed = sweep::read_sweep_file(none);
  ASSERT_EQ(failed.runs.size(), 1U);
  EXPECT_NE(failed.runs[0].error.find("unknown placement policy \"example-last-host\""), std::string::npos)
      << failed.runs[0].error;
}

// `dataset --plugin`: a spec may draw a plugin's placement policy; the samples (forked
// or exec'd in the dataset's work directory) load it too.
TEST(Plugin, DatasetTakesPlugins) {
  test::TempDir dir;
  const std::string root = EDGESIM_SOURCE_DIR;
  const std::string spec = dir.write("spec.toml", fmt::format(R"([dataset]
seed = 7
[devices]
library = "{0}/platforms/devices.xml"
kinds = ["rpi4b", "jetson_nano"]
count = [2, 3]
buffer = [2, 8]
[links]
topology = "star"
bandwidth = ["20Mbps", "1Gbps"]
latency = ["0.1ms", "2ms"]
[chains]
count = [1, 2]
models = ["{0}/scenarios/models/mobilenetv2-3exit.toml"]
fragments = [1, 1]
placement = "example-last-host"
load = [0.3, 0.8]
[simulation]
requests = 100
)",
                                                              root));
  for (const char* spawn : {"fork", "exec"}) {
    SCOPED_TRACE(spawn);
    auto result = test::run_edgesim({"dataset", spec, "-n", "3", "-j", "2", "--plugin", EDGESIM_EXAMPLE_PLUGIN,
                                     "--spawn", spawn, "-q", "-o", dir.file(std::string("ds-") + spawn + ".h5")});
    EXPECT_EQ(result.exit_code, 0) << result.err;
  }
  auto without = test::run_edgesim({"dataset", spec, "-n", "1", "-q", "-o", dir.file("none.h5")});
  EXPECT_EQ(without.exit_code, 1) << without.err;
  EXPECT_NE(without.err.find("chains.placement"), std::string::npos) << without.err;
}

TEST(Plugin, PluginConfigErrorsNameTheKey) {
  // The plugin validates its table through ConfigView, resolved from the executable.
  test::TempDir dir;
  const std::string scenario = write_scenario(dir, "");
  auto result = test::run_edgesim(
      {"run", scenario, "-q", "--plugin", EDGESIM_EXAMPLE_PLUGIN, "--set", "exits.bogus=1", "-o", dir.file("run.h5")});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("exits.bogus"), std::string::npos) << result.err;
}

TEST(Plugin, BadPluginPathIsAnInputError) {
  test::TempDir dir;
  const std::string scenario = write_scenario(dir, "");
  const std::string missing = dir.file("no-such-plugin.so");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"run", scenario, "-q", "--plugin", missing, "-o", dir.file("run.h5")},
                                             {"list", "policies", "--plugin", missing},
                                             {"check", scenario, "--plugin", missing}}) {
    auto result = test::run_edgesim(args);
    EXPECT_EQ(result.exit_code, 1) << args[0] << ": " << result.err;
    EXPECT_EQ(result.err.rfind("edgesim " + args[0] + ": error: ", 0), 0U) << result.err;
    EXPECT_NE(result.err.find(missing), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("cannot load plugin"), std::string::npos) << result.err;
  }
  // A library that is not a plugin (no edgesim_register).
  const std::string not_plugin = dir.write("not-a-plugin.so", "not an ELF file");
  auto garbage = test::run_edgesim({"list", "policies", "--plugin", not_plugin});
  EXPECT_EQ(garbage.exit_code, 1) << garbage.err;
  EXPECT_NE(garbage.err.find("cannot load plugin"), std::string::npos) << garbage.err;

  const std::string in_scenario = write_scenario(dir, fmt::format("[plugins]\nload = [\"{}\"]\n", missing));
  auto result = test::run_edgesim({"run", in_scenario, "-q", "-o", dir.file("run.h5")});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("no-such-plugin.so"), std::string::npos) << result.err;
}

} // namespace
} // namespace edgesim
