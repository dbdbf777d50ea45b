// Static and dynamic energy (docs/energy.md), bytes per link and interval-average
// timeline power, on shipped scenarios:
// - per host, static (idle power x up time) + dynamic = energy;
// - tenants' dynamic energy adds up to the hosts' dynamic energy, and their static
//   energy to each host's idle power over its busy time (the busy time is split among
//   the tenants running there); "all" holds every host's static energy;
// - /links bytes is the activation size times the requests that crossed the link;
// - /timeline power integrates to the host's energy.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <edgesim/results.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace edgesim {
namespace {

namespace fs = std::filesystem;

std::string scenario(const std::string& name) {
  return (fs::path(EDGESIM_SOURCE_DIR) / "scenarios" / name).string();
}

struct RunFiles {
  std::vector<SummaryRow> summary;
  std::vector<HostRecord> hosts;
  std::vector<LinkRecord> links;
  std::vector<TimelineRecord> timeline;
  std::vector<RequestRecord> requests;
};

RunFiles run(const test::TempDir& dir, const std::string& name) {
  const auto result = test::run_edgesim({"run", scenario(name), "-q", "-o", dir.file("run.h5")});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  RunFiles r;
  if (result.exit_code != 0)
    return r;
  r.summary = io::read_summary(dir.file("run.h5"));
  r.hosts = io::read_hosts(dir.file("run.h5"));
  r.links = io::read_links(dir.file("run.h5"));
  r.timeline = io::read_timeline(dir.file("run.h5"));
  r.requests = io::read_requests(dir.file("run.h5"));
  return r;
}

TEST(EnergyParts, HostAndTenantPartsAddUp) {
  test::TempDir dir;
  const RunFiles r = run(dir, "two-tenants.toml");
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(r.summary.size(), 3u);
  double host_static = 0, host_dynamic = 0, busy_static = 0;
  for (const auto& h : r.hosts) {
    SCOPED_TRACE(h.name);
    EXPECT_NEAR(h.energy_static_j + h.energy_dynamic_j, h.energy_j, 1e-9 * h.energy_j);
    EXPECT_GT(h.energy_static_j, 0.0);
    EXPECT_GE(h.energy_dynamic_j, -1e-9);
    host_static += h.energy_static_j;
    host_dynamic += h.energy_dynamic_j;
    // No host goes down here: static = idle power x the whole run; the tenants share
    // the part of it their execs kept the host busy.
    busy_static += h.energy_static_j * h.busy_fraction;
  }
  double tenant_dynamic = 0, tenant_static = 0;
  for (std::size_t t = 0; t + 1 < r.summary.size(); ++t) {
    const SummaryRow& row = r.summary[t];
    SCOPED_TRACE(row.tenant);
    EXPECT_NEAR(row.energy_dynamic_j + row.energy_static_j, row.energy_j, 1e-9 * row.energy_j);
    EXPECT_GT(row.energy_dynamic_j, 0.0);
    EXPECT_GT(row.energy_static_j, 0.0);
    tenant_dynamic += row.energy_dynamic_j;
    tenant_static += row.energy_static_j;
  }
  EXPECT_NEAR(tenant_dynamic, host_dynamic, 1e-9 * host_dynamic);
  EXPECT_NEAR(tenant_static, busy_static, 1e-9 * busy_static);
  // The idle server's static draw is charged to nobody.
  EXPECT_LT(tenant_static, 0.5 * host_static);
  const SummaryRow& all = r.summary.back();
  EXPECT_NEAR(all.energy_dynamic_j + all.energy_static_j, all.energy_j, 1e-9 * all.energy_j);
  EXPECT_GE(all.energy_static_j, host_static * (1 - 1e-12));
}

TEST(EnergyParts, LinkBytesAreTheActivationsThatCrossedIt) {
  // quickstart: cam-1 on pi4-1 runs layers 0-6 (exit 0 after features.3), sends the
  // 100352-byte output of features.6 over wlan-air and ap-jetson to jetson-1.
  test::TempDir dir;
  const RunFiles r = run(dir, "quickstart.toml");
  ASSERT_FALSE(HasFailure());
  const std::int32_t jetson = 0; // hosts sorted by name: jetson-1, pi4-1, server-1
  ASSERT_EQ(r.hosts.at(static_cast<std::size_t>(jetson)).name, "jetson-1");
  double crossed = 0;
  for (const auto& q : r.requests)
    if ((q.reason == 0 && q.exit >= 1) || q.lost_at == jetson)
      crossed += 1;
  ASSERT_GT(crossed, 100);
  for (const auto& link : r.links) {
    SCOPED_TRACE(link.name);
    const double expected = link.name == "eth-jetson-server" ? 0.0 : crossed * 100352.0;
    EXPECT_EQ(link.bytes, expected);
  }
}

TEST(EnergyParts, TimelinePowerIsTheIntervalAverage) {
  // jetson-battery: the battery empties mid-run; the energy between samples, summed,
  // is the battery's capacity exactly when the last sample is after the host went down.
  test::TempDir dir;
  const RunFiles r = run(dir, "jetson-battery.toml");
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(r.hosts.size(), 1u);
  double integral = 0;
  double previous_t = 0;
  bool first = true;
  for (const auto& row : r.timeline) {
    if (!first)
      integral += row.power_w * (row.t - previous_t);
    first = false;
    previous_t = row.t;
  }
  ASSERT_GT(previous_t, r.hosts[0].down_at);
  EXPECT_NEAR(integral, r.hosts[0].energy_j, 1e-9 * r.hosts[0].energy_j);
}

} // namespace
} // namespace edgesim
