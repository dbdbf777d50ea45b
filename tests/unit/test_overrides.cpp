// apply_override: `--set KEY=VALUE` on the parsed TOML tree (dotted paths, numeric
// indices, appending, value typing) and its error messages.
#include "scenario/overrides.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using edgesim::apply_override;
using edgesim::InputError;

const char* const kTree = R"(
[simulation]
seed = 1
duration = "10s"

[hosts.default]
buffer = 10

[[tenants]]
name = "a"
arrival = { process = "poisson", rate = 2.0 }

[[tenants]]
name = "b"
arrival = { process = "poisson", rate = 3.0 }

[exits]
policy = "threshold"
thresholds = [0.9, 0.8]
)";

std::string error_of(toml::table& root, const std::string& assignment) {
  try {
    apply_override(root, assignment);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

class OverridesTest : public ::testing::Test {
protected:
  toml::table root = toml::parse(kTree);
};

TEST_F(OverridesTest, SetsANestedKey) {
  apply_override(root, "tenants.0.arrival.rate=12.5");
  EXPECT_DOUBLE_EQ(root.at_path("tenants[0].arrival.rate").value<double>().value_or(0), 12.5);
  EXPECT_DOUBLE_EQ(root.at_path("tenants[1].arrival.rate").value<double>().value_or(0), 3.0) << "others untouched";
  apply_override(root, "hosts.default.buffer=5");
  EXPECT_EQ(root.at_path("hosts.default.buffer").value<std::int64_t>(), 5);
}

TEST_F(OverridesTest, SecondIndexAndTopLevel) {
  apply_override(root, "tenants.1.name=cam-2");
  EXPECT_EQ(root.at_path("tenants[1].name").value<std::string>(), "cam-2");
  EXPECT_EQ(root.at_path("tenants[0].name").value<std::string>(), "a");
  apply_override(root, "plugins={load=[]}");
  EXPECT_TRUE(root.at_path("plugins.load").is_array());
}

TEST_F(OverridesTest, CreatesMissingTables) {
  apply_override(root, "hosts.pi4-1.buffer=3");
  EXPECT_EQ(root.at_path("hosts.pi4-1.buffer").value<std::int64_t>(), 3);
  EXPECT_EQ(root.at_path("hosts.default.buffer").value<std::int64_t>(), 10);
  apply_override(root, "placement.policy=manual");
  EXPECT_EQ(root.at_path("placement.policy").value<std::string>(), "manual");
  apply_override(root, "tenants.0.exits.policy=none");
  EXPECT_EQ(root.at_path("tenants[0].exits.policy").value<std::string>(), "none");
}

TEST_F(OverridesTest, ValueTyping) {
  apply_override(root, "simulation.seed=42");
  EXPECT_TRUE(root.at_path("simulation.seed").is_integer());
  EXPECT_EQ(root.at_path("simulation.seed").value<std::int64_t>(), 42);

  apply_override(root, "tenants.0.arrival.rate=7");
  EXPECT_TRUE(root.at_path("tenants[0].arrival.rate").is_integer()) << "TOML typing: 7 is an integer";
  apply_override(root, "tenants.0.arrival.rate=7.0");
  EXPECT_TRUE(root.at_path("tenants[0].arrival.rate").is_floating_point());
  apply_override(root, "tenants.0.arrival.rate=1e3");
  EXPECT_DOUBLE_EQ(root.at_path("tenants[0].arrival.rate").value<double>().value_or(0), 1000.0);

  apply_override(root, "simulation.trace_requests=false");
  ASSERT_TRUE(root.at_path("simulation.trace_requests").is_boolean());
  EXPECT_FALSE(*root.at_path("simulation.trace_requests").value<bool>());
  apply_override(root, "tenants.0.drop_late=true");
  EXPECT_TRUE(*root.at_path("tenants[0].drop_late").value<bool>());

  apply_override(root, "tenants.0.name=\"quoted name\"");
  EXPECT_EQ(root.at_path("tenants[0].name").value<std::string>(), "quoted name");
}

TEST_F(OverridesTest, TextThatIsNotTomlBecomesAString) {
  apply_override(root, "exits.policy=ucb");
  EXPECT_EQ(root.at_path("exits.policy").value<std::string>(), "ucb");
  apply_override(root, "simulation.duration=250ms");
  EXPECT_TRUE(root.at_path("simulation.duration").is_string());
  EXPECT_EQ(root.at_path("simulation.duration").value<std::string>(), "250ms");
  apply_override(root, "hosts.default.battery_wh=12.1Wh");
  EXPECT_EQ(root.at_path("hosts.default.battery_wh").value<std::string>(), "12.1Wh");
  apply_override(root, "tenants.0.name=a=b");
  EXPECT_EQ(root.at_path("tenants[0].name").value<std::string>(), "a=b") << "split at the first '='";
  apply_override(root, "tenants.1.source=pi4-1");
  EXPECT_EQ(root.at_path("tenants[1].source").value<std::string>(), "pi4-1");
  apply_override(root, "tenants.1.name=");
  EXPECT_EQ(root.at_path("tenants[1].name").value<std::string>(), "");
}

TEST_F(OverridesTest, ArraysAndInlineTables) {
  apply_override(root, "exits.thresholds=[0.5, 0.6, 0.7]");
  const auto* thresholds = root.at_path("exits.thresholds").as_array();
  ASSERT_NE(thresholds, nullptr);
  ASSERT_EQ(thresholds->size(), 3U);
  EXPECT_DOUBLE_EQ(thresholds->get(2)->value<double>().value_or(0), 0.7);

  apply_override(root, R"(tenants.0.arrival={process="mmpp2", rates=[10, 1], sojourn=["2s", 8]})");
  const auto* arrival = root.at_path("tenants[0].arrival").as_table();
  ASSERT_NE(arrival, nullptr);
  EXPECT_EQ(arrival->size(), 3U) << "the whole table is replaced";
  EXPECT_FALSE(arrival->contains("rate"));
  EXPECT_EQ(root.at_path("tenants[0].arrival.sojourn[0]").value<std::string>(), "2s");

  apply_override(root, R"(placement.fragments=[{layers="0-6", host="pi4-1"}, {layers="7-", host="jetson-1"}])");
  EXPECT_EQ(root.at_path("placement.fragments[1].host").value<std::string>(), "jetson-1");
}

TEST_F(OverridesTest, NumericIndexIntoAnArrayValue) {
  apply_override(root, "exits.thresholds.1=0.25");
  EXPECT_DOUBLE_EQ(root.at_path("exits.thresholds[1]").value<double>().value_or(0), 0.25);
  EXPECT_DOUBLE_EQ(root.at_path("exits.thresholds[0]").value<double>().value_or(0), 0.9);
  EXPECT_EQ(root.at_path("exits.thresholds").as_array()->size(), 2U);
}

TEST_F(OverridesTest, AppendsAtIndexEqualToSize) {
  apply_override(root, "exits.thresholds.2=0.7");
  ASSERT_EQ(root.at_path("exits.thresholds").as_array()->size(), 3U);
  EXPECT_DOUBLE_EQ(root.at_path("exits.thresholds[2]").value<double>().value_or(0), 0.7);

  apply_override(root, R"(tenants.2={name="c", arrival={rate=1}})");
  auto* tenants = root.at_path("tenants").as_array();
  ASSERT_EQ(tenants->size(), 3U);
  EXPECT_TRUE(tenants->is_array_of_tables());
  apply_override(root, "tenants.2.arrival.rate=4");
  EXPECT_EQ(root.at_path("tenants[2].arrival.rate").value<std::int64_t>(), 4);
  EXPECT_EQ(root.at_path("tenants[2].name").value<std::string>(), "c");
}

TEST_F(OverridesTest, ReplacesAWholeArrayElement) {
  apply_override(root, R"(tenants.0={name="z", arrival={rate=9}})");
  EXPECT_EQ(root.at_path("tenants[0].name").value<std::string>(), "z");
  EXPECT_EQ(root.at_path("tenants").as_array()->size(), 2U);
}

TEST_F(OverridesTest, IndexBeyondTheEnd) {
  auto message = error_of(root, "tenants.5.name=x");
  EXPECT_EQ(message, "--set tenants.5.name: tenants.5 is not a valid index (array has 2 elements)");
  message = error_of(root, "tenants.2.name=x");
  EXPECT_NE(message.find("tenants.2 is not a valid index"), std::string::npos)
      << "appending works on the last component only: " << message;
  message = error_of(root, "exits.thresholds.3=0.5");
  EXPECT_EQ(message, "--set exits.thresholds.3: 3 is not a valid index (array has 2 elements)");
}

TEST_F(OverridesTest, NonNumericIndex) {
  auto message = error_of(root, "tenants.first.name=x");
  EXPECT_NE(message.find("--set tenants.first.name: tenants.first is not a valid index"), std::string::npos) << message;
  message = error_of(root, "tenants.-1.name=x");
  EXPECT_NE(message.find("tenants.-1 is not a valid index"), std::string::npos) << message;
  message = error_of(root, "exits.thresholds.last=1");
  EXPECT_NE(message.find("last is not a valid index"), std::string::npos) << message;
}

TEST_F(OverridesTest, PathThroughAValue) {
  auto message = error_of(root, "simulation.seed.low=1");
  EXPECT_EQ(message, "--set simulation.seed.low: simulation.seed is a value, not a table or array");
  message = error_of(root, "tenants.0.name.first.x=1");
  EXPECT_EQ(message, "--set tenants.0.name.first.x: tenants.0.name is a value, not a table or array");
  message = error_of(root, "exits.thresholds.0.x=1");
  EXPECT_EQ(message, "--set exits.thresholds.0.x: exits.thresholds.0 is a value, not a table or array");
}

TEST_F(OverridesTest, MalformedAssignments) {
  EXPECT_EQ(error_of(root, "simulation.seed"), "--set simulation.seed: expected KEY=VALUE");
  EXPECT_EQ(error_of(root, "=3"), "--set =3: expected KEY=VALUE");
  EXPECT_EQ(error_of(root, "simulation..seed=3"), "--set simulation..seed: empty component in key path");
  EXPECT_EQ(error_of(root, ".seed=3"), "--set .seed: empty component in key path");
  EXPECT_EQ(error_of(root, "simulation.=3"), "--set simulation.: empty component in key path");
}

TEST_F(OverridesTest, FailedOverrideLeavesTheTreeUsable) {
  EXPECT_THROW(apply_override(root, "tenants.9.name=x"), InputError);
  EXPECT_EQ(root.at_path("tenants").as_array()->size(), 2U);
  apply_override(root, "tenants.1.name=ok");
  EXPECT_EQ(root.at_path("tenants[1].name").value<std::string>(), "ok");
}

} // namespace

namespace {

// `--unset KEY` ("~KEY" in the override list) removes a table key or an array element;
// a key that is not there is an error naming it.
TEST(Overrides, UnsetRemovesKeysAndArrayElements) {
  toml::table root = toml::parse(kTree);
  apply_override(root, edgesim::unset_override("exits.thresholds"));
  EXPECT_FALSE(root["exits"].as_table()->contains("thresholds"));
  EXPECT_TRUE(root["exits"].as_table()->contains("policy"));
  apply_override(root, "~tenants.0");
  ASSERT_EQ(root["tenants"].as_array()->size(), 1U);
  EXPECT_EQ(root["tenants"][0]["name"].value<std::string>(), "b");
  apply_override(root, "~tenants.0.arrival.rate");
  EXPECT_FALSE(root["tenants"][0]["arrival"].as_table()->contains("rate"));

  EXPECT_EQ(error_of(root, "~exits.thresholds"), "--unset exits.thresholds: the scenario has no key exits.thresholds");
  EXPECT_EQ(error_of(root, "~tenants.5.name"), "--unset tenants.5.name: the scenario has no key tenants.5.name");
  EXPECT_EQ(error_of(root, "~simulation.seed.x"),
            "--unset simulation.seed.x: the scenario has no key simulation.seed.x");
  EXPECT_NE(error_of(root, "~"), "");
  EXPECT_NE(error_of(root, "~a..b").find("expected a key path"), std::string::npos);
}

} // namespace
