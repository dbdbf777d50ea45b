// Every shipped scenario (scenarios/*.toml except the bench-*.toml benchmarks) is
// validated with `edgesim check`, run for a short while, and its HDF5 output is checked
// for conservation of requests, consistency between /requests and /summary, a physical
// lower bound on latencies, and bit-for-bit reproducibility.
//
// The expected values are recomputed from the scenario itself (loaded with the library's
// scenario loader, platform probe and placement), so a scenario added to scenarios/ is
// covered without touching this file.
#include "cli_runner.hpp"

#include "core/deployment.hpp"
#include "core/platform_probe.hpp"
#include "io/run_reader.hpp"
#include "scenario/scenario_loader.hpp"

#include <edgesim/results.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace edgesim {
namespace {

namespace fs = std::filesystem;

// Simulated seconds a scenario runs for here at most (its own duration if shorter).
constexpr double kMaxDuration = 400.0;
constexpr std::uint64_t kOtherSeed = 987654321;

fs::path scenarios_dir() {
  return fs::path(EDGESIM_SOURCE_DIR) / "scenarios";
}

std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(scenarios_dir())) {
    const fs::path& p = entry.path();
    if (!entry.is_regular_file() || p.extension() != ".toml" || p.filename().string().starts_with("bench-"))
      continue;
    files.push_back(p.string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return name;
}

// Overrides that keep a run short and make sure every request is traced.
std::vector<std::string> short_run_overrides(const std::string& file) {
  const Scenario scenario = load_scenario(file, {});
  std::vector<std::string> overrides{"simulation.trace_requests=true"};
  const double duration = scenario.simulation.duration;
  if (!(duration <= kMaxDuration)) {
    overrides.push_back(fmt::format("simulation.duration=\"{}s\"", kMaxDuration));
    if (scenario.simulation.warmup >= kMaxDuration)
      overrides.push_back(fmt::format("simulation.warmup=\"{}s\"", kMaxDuration / 10));
  }
  return overrides;
}

std::vector<std::string> with_sets(std::vector<std::string> args, const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    args.emplace_back("--set");
    args.push_back(o);
  }
  return args;
}

// Runs `edgesim run` and returns the output file; fails the test on a non-zero exit.
std::string run_to(const test::TempDir& dir, const std::string& name, const std::string& file,
                   const std::vector<std::string>& overrides, std::vector<std::string> extra = {}) {
  std::string out = dir.file(name);
  std::vector<std::string> args{"run", file, "-o", out, "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = test::run_edgesim(with_sets(args, overrides));
  EXPECT_EQ(result.exit_code, 0) << file << "\nstdout:\n" << result.out << "\nstderr:\n" << result.err;
  return out;
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}
bool same_bits(float a, float b) {
  return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

bool same(const RequestRecord& a, const RequestRecord& b) {
  return a.id == b.id && a.tenant == b.tenant && same_bits(a.arrival, b.arrival) && same_bits(a.finish, b.finish) &&
         same_bits(a.latency, b.latency) && a.exit == b.exit && a.correct == b.correct &&
         same_bits(a.confidence, b.confidence) && a.lost_at == b.lost_at && a.reason == b.reason;
}
bool same(const TimelineRecord& a, const TimelineRecord& b) {
  return same_bits(a.t, b.t) && a.host == b.host && a.queue_len == b.queue_len &&
         same_bits(a.queue_mean, b.queue_mean) && same_bits(a.power_w, b.power_w) &&
         same_bits(a.battery_soc, b.battery_soc);
}
bool same(const HostRecord& a, const HostRecord& b) {
  return a.name == b.name && same_bits(a.energy_j, b.energy_j) && same_bits(a.busy_fraction, b.busy_fraction) &&
         a.served == b.served && a.lost == b.lost && same_bits(a.mean_queue, b.mean_queue) &&
         same_bits(a.battery_soc_end, b.battery_soc_end) && same_bits(a.down_at, b.down_at);
}
bool same(const SummaryRow& a, const SummaryRow& b) {
  return a.tenant == b.tenant && a.offered == b.offered && a.served == b.served && a.lost == b.lost &&
         same_bits(a.loss_ratio, b.loss_ratio) && same_bits(a.throughput, b.throughput) &&
         same_bits(a.latency_mean, b.latency_mean) && same_bits(a.latency_p50, b.latency_p50) &&
         same_bits(a.latency_p95, b.latency_p95) && same_bits(a.latency_p99, b.latency_p99) &&
         same_bits(a.accuracy, b.accuracy) && same_bits(a.effective_accuracy, b.effective_accuracy) &&
         same_bits(a.slo_violation_ratio, b.slo_violation_ratio) && same_bits(a.energy_j, b.energy_j) &&
         same_bits(a.energy_per_served_j, b.energy_per_served_j);
}

template <class Record>
void expect_identical(const std::vector<Record>& a, const std::vector<Record>& b, const char* table) {
  ASSERT_EQ(a.size(), b.size()) << table << ": row counts differ";
  std::size_t differing = 0, first = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i]) && differing++ == 0)
      first = i;
  EXPECT_EQ(differing, 0u) << table << ": " << differing << " rows differ, first at row " << first;
}

double exact_quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// Pure compute time of the layers a request leaving at `exit` went through, each on the
// host its fragment is placed on, at the fastest speed the host may run at (its pstate
// override, otherwise its fastest pstate): no queueing, no transfers, no classifiers.
// Mirrors the cost model of docs/calibration.md: F / (threads x speed x efficiency),
// threads = cores / servers.
class ComputeBound {
public:
  ComputeBound(const Scenario& scenario, const PlatformInfo& platform, const Deployment& deployment) {
    for (std::size_t t = 0; t < scenario.tenants.size(); ++t) {
      const TenantSpec& tenant = scenario.tenants[t];
      const ModelProfile& model = tenant.model;
      std::vector<double> per_layer(model.layers.size(), 0.0);
      for (const Fragment& fragment : deployment.tenants[t].fragments) {
        const ProbedHost* host = platform.find(fragment.host);
        const HostSettings& settings = scenario.host_settings(fragment.host);
        double speed = host->info.speed;
        for (double s : host->pstate_speeds)
          speed = std::max(speed, s);
        if (settings.pstate)
          speed = host->pstate_speeds.at(static_cast<std::size_t>(*settings.pstate));
        const int threads = std::max(1, std::max(1, host->info.cores) / settings.servers);
        const double rate = threads * speed * model.efficiency_on(host->info.device_class);
        for (std::size_t l = fragment.first_layer; l <= fragment.last_layer; ++l)
          per_layer[l] = model.layers[l].flops / rate;
      }
      std::vector<double> bounds;
      for (std::size_t e = 0; e <= model.exits.size(); ++e) {
        const std::size_t last = e < model.exits.size() ? model.exits[e].after_layer : model.layers.size() - 1;
        double sum = 0;
        for (std::size_t l = 0; l <= last; ++l)
          sum += per_layer[l];
        bounds.push_back(sum);
      }
      bounds_.push_back(std::move(bounds));
    }
  }
  [[nodiscard]] double at(std::size_t tenant, std::size_t exit) const { return bounds_.at(tenant).at(exit); }

private:
  std::vector<std::vector<double>> bounds_;
};

class ScenarioTest : public testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, CheckAccepts) {
  const auto result = test::run_edgesim({"check", GetParam()});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(": ok ("), std::string::npos) << result.out;
}

TEST_P(ScenarioTest, RunConservesRequestsAndMatchesSummary) {
  const std::string file = GetParam();
  const auto overrides = short_run_overrides(file);
  const Scenario scenario = load_scenario(file, overrides);
  const PlatformInfo platform = probe_platform(scenario.platform_file, {}, scenario.simulation.network_model);
  const Deployment deployment = plan_deployment(scenario, platform);
  const ComputeBound bound(scenario, platform, deployment);
  const std::size_t tenants = scenario.tenants.size();
  const double warmup = scenario.simulation.warmup;

  test::TempDir dir;
  const std::string out = run_to(dir, "run.h5", file, overrides);
  if (HasFailure())
    return;
  const auto summary = io::read_summary(out);
  const auto requests = io::read_requests(out);
  const auto hosts = io::read_hosts(out);
  const auto links = io::read_links(out);
  const auto timeline = io::read_timeline(out);
  const auto meta = io::read_meta(out);

  // /meta
  EXPECT_EQ(meta.seed, scenario.simulation.seed);
  EXPECT_FALSE(meta.interrupted);
  EXPECT_NE(meta.scenario.find("trace_requests = true"), std::string::npos);
  EXPECT_FALSE(meta.platform.empty());

  // /summary: one row per tenant in scenario order, then "all"; offered = served + lost.
  ASSERT_EQ(summary.size(), tenants + 1);
  EXPECT_EQ(summary.back().tenant, "all");
  std::uint64_t offered = 0, served = 0, lost = 0;
  for (std::size_t t = 0; t < tenants; ++t) {
    const SummaryRow& row = summary[t];
    EXPECT_EQ(row.tenant, scenario.tenants[t].name);
    EXPECT_GT(row.offered, 0u) << row.tenant << ": no request offered";
    EXPECT_EQ(row.offered, row.served + row.lost) << row.tenant;
    offered += row.offered;
    served += row.served;
    lost += row.lost;
  }
  EXPECT_EQ(summary.back().offered, offered);
  EXPECT_EQ(summary.back().served, served);
  EXPECT_EQ(summary.back().lost, lost);
  EXPECT_EQ(summary.back().offered, summary.back().served + summary.back().lost);

  // /requests: one row per arrival, warm-up included; ids are 0..N-1, each once.
  std::size_t warmup_rows = 0;
  std::set<std::uint64_t> ids;
  for (const auto& r : requests) {
    ids.insert(r.id);
    warmup_rows += r.arrival < warmup ? 1 : 0;
  }
  EXPECT_EQ(requests.size(), offered + warmup_rows);
  EXPECT_EQ(ids.size(), requests.size()) << "duplicate request ids";
  if (!ids.empty()) {
    EXPECT_EQ(*ids.begin(), 0u);
    EXPECT_EQ(*ids.rbegin(), requests.size() - 1) << "request ids have gaps: some arrivals were not traced";
  }

  // Per-tenant recount from /requests (measured = arrival >= warmup).
  struct Count {
    std::uint64_t offered = 0, served = 0, lost = 0, correct = 0, slo_met = 0;
    std::uint64_t served_whole_run = 0; // warm-up included, as energy is
    std::vector<double> latencies;
  };
  std::vector<Count> counts(tenants);
  std::size_t below_bound = 0;
  std::string below_example;
  const double horizon = std::isfinite(scenario.simulation.duration) ? scenario.simulation.duration
                                                                     : std::numeric_limits<double>::infinity();
  for (const auto& r : requests) {
    ASSERT_LT(r.tenant, tenants);
    const TenantSpec& tenant = scenario.tenants[r.tenant];
    const auto num_exits = static_cast<int>(tenant.model.exits.size());
    EXPECT_GE(r.arrival, 0.0);
    EXPECT_LE(r.arrival, horizon);
    if (r.reason == 0) {
      EXPECT_GE(r.exit, 0) << "request " << r.id;
      EXPECT_LE(r.exit, num_exits) << "request " << r.id;
      EXPECT_EQ(r.lost_at, -1);
      ASSERT_TRUE(std::isfinite(r.finish) && std::isfinite(r.latency)) << "request " << r.id;
      EXPECT_DOUBLE_EQ(r.latency, r.finish - r.arrival) << "request " << r.id;
      EXPECT_TRUE(r.confidence >= 0 && r.confidence <= 1) << "request " << r.id;
      if (r.exit >= 0 && r.exit <= num_exits && tenant.work.name == "deterministic") {
        const double lb = bound.at(r.tenant, static_cast<std::size_t>(r.exit));
        if (r.latency < lb * (1 - 1e-9) && below_bound++ == 0)
          below_example = fmt::format("request {} (tenant {}, exit {}): latency {} s < compute bound {} s", r.id,
                                      tenant.name, r.exit, r.latency, lb);
      }
    } else {
      EXPECT_TRUE(r.reason >= 1 && r.reason <= 3) << "request " << r.id << " reason " << int(r.reason);
      EXPECT_EQ(r.exit, -1);
      EXPECT_TRUE(std::isnan(r.finish) && std::isnan(r.latency)) << "request " << r.id;
      EXPECT_GE(r.lost_at, 0);
      EXPECT_LT(r.lost_at, static_cast<std::int32_t>(platform.hosts.size()));
    }
    if (r.reason == 0)
      counts[r.tenant].served_whole_run++;
    if (r.arrival < warmup)
      continue;
    Count& c = counts[r.tenant];
    c.offered++;
    if (r.reason == 0) {
      c.served++;
      c.correct += r.correct;
      c.slo_met += r.latency <= tenant.slo ? 1 : 0;
      c.latencies.push_back(r.latency);
    } else {
      c.lost++;
    }
  }
  EXPECT_EQ(below_bound, 0u) << below_example;

  const double window = (std::isfinite(scenario.simulation.duration) ? scenario.simulation.duration : 0) - warmup;
  for (std::size_t t = 0; t < tenants; ++t) {
    const SummaryRow& row = summary[t];
    const Count& c = counts[t];
    SCOPED_TRACE(row.tenant);
    EXPECT_EQ(row.offered, c.offered);
    EXPECT_EQ(row.served, c.served);
    EXPECT_EQ(row.lost, c.lost);
    EXPECT_NEAR(row.loss_ratio, double(c.lost) / double(c.offered), 1e-12);
    if (window > 0)
      EXPECT_NEAR(row.throughput, double(c.served) / window, 1e-9 * row.throughput);
    EXPECT_NEAR(row.slo_violation_ratio, 1.0 - double(c.slo_met) / double(c.offered), 1e-12);
    EXPECT_NEAR(row.effective_accuracy, double(c.correct) / double(c.offered), 1e-12);
    if (c.served > 0) {
      double sum = 0;
      for (double l : c.latencies)
        sum += l;
      EXPECT_NEAR(row.latency_mean, sum / double(c.served), 1e-9 * row.latency_mean);
      EXPECT_NEAR(row.accuracy, double(c.correct) / double(c.served), 1e-12);
      // The summary's percentiles come from log bins 0.23 % wide.
      for (auto [q, value] : {std::pair{0.5, row.latency_p50}, {0.95, row.latency_p95}, {0.99, row.latency_p99}}) {
        const double exact = exact_quantile(c.latencies, q);
        EXPECT_NEAR(value, exact, 0.01 * exact) << "latency quantile " << q;
      }
      // Energy covers the whole run, so it is shared by every request served in it.
      EXPECT_NEAR(row.energy_per_served_j, row.energy_j / double(c.served_whole_run), 1e-9 * row.energy_per_served_j);
    }
  }

  // /hosts: platform order; energies add up to the "all" energy with the links'.
  ASSERT_EQ(hosts.size(), platform.hosts.size());
  double energy = 0;
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    EXPECT_EQ(hosts[h].name, platform.hosts[h].info.name);
    EXPECT_GE(hosts[h].energy_j, 0.0);
    EXPECT_GE(hosts[h].busy_fraction, 0.0);
    EXPECT_LE(hosts[h].busy_fraction, 1.0 + 1e-12);
    EXPECT_GE(hosts[h].battery_soc_end, 0.0);
    EXPECT_LE(hosts[h].battery_soc_end, 1.0);
    energy += hosts[h].energy_j;
  }
  for (const auto& link : links)
    energy += link.energy_j;
  EXPECT_NEAR(summary.back().energy_j, energy, 1e-9 * energy);
  double tenant_energy = 0;
  for (std::size_t t = 0; t < tenants; ++t)
    tenant_energy += summary[t].energy_j;
  EXPECT_LE(tenant_energy, energy * (1 + 1e-9));

  // /timeline: one row per host at t = 0, sample_every, 2 sample_every, ...
  ASSERT_FALSE(timeline.empty());
  ASSERT_EQ(timeline.size() % hosts.size(), 0u);
  const double every = scenario.simulation.sample_every;
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    const auto& row = timeline[i];
    const std::size_t k = i / hosts.size();
    EXPECT_NEAR(row.t, double(k) * every, 1e-9 * std::max(1.0, row.t)) << "timeline row " << i;
    EXPECT_EQ(row.host, static_cast<std::int32_t>(i % hosts.size())) << "timeline row " << i;
    EXPECT_GE(row.queue_len, 0);
    EXPECT_GE(row.queue_mean, 0.0);
    EXPECT_GE(row.power_w, 0.0);
    EXPECT_TRUE(row.battery_soc >= 0 && row.battery_soc <= 1) << "timeline row " << i;
  }
}

TEST_P(ScenarioTest, SameSeedIsBitIdenticalOtherSeedDiffers) {
  const std::string file = GetParam();
  const auto overrides = short_run_overrides(file);
  test::TempDir dir;
  const std::string a = run_to(dir, "a.h5", file, overrides);
  const std::string b = run_to(dir, "b.h5", file, overrides);
  const std::string c = run_to(dir, "c.h5", file, overrides, {"--seed", std::to_string(kOtherSeed)});
  if (HasFailure())
    return;
  const auto requests_a = io::read_requests(a);
  ASSERT_FALSE(requests_a.empty());
  expect_identical(requests_a, io::read_requests(b), "/requests");
  expect_identical(io::read_summary(a), io::read_summary(b), "/summary");
  expect_identical(io::read_hosts(a), io::read_hosts(b), "/hosts");
  expect_identical(io::read_timeline(a), io::read_timeline(b), "/timeline");

  EXPECT_EQ(io::read_meta(c).seed, kOtherSeed);
  const auto requests_c = io::read_requests(c);
  bool differs = requests_a.size() != requests_c.size();
  for (std::size_t i = 0; !differs && i < requests_a.size(); ++i)
    differs = !same(requests_a[i], requests_c[i]);
  EXPECT_TRUE(differs) << "a different seed gave the same /requests";
}

INSTANTIATE_TEST_SUITE_P(Shipped, ScenarioTest, testing::ValuesIn(scenario_files()), test_name);

TEST(ScenarioFiles, TheDocumentedScenariosExist) {
  const auto files = scenario_files();
  for (const char* name : {"quickstart.toml", "chainnet-testbed.toml", "jetson-battery.toml", "pi-jetson-server.toml",
                           "two-tenants.toml", "semantic-split.toml"})
    EXPECT_NE(std::find(files.begin(), files.end(), (scenarios_dir() / name).string()), files.end()) << name;
}

} // namespace
} // namespace edgesim
