// The placement ILP (GLPK) agrees with chain-dp wherever their objectives coincide:
// the same optimal latency, and the same optimal bottleneck, on random small problems;
// infeasible problems are reported as such.
#include "policies/place/chain_dp.hpp"
#include "policies/place/ilp.hpp"

#include "random_placement_problem.hpp"

#include <gtest/gtest.h>

namespace {

using namespace edgesim;
using place::ChainObjective;

TEST(PlacementIlp, AgreesWithChainDpOnRandomProblems) {
  std::mt19937_64 rng(4242);
  constexpr int kCases = 120;
  int feasible = 0;
  for (int c = 0; c < kCases; ++c) {
    const auto random = test::random_placement_problem(rng);
    const PlacementProblem problem = random.problem();
    for (auto objective : {ChainObjective::Latency, ChainObjective::Throughput}) {
      const auto dp = place::chain_dp(problem, objective, place::all_hosts(problem));
      const auto ilp = place::solve_placement_ilp(problem, objective, place::all_hosts(problem), 30.0);
      ASSERT_EQ(dp.empty(), ilp.fragments.empty()) << "case " << c;
      if (dp.empty())
        continue;
      ++feasible;
      EXPECT_TRUE(ilp.proven_optimal);
      const auto dp_cost = place::evaluate_chain(problem, dp);
      const auto ilp_cost = place::evaluate_chain(problem, ilp.fragments);
      ASSERT_TRUE(ilp_cost.has_value()) << "case " << c << ": the ILP's placement breaks a constraint";
      // GLPK's tolerances (1e-7 on bounds) allow a tiny slack.
      EXPECT_NEAR(ilp_cost->value(objective), dp_cost->value(objective), 1e-6 * dp_cost->value(objective))
          << "case " << c << (objective == ChainObjective::Latency ? " latency" : " throughput");
    }
  }
  EXPECT_GT(feasible, kCases);
}

TEST(PlacementIlp, InfeasibleWhenNoHostHoldsALayer) {
  std::mt19937_64 rng(7);
  auto random = test::random_placement_problem(rng);
  for (auto& host : random.hosts)
    host.ram_bytes = 1e3; // smaller than any layer's activations
  const PlacementProblem problem = random.problem();
  EXPECT_TRUE(
      place::solve_placement_ilp(problem, ChainObjective::Latency, place::all_hosts(problem), 10.0).fragments.empty());
}

} // namespace
