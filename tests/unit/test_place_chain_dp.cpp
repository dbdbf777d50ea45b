// chain-dp is exact: on many small random problems its placement costs exactly the
// brute-force optimum over every cut set and host assignment, for both objectives.
#include "policies/place/chain_dp.hpp"

#include "random_placement_problem.hpp"

#include <gtest/gtest.h>

namespace {

using namespace edgesim;
using place::ChainObjective;

TEST(ChainDp, MatchesBruteForceOnRandomProblems) {
  std::mt19937_64 rng(20261130);
  constexpr int kCases = 300;
  int infeasible = 0;
  std::size_t placements = 0;
  for (int c = 0; c < kCases; ++c) {
    const auto random = test::random_placement_problem(rng);
    const PlacementProblem problem = random.problem();
    const auto brute = test::brute_force(problem);
    placements += brute.placements;
    const auto by_latency = place::chain_dp(problem, ChainObjective::Latency, place::all_hosts(problem));
    const auto by_throughput = place::chain_dp(problem, ChainObjective::Throughput, place::all_hosts(problem));
    if (!brute.latency) {
      ++infeasible;
      EXPECT_TRUE(by_latency.empty()) << "case " << c;
      EXPECT_TRUE(by_throughput.empty()) << "case " << c;
      continue;
    }
    const auto latency_cost = place::evaluate_chain(problem, by_latency);
    const auto throughput_cost = place::evaluate_chain(problem, by_throughput);
    ASSERT_TRUE(latency_cost.has_value()) << "case " << c << ": chain-dp returned an infeasible placement";
    ASSERT_TRUE(throughput_cost.has_value()) << "case " << c;
    EXPECT_NEAR(latency_cost->latency_s, *brute.latency, 1e-9 * *brute.latency) << "case " << c;
    EXPECT_NEAR(throughput_cost->bottleneck_s, *brute.bottleneck, 1e-9 * *brute.bottleneck) << "case " << c;
    // Ties on the bottleneck are broken by latency.
    EXPECT_NEAR(throughput_cost->latency_s, *brute.latency_at_bottleneck, 1e-9 * *brute.latency_at_bottleneck)
        << "case " << c;
  }
  // The generator must exercise both outcomes.
  EXPECT_GT(infeasible, 0);
  EXPECT_LT(infeasible, kCases / 4);
  RecordProperty("cases", kCases);
  RecordProperty("feasible_placements_enumerated", static_cast<int>(placements));
}

TEST(ChainDp, SplitsWhereTheHandComputedOptimumIs) {
  // Two layers of 1 Gflop; the source computes at 1 Gflop/s, the server at 10 Gflop/s.
  // Cut after layer 0 (1 MB at 10 MB/s = 0.1 s): 1 + 0.1 + 0.1 = 1.2 s; offload the input
  // (4 MB = 0.4 s): 0.4 + 0.2 = 0.6 s; stay local: 2 s. The optimum offloads everything.
  ModelProfile model;
  model.name = "two";
  model.input_bytes = 4e6;
  model.layers = {Layer{"a", 1e9, 1e6, 0}, Layer{"b", 1e9, 1e3, 0}};
  std::vector<HostInfo> hosts{HostInfo{.name = "device", .speed = 1e9}, HostInfo{.name = "server", .speed = 1e10}};
  std::vector<RouteInfo> routes{{"device", "server", 1e7, 0}, {"server", "device", 1e7, 0}};
  PlacementProblem problem{
      .hosts = hosts, .model = model, .source_host = "device", .routes = routes, .workload = {.input_bytes = 4e6}};
  auto fragments = place::chain_dp(problem, ChainObjective::Latency, std::vector<std::size_t>{0, 1});
  ASSERT_EQ(fragments.size(), 1U);
  EXPECT_EQ(fragments[0].host, "server");
  // With 0.5 MB/s the input costs 8 s and the cut 2 s: all local (2 s) wins.
  routes[0].bandwidth_Bps = 5e5;
  fragments = place::chain_dp(problem, ChainObjective::Latency, std::vector<std::size_t>{0, 1});
  ASSERT_EQ(fragments.size(), 1U);
  EXPECT_EQ(fragments[0].host, "device");
  // RAM: the server cannot hold layer b's 2 GB of parameters, the device can't hold a.
  model.layers[0].param_bytes = 3e9;
  model.layers[1].param_bytes = 2e9;
  hosts[0].ram_bytes = 2.5e9;
  hosts[1].ram_bytes = 3.5e9;
  fragments = place::chain_dp(problem, ChainObjective::Latency, std::vector<std::size_t>{0, 1});
  ASSERT_EQ(fragments.size(), 2U);
  EXPECT_EQ(fragments[0].host, "server");
  EXPECT_EQ(fragments[1].host, "device");
  // Without a route back, nothing is feasible.
  routes.pop_back();
  problem.routes = routes; // a span: re-point it at the shorter list
  EXPECT_TRUE(place::chain_dp(problem, ChainObjective::Latency, std::vector<std::size_t>{0, 1}).empty());
}

} // namespace
