// [links.*] overrides, [[dynamics.links]] / [[dynamics.hosts]] step profiles and
// placement.replan_every: typed values with units, and errors naming file, line and key.
#include "scenario/dynamics_loader.hpp"
#include "scenario/scenario_loader.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using edgesim::InputError;
using edgesim::PlatformDynamics;

PlatformDynamics parse(const std::string& text) {
  const toml::table root = toml::parse(std::string_view{text}, std::string_view{"s.toml"});
  const auto* links = root.get("links") != nullptr ? root.get("links")->as_table() : nullptr;
  const auto* dynamics = root.get("dynamics") != nullptr ? root.get("dynamics")->as_table() : nullptr;
  return edgesim::parse_platform_dynamics(links, dynamics, "s.toml");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(DynamicsLoader, LinkOverridesWithUnits) {
  const auto d = parse(R"([links.uplink]
bandwidth = "2MBps"
latency = "5ms"
[links."eth 2"]
bandwidth = 1e6
)");
  ASSERT_EQ(d.link_overrides.size(), 2U);
  const auto& up = d.link_overrides.at("uplink");
  EXPECT_DOUBLE_EQ(*up.bandwidth, 2e6);
  EXPECT_DOUBLE_EQ(*up.latency, 0.005);
  EXPECT_EQ(up.path, "links.uplink");
  EXPECT_DOUBLE_EQ(*d.link_overrides.at("eth 2").bandwidth, 1e6);
  EXPECT_FALSE(d.link_overrides.at("eth 2").latency.has_value());
}

TEST(DynamicsLoader, StepProfiles) {
  const auto d = parse(R"([[dynamics.links]]
link = "uplink"
bandwidth = [ ["0s", "20MBps"], ["1min", "5MBps"], [120, "8Mbps"] ]
latency = [ [0, "1ms"], ["30s", 0.02] ]
[[dynamics.hosts]]
host = "jetson-1"
available = [ ["0s", true], ["100s", false], ["150s", true] ]
)");
  ASSERT_EQ(d.links.size(), 1U);
  const auto& link = d.links[0];
  EXPECT_EQ(link.link, "uplink");
  ASSERT_EQ(link.bandwidth.size(), 3U);
  EXPECT_DOUBLE_EQ(link.bandwidth[0].value, 20e6);
  EXPECT_DOUBLE_EQ(link.bandwidth[1].at, 60.0);
  EXPECT_DOUBLE_EQ(link.bandwidth[1].value, 5e6);
  EXPECT_DOUBLE_EQ(link.bandwidth[2].at, 120.0);
  EXPECT_DOUBLE_EQ(link.bandwidth[2].value, 1e6);
  ASSERT_EQ(link.latency.size(), 2U);
  EXPECT_DOUBLE_EQ(link.latency[0].value, 0.001);
  EXPECT_DOUBLE_EQ(link.latency[1].value, 0.02);
  ASSERT_EQ(d.hosts.size(), 1U);
  EXPECT_EQ(d.hosts[0].host, "jetson-1");
  ASSERT_EQ(d.hosts[0].available.size(), 3U);
  EXPECT_TRUE(d.hosts[0].available[0].value);
  EXPECT_FALSE(d.hosts[0].available[1].value);
  EXPECT_DOUBLE_EQ(d.hosts[0].available[1].at, 100.0);
  EXPECT_EQ(d.hosts[0].path, "dynamics.hosts.0");
}

TEST(DynamicsLoader, EmptyWhenAbsent) {
  EXPECT_TRUE(parse("").empty());
  // An empty array is no steps, not a type error.
  EXPECT_TRUE(parse("[dynamics]\nlinks = []\nhosts = []\n").empty());
}

TEST(DynamicsLoader, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(error_of("[links.up]\nbandwidth = \"2MB\"\n"),
            "s.toml:2: links.up.bandwidth: expected a positive bandwidth (\"20MBps\", \"100Mbps\" or bytes/s)");
  EXPECT_EQ(error_of("[links.up]\nbandwidth = -3\n"),
            "s.toml:2: links.up.bandwidth: expected a positive bandwidth (\"20MBps\", \"100Mbps\" or bytes/s)");
  EXPECT_EQ(error_of("[links.up]\nlatency = \"fast\"\n"),
            "s.toml:2: links.up.latency: expected a latency >= 0 (\"5ms\" or seconds)");
  EXPECT_NE(error_of("[links.up]\nspeed = 3\n").find("s.toml:2: links.up.speed: unknown key"), std::string::npos);
  EXPECT_NE(error_of("[links]\nup = 3\n").find("links.up: expected a table"), std::string::npos);
  EXPECT_NE(error_of("[dynamics]\nlinks = 3\n").find("dynamics.links: expected an array of tables"), std::string::npos);
  EXPECT_NE(error_of("[dynamics]\nclock = 3\n").find("dynamics.clock: unknown key"), std::string::npos);
  EXPECT_NE(error_of("[[dynamics.links]]\nbandwidth = [[0, \"1MBps\"]]\n")
                .find("dynamics.links.0.link: expected a "
                      "string (missing)"),
            std::string::npos);
  EXPECT_NE(error_of("[[dynamics.links]]\nlink = \"up\"\n")
                .find("dynamics.links.0.bandwidth: expected a bandwidth "
                      "and/or latency profile"),
            std::string::npos);
  EXPECT_NE(error_of("[[dynamics.links]]\nlink = \"up\"\nbandwidth = []\n")
                .find("s.toml:3: dynamics.links.0.bandwidth: expected a step profile"),
            std::string::npos);
  EXPECT_NE(error_of("[[dynamics.links]]\nlink = \"up\"\nbandwidth = [[\"0s\", \"1MBps\", 3]]\n")
                .find("(step 0 is not a [time, "),
            std::string::npos);
  EXPECT_NE(error_of("[[dynamics.links]]\nlink = \"up\"\nbandwidth = [[\"0s\", \"1MBps\"], [\"0s\", \"2MBps\"]]\n")
                .find("dynamics.links.0.bandwidth: expected strictly increasing times (step 1 at 0 s is not after "
                      "0 s)"),
            std::string::npos);
  EXPECT_NE(error_of("[[dynamics.links]]\nlink = \"up\"\nbandwidth = [[\"-1s\", \"1MBps\"]]\n")
                .find("expected a time >= 0 such as \"60s\" at step 0"),
            std::string::npos);
  EXPECT_NE(error_of("[[dynamics.links]]\nlink = \"up\"\nbandwidth = [[\"1s\", \"1MB\"]]\n")
                .find("expected a positive bandwidth (\"20MBps\", \"100Mbps\" or bytes/s) at step 0"),
            std::string::npos);
  EXPECT_NE(error_of("[[dynamics.hosts]]\nhost = \"h\"\navailable = [[\"0s\", 1]]\n")
                .find("s.toml:3: dynamics.hosts.0.available: expected true or false at step 0"),
            std::string::npos);
  EXPECT_NE(error_of("[[dynamics.hosts]]\navailable = [[\"0s\", true]]\n").find("dynamics.hosts.0.host"),
            std::string::npos);
}

TEST(DynamicsLoader, ShareProfiles) {
  const auto d = parse("[[dynamics.shares]]\ntenant = \"a\"\nhost = \"h\"\nshare = [[0, 0.7], [\"1min\", 0.2]]\n"
                       "[[dynamics.shares]]\ntenant = \"b\"\nshare = [[\"30s\", 1]]\n");
  ASSERT_EQ(d.shares.size(), 2U);
  EXPECT_EQ(d.shares[0].tenant, "a");
  EXPECT_EQ(d.shares[0].host, "h");
  ASSERT_EQ(d.shares[0].share.size(), 2U);
  EXPECT_DOUBLE_EQ(d.shares[0].share[1].at, 60);
  EXPECT_DOUBLE_EQ(d.shares[0].share[1].value, 0.2);
  EXPECT_EQ(d.shares[1].host, ""); // every host
  EXPECT_EQ(d.shares[1].path, "dynamics.shares.1");
  EXPECT_EQ(error_of("[[dynamics.shares]]\ntenant = \"a\"\nshare = [[0, 0]]\n"),
            "s.toml:3: dynamics.shares.0.share: expected a CPU share in (0, 1] at step 0");
  EXPECT_EQ(error_of("[[dynamics.shares]]\ntenant = \"a\"\nshare = [[0, 1.5]]\n"),
            "s.toml:3: dynamics.shares.0.share: expected a CPU share in (0, 1] at step 0");
  EXPECT_NE(error_of("[[dynamics.shares]]\nshare = [[0, 0.5]]\n").find("dynamics.shares.0.tenant: expected a string"),
            std::string::npos);
}

class ReplanEveryTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgesim_replan_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  edgesim::Scenario load(const std::string& extra) {
    const fs::path data = fs::absolute(EDGESIM_TEST_DATA);
    const fs::path file = dir_ / "s.toml";
    std::ofstream(file) << "[simulation]\nduration = \"10s\"\n[platform]\nfile = \""
                        << (data / "scenarios/tiny.xml").string() << "\"\n[[tenants]]\nname = \"a\"\nmodel = \""
                        << (data / "scenarios/tiny-model.toml").string()
                        << "\"\nsource = \"small-1\"\narrival = { process = \"poisson\", rate = 1 }\n"
                        << extra;
    return edgesim::load_scenario(file.string(), {});
  }
  fs::path dir_;
};

TEST_F(ReplanEveryTest, TakenOutOfThePolicyTable) {
  auto s = load("[placement]\npolicy = \"source-only\"\nreplan_every = \"10s\"\n");
  EXPECT_DOUBLE_EQ(s.tenants[0].replan_every, 10.0);
  EXPECT_FALSE(s.tenants[0].placement.table->contains("replan_every")) << "the policy must not see the engine's key";
  EXPECT_TRUE(std::isinf(load("").tenants[0].replan_every));
}

TEST_F(ReplanEveryTest, Validated) {
  try {
    load("[placement]\npolicy = \"source-only\"\nreplan_every = \"soon\"\n");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("placement.replan_every: expected a duration"), std::string::npos) << e.what();
  }
}

TEST_F(ReplanEveryTest, PlatformKeysAcceptedAtTopLevel) {
  auto s = load("[links.l]\nbandwidth = \"1MBps\"\n[[dynamics.hosts]]\nhost = \"big-1\"\navailable = [[0, false]]\n");
  EXPECT_EQ(s.dynamics.link_overrides.size(), 1U);
  EXPECT_EQ(s.dynamics.hosts.size(), 1U);
}

TEST_F(ReplanEveryTest, ShareProfilesNeedAKnownTenantAndAMultitenantPolicy) {
  auto error = [&](const std::string& extra) -> std::string {
    try {
      load(extra);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  const std::string profile = "[[dynamics.shares]]\ntenant = \"a\"\nshare = [[\"5s\", 0.5]]\n";
  EXPECT_NE(error(profile).find("dynamics.shares.0: expected [multitenant] policy = \"cooperative\" or "
                                "\"non-cooperative\""),
            std::string::npos)
      << error(profile);
  const std::string mt = "[multitenant]\npolicy = \"non-cooperative\"\n";
  EXPECT_EQ(load(mt + profile).dynamics.shares.size(), 1U);
  EXPECT_NE(error(mt + "[[dynamics.shares]]\ntenant = \"z\"\nshare = [[0, 0.5]]\n")
                .find("dynamics.shares.0.tenant: expected the name of a [[tenants]] entry (no tenant named \"z\")"),
            std::string::npos);
  EXPECT_NE(error(mt + profile + profile).find("dynamics.shares.1: expected one share profile per tenant and host"),
            std::string::npos);
  EXPECT_NE(error("[multitenant]\npolicy = \"cooperative\"\nepoch = \"0s\"\n")
                .find("multitenant.epoch: expected a "
                      "positive duration"),
            std::string::npos);
  EXPECT_NE(error("[multitenant]\npolicy = \"cooperative\"\ntolerance = 1\n").find("multitenant.tolerance"),
            std::string::npos);
  const auto tuned = load("[multitenant]\npolicy = \"cooperative\"\nepoch = \"250ms\"\ntolerance = 0.1\n");
  EXPECT_DOUBLE_EQ(tuned.share_epoch, 0.25);
  EXPECT_DOUBLE_EQ(tuned.share_tolerance, 0.1);
}

} // namespace
