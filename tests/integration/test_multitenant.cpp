// Several tenants on shared hosts: per-tenant accounting in /summary, processor sharing
// of a host between the tenants' stations, and the split of host energy between
// tenants by the work each ran there.
//
// tests/data/scenarios/twin-tenants.toml: two identical tenants (ResNet-18, Poisson
// 5/s each) on jetson-1 alone. scenarios/two-tenants.toml: two different models, one
// bursty (MMPP-2), sharing pi4-1 and jetson-1.
#include "cli_runner.hpp"

#include "core/deployment.hpp"
#include "core/platform_probe.hpp"
#include "io/run_reader.hpp"
#include "scenario/scenario_loader.hpp"

#include <edgesim/results.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <vector>

namespace edgesim {
namespace {

namespace fs = std::filesystem;

const std::string kTwins = (fs::path(EDGESIM_TEST_DATA) / "scenarios" / "twin-tenants.toml").string();
const std::string kTwoTenants = (fs::path(EDGESIM_SOURCE_DIR) / "scenarios" / "two-tenants.toml").string();

struct Output {
  std::vector<SummaryRow> summary;
  std::vector<RequestRecord> requests;
  std::vector<HostRecord> hosts;
};

Output run(const test::TempDir& dir, const std::string& scenario) {
  const std::string out = dir.file("run.h5");
  const auto result = test::run_edgesim({"run", scenario, "-o", out, "-q"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  if (result.exit_code != 0)
    return {};
  return {io::read_summary(out), io::read_requests(out), io::read_hosts(out)};
}

const HostRecord& host_named(const std::vector<HostRecord>& hosts, const std::string& name) {
  auto it = std::find_if(hosts.begin(), hosts.end(), [&](const HostRecord& h) { return h.name == name; });
  if (it == hosts.end())
    throw std::runtime_error("no host " + name + " in /hosts");
  return *it;
}

double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(q * static_cast<double>(values.size())))];
}

// Work a request of tenant `t` leaving at `exit` ran on `host`, as the simulator counts
// it for the energy split: flops / efficiency of the layers up to the exit and of the
// classifiers of the exits reached (the threshold and probabilities policies evaluate
// every exit they reach).
double work_on_host(const Scenario& scenario, const PlatformInfo& platform, const Deployment& deployment, std::size_t t,
                    int exit, const std::string& host) {
  const ModelProfile& model = scenario.tenants[t].model;
  const auto e = static_cast<std::size_t>(exit);
  const std::size_t last = e < model.exits.size() ? model.exits[e].after_layer : model.layers.size() - 1;
  double work = 0;
  for (const Fragment& fragment : deployment.tenants[t].fragments) {
    if (fragment.host != host)
      continue;
    double flops = 0;
    for (std::size_t l = fragment.first_layer; l <= std::min(fragment.last_layer, last); ++l)
      flops += model.layers[l].flops;
    for (std::size_t i = 0; i < std::min(e + 1, model.exits.size()); ++i)
      if (model.exits[i].after_layer >= fragment.first_layer && model.exits[i].after_layer <= fragment.last_layer)
        flops += model.exits[i].flops;
    work += flops / model.efficiency_on(platform.find(host)->info.device_class);
  }
  return work;
}

TEST(MultiTenant, IdenticalTenantsShareOneHostFairly) {
  const Scenario scenario = load_scenario(kTwins, {});
  const PlatformInfo platform = probe_platform(scenario.platform_file);
  ASSERT_EQ(scenario.tenants.size(), 2u);
  const std::string host_name = scenario.tenants[0].source;
  ASSERT_EQ(scenario.tenants[1].source, host_name);
  const ModelProfile& model = scenario.tenants[0].model;
  const ProbedHost& host_info = *platform.find(host_name);
  ASSERT_EQ(host_info.info.cores, 1);
  // Service time of one request alone on the host (whole model, no exits).
  const double service =
      model.total_flops() / (host_info.info.speed * model.efficiency_on(host_info.info.device_class));

  test::TempDir dir;
  const Output out = run(dir, kTwins);
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(out.summary.size(), 3u);
  const SummaryRow& a = out.summary[0];
  const SummaryRow& b = out.summary[1];
  const SummaryRow& all = out.summary[2];
  EXPECT_EQ(a.tenant, "twin-a");
  EXPECT_EQ(b.tenant, "twin-b");

  // Offered and served are counted per tenant, and "all" is their sum.
  const double warmup = scenario.simulation.warmup;
  std::uint64_t offered[2] = {0, 0}, served[2] = {0, 0}, executed[2] = {0, 0};
  std::vector<double> latencies[2];
  double latency_sum = 0, end = 0;
  for (const auto& r : out.requests) {
    ASSERT_LT(r.tenant, 2);
    EXPECT_EQ(r.reason, 0) << "request " << r.id << " lost: the buffer is large enough for no loss";
    if (r.reason != 0)
      continue;
    executed[r.tenant]++;
    latency_sum += r.latency;
    end = std::max(end, r.finish);
    if (r.arrival < warmup)
      continue;
    offered[r.tenant]++;
    served[r.tenant]++;
    latencies[r.tenant].push_back(r.latency);
  }
  EXPECT_EQ(a.offered, offered[0]);
  EXPECT_EQ(b.offered, offered[1]);
  EXPECT_EQ(a.served, served[0]);
  EXPECT_EQ(b.served, served[1]);
  EXPECT_NE(a.offered, b.offered) << "two independent arrival streams should not give equal counts";
  EXPECT_EQ(all.offered, a.offered + b.offered);
  EXPECT_EQ(all.served, a.served + b.served);
  // Each tenant's throughput is its own rate (5/s), not the host's.
  const double rate = scenario.tenants[0].arrival.mean_rate();
  EXPECT_NEAR(a.throughput, rate, 0.1 * rate);
  EXPECT_NEAR(b.throughput, rate, 0.1 * rate);

  // Statistically similar latencies: same model, rate and host.
  EXPECT_NEAR(a.latency_mean, b.latency_mean, 0.1 * all.latency_mean);
  EXPECT_NEAR(quantile(latencies[0], 0.95), quantile(latencies[1], 0.95), 0.2 * all.latency_p95);
  // Sharing the host makes requests wait for each other: mean above one service time,
  // but below the M/D/1 mean at the combined load (processor sharing is not worse for
  // deterministic service than FCFS by much more than that).
  const double rho = 2 * rate * service;
  ASSERT_LT(rho, 0.8);
  EXPECT_GT(all.latency_mean, service * 1.05);
  EXPECT_LT(all.latency_mean, service * (1 + rho / (1 - rho)));
  // Every request takes at least its own service time.
  for (const auto& l : latencies)
    EXPECT_GE(*std::min_element(l.begin(), l.end()), service * (1 - 1e-9));

  // The host's busy fraction is the sum of both tenants' loads: exactly the work both
  // tenants ran over the run's length, and about 2 x rate x service.
  const HostRecord& host = host_named(out.hosts, host_name);
  EXPECT_NEAR(host.busy_fraction * end, double(executed[0] + executed[1]) * service, 1e-6 * end);
  EXPECT_NEAR(host.busy_fraction, rho, 0.05 * rho);
  // Little's law over the run (empty at both ends): time-average number in the host's
  // stations x run length = total time spent in them.
  EXPECT_NEAR(host.mean_queue * end, latency_sum, 1e-6 * latency_sum);

  // Tenants split the host's dynamic energy by work: their shares add up to it, and
  // each is the tenant's share of the requests executed (identical work per request).
  // They split the static energy of the time the host was busy (docs/energy.md).
  EXPECT_NEAR(a.energy_dynamic_j + b.energy_dynamic_j, host.energy_dynamic_j, 1e-9 * host.energy_dynamic_j);
  const double share_a = double(executed[0]) / double(executed[0] + executed[1]);
  EXPECT_NEAR(a.energy_dynamic_j / host.energy_dynamic_j, share_a, 1e-9);
  EXPECT_NEAR(a.energy_dynamic_j / host.energy_dynamic_j, 0.5, 0.05);
  EXPECT_NEAR(a.energy_static_j + b.energy_static_j, host.energy_static_j * host.busy_fraction,
              1e-9 * host.energy_static_j);
  EXPECT_NEAR(a.energy_static_j / (a.energy_static_j + b.energy_static_j), 0.5, 0.05);
  EXPECT_GT(all.energy_j, host.energy_j); // "all" also has the idle hosts and links
}

TEST(MultiTenant, DifferentModelsOnSharedHostsAreAccountedPerTenant) {
  const Scenario scenario = load_scenario(kTwoTenants, {});
  const PlatformInfo platform = probe_platform(scenario.platform_file);
  const Deployment deployment = plan_deployment(scenario, platform);
  ASSERT_EQ(scenario.tenants.size(), 2u);
  ASSERT_NE(scenario.tenants[0].model.name, scenario.tenants[1].model.name);

  test::TempDir dir;
  const Output out = run(dir, kTwoTenants);
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(out.summary.size(), 3u);

  // Hosts running work of some tenant, and the work per (host, tenant) from the exits
  // taken (warm-up requests included: energy is over the whole run).
  std::map<std::string, std::vector<double>> work;
  for (const auto& t : deployment.tenants)
    for (const auto& f : t.fragments)
      work[f.host].assign(2, 0.0);
  std::vector<std::vector<double>> arrivals(2);
  for (const auto& r : out.requests) {
    ASSERT_LT(r.tenant, 2);
    arrivals[r.tenant].push_back(r.arrival);
    ASSERT_EQ(r.reason, 0) << "request " << r.id << ": the energy split below assumes no request was cut short";
    for (auto& [host, per_tenant] : work)
      per_tenant[r.tenant] += work_on_host(scenario, platform, deployment, r.tenant, r.exit, host);
  }
  ASSERT_EQ(work.size(), 2u) << "both tenants should share pi4-1 and jetson-1";

  double tenant_total = 0;
  for (std::size_t t = 0; t < 2; ++t) {
    double expected = 0;
    for (const auto& [host, per_tenant] : work) {
      const double total = per_tenant[0] + per_tenant[1];
      if (total > 0)
        expected += host_named(out.hosts, host).energy_dynamic_j * per_tenant[t] / total;
    }
    EXPECT_NEAR(out.summary[t].energy_dynamic_j, expected, 1e-9 * expected) << out.summary[t].tenant;
    EXPECT_GT(out.summary[t].energy_dynamic_j, 0.0);
    EXPECT_GT(out.summary[t].energy_static_j, 0.0);
    tenant_total += out.summary[t].energy_dynamic_j;
  }
  double shared_hosts = 0;
  for (const auto& [host, per_tenant] : work)
    shared_hosts += host_named(out.hosts, host).energy_dynamic_j;
  EXPECT_NEAR(tenant_total, shared_hosts, 1e-9 * shared_hosts);

  // Arrival processes: Poisson counts per second have variance ~ mean; the MMPP-2
  // tenant's are far more dispersed (bursts).
  auto dispersion = [&](const std::vector<double>& times) {
    const double duration = scenario.simulation.duration;
    std::vector<double> counts(static_cast<std::size_t>(duration), 0.0);
    for (double x : times)
      counts[std::min(counts.size() - 1, static_cast<std::size_t>(x))] += 1;
    const double mean = std::accumulate(counts.begin(), counts.end(), 0.0) / double(counts.size());
    double var = 0;
    for (double c : counts)
      var += (c - mean) * (c - mean);
    return var / double(counts.size() - 1) / mean;
  };
  ASSERT_EQ(scenario.tenants[0].arrival.name, "poisson");
  ASSERT_EQ(scenario.tenants[1].arrival.name, "mmpp2");
  EXPECT_NEAR(dispersion(arrivals[0]), 1.0, 0.3);
  EXPECT_GT(dispersion(arrivals[1]), 3.0);
  // Mean rates match each process's mean.
  const double duration = scenario.simulation.duration;
  for (std::size_t t = 0; t < 2; ++t) {
    const double expected = scenario.tenants[t].arrival.mean_rate();
    EXPECT_NEAR(double(arrivals[t].size()) / duration, expected, 0.2 * expected) << scenario.tenants[t].name;
  }

  // Per-tenant exits: each tenant's exits are within its own model's range, and the
  // probabilities tenant's exit mix follows its q (loose: ~1300 requests).
  std::vector<std::vector<double>> exit_counts(2);
  for (std::size_t t = 0; t < 2; ++t)
    exit_counts[t].assign(scenario.tenants[t].model.exits.size() + 1, 0.0);
  for (const auto& r : out.requests) {
    ASSERT_GE(r.exit, 0);
    ASSERT_LT(static_cast<std::size_t>(r.exit), exit_counts[r.tenant].size());
    exit_counts[r.tenant][static_cast<std::size_t>(r.exit)] += 1;
  }
  const std::vector<double> q{0.1, 0.2, 0.3, 0.4}; // scenarios/two-tenants.toml, traffic-cam
  const double n = std::accumulate(exit_counts[1].begin(), exit_counts[1].end(), 0.0);
  ASSERT_EQ(exit_counts[1].size(), q.size());
  for (std::size_t e = 0; e < q.size(); ++e)
    EXPECT_NEAR(exit_counts[1][e] / n, q[e], 4 * std::sqrt(q[e] * (1 - q[e]) / n)) << "exit " << e;
}

} // namespace
} // namespace edgesim
