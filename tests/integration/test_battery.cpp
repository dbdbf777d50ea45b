// Battery model on scenarios/jetson-battery.toml (one Jetson Nano on a battery, threshold
// exits): the pack is sized so that it empties mid-run. The host must go down exactly
// when the energy it drew reaches the capacity, its state of charge must fall
// monotonically to 0, and from then on every request is lost with reason 3 (host down).
#include "cli_runner.hpp"

#include "io/run_reader.hpp"
#include "scenario/scenario_loader.hpp"

#include <edgesim/results.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace edgesim {
namespace {

namespace fs = std::filesystem;

const std::string kScenario = (fs::path(EDGESIM_SOURCE_DIR) / "scenarios" / "jetson-battery.toml").string();
const std::string kHost = "jetson-1";
constexpr std::uint8_t kServed = 0;
constexpr std::uint8_t kHostDown = 3;

struct BatteryRun {
  Scenario scenario;
  std::vector<RequestRecord> requests;
  std::vector<TimelineRecord> timeline;
  std::vector<HostRecord> hosts;
  std::vector<SummaryRow> summary;
  RunMeta meta;
};

BatteryRun run_scenario(const test::TempDir& dir, const std::string& name, const std::vector<std::string>& overrides) {
  std::vector<std::string> args{"run", kScenario, "-o", dir.file(name), "-q"};
  for (const auto& o : overrides) {
    args.emplace_back("--set");
    args.push_back(o);
  }
  const auto result = test::run_edgesim(args);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  BatteryRun r;
  r.scenario = load_scenario(kScenario, overrides);
  if (result.exit_code != 0)
    return r;
  r.requests = io::read_requests(dir.file(name));
  r.timeline = io::read_timeline(dir.file(name));
  r.hosts = io::read_hosts(dir.file(name));
  r.summary = io::read_summary(dir.file(name));
  r.meta = io::read_meta(dir.file(name));
  return r;
}

double battery_joules(const Scenario& scenario) {
  const auto wh = scenario.host_settings(kHost).battery_wh;
  EXPECT_TRUE(wh.has_value()) << "jetson-battery.toml should set hosts.\"jetson-1\".battery_wh";
  return wh.value_or(0) * 3600.0;
}

// Idle and busy power of `host` at `pstate` from the platform XML stored in /meta
// (wattage_per_state = "Idle:Epsilon:AllCores,..."; the Jetson has one core, so busy
// power is AllCores).
std::pair<double, double> idle_busy_watts(const std::string& xml, const std::string& host, int pstate) {
  const auto at = xml.find("id=\"" + host + "\"");
  const std::string key = "id=\"wattage_per_state\" value=\"";
  const auto prop = xml.find(key, at);
  if (at == std::string::npos || prop == std::string::npos)
    return {NAN, NAN};
  std::string values = xml.substr(prop + key.size(), xml.find('"', prop + key.size()) - prop - key.size());
  for (int p = 0; p < pstate; ++p)
    values = values.substr(values.find(',') + 1);
  char* end = nullptr;
  const double idle = std::strtod(values.c_str(), &end);
  std::strtod(end + 1, &end); // Epsilon
  const double all_cores = std::strtod(end + 1, nullptr);
  return {idle, all_cores};
}

// End of the simulation: the controller stops at its last event, an arrival or a
// completion.
double simulated_end(const std::vector<RequestRecord>& requests) {
  double end = 0;
  for (const auto& r : requests)
    end = std::max({end, r.arrival, std::isnan(r.finish) ? 0.0 : r.finish});
  return end;
}

std::vector<TimelineRecord> host_rows(const std::vector<TimelineRecord>& timeline, int host) {
  std::vector<TimelineRecord> rows;
  for (const auto& row : timeline)
    if (row.host == host)
      rows.push_back(row);
  return rows;
}

TEST(Battery, HostGoesDownWhenTheEnergyBudgetIsSpent) {
  test::TempDir dir;
  const BatteryRun r = run_scenario(dir, "small.h5", {});
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(r.hosts.size(), 1u);
  const HostRecord& host = r.hosts[0];
  ASSERT_EQ(host.name, kHost);
  const double budget = battery_joules(r.scenario);
  const double duration = r.scenario.simulation.duration;

  // The battery empties within the run, and the host's energy at that moment is the
  // capacity.
  EXPECT_GT(host.down_at, 0.0);
  EXPECT_LT(host.down_at, duration);
  EXPECT_NEAR(host.energy_j, budget, 1e-6 * budget);
  EXPECT_EQ(host.battery_soc_end, 0.0);

  // The same energy from first principles: idle power all along, plus (busy - idle)
  // for the time a request was in service (busy_fraction is over the whole run; the
  // host runs nothing after it is down).
  const int pstate = r.scenario.host_settings(kHost).pstate.value_or(0);
  const auto [idle_w, busy_w] = idle_busy_watts(r.meta.platform, kHost, pstate);
  ASSERT_TRUE(std::isfinite(idle_w) && std::isfinite(busy_w)) << "no wattage_per_state for " << kHost;
  const double busy_time = host.busy_fraction * simulated_end(r.requests);
  const double expected = idle_w * host.down_at + (busy_w - idle_w) * busy_time;
  EXPECT_NEAR(expected, budget, 1e-6 * budget)
      << "idle " << idle_w << " W, busy " << busy_w << " W, busy time " << busy_time << " s, down at " << host.down_at;

  // Summary energy is the host's energy at down time (what the battery held); the one
  // tenant pays the dynamic part and the idle power over its busy time (docs/energy.md).
  EXPECT_NEAR(r.summary.back().energy_j, budget, 1e-6 * budget);
  EXPECT_NEAR(host.energy_static_j, idle_w * host.down_at, 1e-9 * budget);
  EXPECT_NEAR(r.summary.front().energy_dynamic_j, host.energy_dynamic_j, 1e-9 * budget);
  EXPECT_NEAR(r.summary.front().energy_static_j, idle_w * busy_time, 1e-6 * budget);
}

TEST(Battery, StateOfChargeFallsMonotonicallyToZero) {
  test::TempDir dir;
  const BatteryRun r = run_scenario(dir, "small.h5", {});
  ASSERT_FALSE(HasFailure());
  const double down_at = r.hosts.at(0).down_at;
  ASSERT_GT(down_at, 0.0);
  const auto rows = host_rows(r.timeline, 0);
  ASSERT_GT(rows.size(), 10u);
  EXPECT_EQ(rows.front().t, 0.0);
  EXPECT_EQ(rows.front().battery_soc, 1.0);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_LE(rows[i].battery_soc, rows[i - 1].battery_soc) << "soc rises at t = " << rows[i].t;
    EXPECT_GT(rows[i].t, rows[i - 1].t);
  }
  EXPECT_EQ(rows.back().battery_soc, 0.0);
  std::size_t before = 0, after = 0;
  for (const auto& row : rows) {
    if (row.t < down_at) {
      ++before;
      EXPECT_GT(row.battery_soc, 0.0) << "t = " << row.t << " before down_at " << down_at;
      EXPECT_GT(row.power_w, 0.0) << "t = " << row.t;
    } else if (row.t > down_at) {
      ++after;
      EXPECT_EQ(row.battery_soc, 0.0) << "t = " << row.t;
      // Power is the average since the previous sample: 0 once a whole interval is past.
      if (row.t - r.scenario.simulation.sample_every >= down_at)
        EXPECT_EQ(row.power_w, 0.0) << "t = " << row.t;
      EXPECT_EQ(row.queue_len, 0) << "t = " << row.t;
    }
  }
  EXPECT_GT(before, 0u);
  EXPECT_GT(after, 0u);
  // The last sample before the host died still had charge; the drop per sample never
  // exceeds what busy power can draw in one sampling interval.
  const double budget = battery_joules(r.scenario);
  const auto [idle_w, busy_w] =
      idle_busy_watts(r.meta.platform, kHost, r.scenario.host_settings(kHost).pstate.value_or(0));
  for (std::size_t i = 1; i < rows.size() && rows[i].t <= down_at; ++i) {
    const double drawn = (rows[i - 1].battery_soc - rows[i].battery_soc) * budget;
    const double dt = rows[i].t - rows[i - 1].t;
    EXPECT_GE(drawn, idle_w * dt * (1 - 1e-9)) << "t = " << rows[i].t;
    EXPECT_LE(drawn, busy_w * dt * (1 + 1e-9)) << "t = " << rows[i].t;
  }
}

TEST(Battery, RequestsAfterDepletionAreLostAsHostDown) {
  test::TempDir dir;
  const BatteryRun r = run_scenario(dir, "small.h5", {});
  ASSERT_FALSE(HasFailure());
  const double down_at = r.hosts.at(0).down_at;
  ASSERT_GT(down_at, 0.0);
  const int buffer = r.scenario.host_settings(kHost).buffer;
  std::size_t after = 0, served_before = 0, in_flight = 0;
  for (const auto& q : r.requests) {
    if (q.reason == kServed) {
      EXPECT_LE(q.finish, down_at) << "request " << q.id << " served after the host went down";
      ++served_before;
    }
    if (q.arrival > down_at) {
      ++after;
      EXPECT_EQ(q.reason, kHostDown) << "request " << q.id << " arrived at " << q.arrival;
      EXPECT_EQ(q.lost_at, 0);
      EXPECT_EQ(q.exit, -1);
      EXPECT_TRUE(std::isnan(q.finish));
    } else if (q.reason == kHostDown) {
      // Lost with the host: in the station (in service or queued) when it went down.
      ++in_flight;
    }
  }
  EXPECT_GT(after, 100u);
  EXPECT_GT(served_before, 100u);
  EXPECT_LE(in_flight, static_cast<std::size_t>(buffer));
  // Every loss happened at the only host (warm-up requests included).
  EXPECT_EQ(r.hosts[0].lost, [&] {
    std::uint64_t lost = 0;
    for (const auto& q : r.requests)
      lost += q.reason != kServed ? 1 : 0;
    return lost;
  }());
  const SummaryRow& all = r.summary.back();
  EXPECT_EQ(all.offered, all.served + all.lost);
  EXPECT_GT(all.loss_ratio, 0.2);
}

TEST(Battery, ServiceTimeOfAnIdleHostIsTheComputeTime) {
  // The fastest request leaving at exit e found the GPU idle: its latency is the flops
  // of the layers up to e plus the classifiers evaluated on the way (threshold policy:
  // every exit reached), over speed x efficiency. Checks the cost model end to end.
  test::TempDir dir;
  const BatteryRun r = run_scenario(dir, "small.h5", {});
  ASSERT_FALSE(HasFailure());
  const ModelProfile& model = r.scenario.tenants.at(0).model;
  const double speed = 82.5e9 * model.efficiency_on("jetson_nano"); // jetson-1 pstate 0, one "core"
  ASSERT_EQ(r.scenario.host_settings(kHost).pstate.value_or(0), 0);
  ASSERT_NE(r.meta.platform.find("speed=\"82.5Gf,"), std::string::npos) << "platform speed changed";
  std::map<int, double> fastest;
  for (const auto& q : r.requests)
    if (q.reason == kServed)
      fastest[q.exit] = fastest.contains(q.exit) ? std::min(fastest[q.exit], q.latency) : q.latency;
  ASSERT_GE(fastest.size(), 2u);
  for (const auto& [exit, latency] : fastest) {
    const auto e = static_cast<std::size_t>(exit);
    const std::size_t last = e < model.exits.size() ? model.exits[e].after_layer : model.layers.size() - 1;
    double flops = 0;
    for (std::size_t l = 0; l <= last; ++l)
      flops += model.layers[l].flops;
    for (std::size_t i = 0; i < std::min(e + 1, model.exits.size()); ++i)
      flops += model.exits[i].flops;
    EXPECT_NEAR(latency, flops / speed, 1e-6 * latency) << "exit " << exit;
  }
}

TEST(Battery, LargeBatteryLastsTheRun) {
  test::TempDir dir;
  const BatteryRun r = run_scenario(dir, "large.h5", {"hosts.jetson-1.battery_wh=36.3"});
  ASSERT_FALSE(HasFailure());
  const HostRecord& host = r.hosts.at(0);
  const double budget = battery_joules(r.scenario);
  EXPECT_NEAR(budget, 36.3 * 3600, 1e-9);
  EXPECT_EQ(host.down_at, -1.0);
  EXPECT_NEAR(host.battery_soc_end, 1.0 - host.energy_j / budget, 1e-9);
  EXPECT_GT(host.battery_soc_end, 0.9);
  for (const auto& q : r.requests)
    EXPECT_NE(q.reason, kHostDown) << "request " << q.id;
  const auto rows = host_rows(r.timeline, 0);
  ASSERT_FALSE(rows.empty());
  for (std::size_t i = 1; i < rows.size(); ++i)
    EXPECT_LE(rows[i].battery_soc, rows[i - 1].battery_soc);
  EXPECT_GT(rows.back().battery_soc, host.battery_soc_end - 1e-12);
}

TEST(Battery, FiveWattModeLastsLonger) {
  test::TempDir dir;
  const BatteryRun fast = run_scenario(dir, "p0.h5", {"hosts.jetson-1.pstate=0"});
  const BatteryRun slow = run_scenario(dir, "p1.h5", {"hosts.jetson-1.pstate=1"});
  ASSERT_FALSE(HasFailure());
  const double down_fast = fast.hosts.at(0).down_at;
  const double down_slow = slow.hosts.at(0).down_at;
  ASSERT_GT(down_fast, 0.0);
  EXPECT_TRUE(down_slow < 0 || down_slow > down_fast) << "5 W mode died at " << down_slow << ", 10 W at " << down_fast;
}

TEST(Battery, DepletionIsExactForOtherSeedsAndPstates) {
  // The shipped scenario (seed 1, pstate 0) is one draw; the host must go down when its
  // energy reaches the capacity whatever the request stream and the power mode.
  test::TempDir dir;
  for (const char* pstate : {"0", "1"}) {
    for (const char* seed : {"2", "3"}) {
      SCOPED_TRACE(std::string("pstate ") + pstate + ", seed " + seed);
      const BatteryRun r = run_scenario(
          dir, "sweep.h5", {std::string("hosts.jetson-1.pstate=") + pstate, std::string("simulation.seed=") + seed});
      ASSERT_EQ(r.hosts.size(), 1u);
      const HostRecord& host = r.hosts.at(0);
      const double budget = battery_joules(r.scenario);
      ASSERT_GT(host.down_at, 0.0);
      // KNOWN SIMULATOR BUG (src/core/simulation.cpp, Simulator::update_batteries):
      // the depletion time is predicted as now + remaining / sg_host_get_current_consumption(),
      // but right after Exec::start() SimGrid 3.32 still reports the idle power (the host
      // load is refreshed at the next model solve). The prediction made when an exec starts
      // on an idle host is therefore too late, the battery empties during the exec, and the
      // host is only taken down at the next event (the segment's end): energy_j overshoots
      // the capacity by up to busy power x segment time (0.005-0.19 J here), and down_at is
      // late by as much. Expected to fail until update_batteries() uses the power the host
      // will draw (e.g. from running_execs and the pstate's wattage) instead.
      EXPECT_NEAR(host.energy_j, budget, 1e-6 * budget) << "down at " << host.down_at;
      for (const auto& q : r.requests)
        if (q.arrival > host.down_at)
          EXPECT_EQ(q.reason, kHostDown) << "request " << q.id;
    }
  }
}

} // namespace
} // namespace edgesim
