// Joint placement (docs/joint-placement.md): the joint ILP is the exact optimum of the
// joint objective over every pair of chain placements of two tenants sharing the hosts'
// RAM and utilisation; chain-dp's coordinate descent is feasible, never better than it,
// a coordinate-wise optimum, and usually optimal; one tenant placed jointly is placed as
// alone; and the load tenants put on hosts and routes is what the cost model says.
#include "config/toml_config.hpp"
#include "policies/place/chain_dp.hpp"
#include "policies/place/ilp.hpp"
#include "policies/place/joint_placement.hpp"

#include <edgesim/joint_load.hpp>

#include "random_placement_problem.hpp"

#include <gtest/gtest.h>

#include <array>

#include <toml++/toml.h>

namespace {

using namespace edgesim;
using place::ChainObjective;

// Two (or more) tenants with their own models and rates on one random platform.
struct JointInstance {
  std::vector<HostInfo> hosts;
  std::vector<RouteInfo> routes;
  std::string source;
  std::vector<ModelProfile> models;
  std::vector<double> rates;

  [[nodiscard]] std::vector<PlacementProblem> problems() const {
    std::vector<PlacementProblem> out;
    for (std::size_t t = 0; t < models.size(); ++t)
      out.push_back(PlacementProblem{
          .hosts = hosts,
          .model = models[t],
          .source_host = source,
          .tenant = static_cast<int>(t),
          .routes = routes,
          .workload = Workload{.arrival_rate = rates[t], .slo_s = 1, .input_bytes = models[t].input_bytes}});
    return out;
  }
};

// Rates that keep each tenant's fastest host 20-70 % busy alone, so two tenants on it
// often pass max_utilisation = 1 and the shared capacity decides.
JointInstance random_joint_instance(std::mt19937_64& rng, std::size_t tenants) {
  auto base = test::random_placement_problem(rng, 4, 3);
  JointInstance instance{.hosts = base.hosts, .routes = base.routes, .source = base.source};
  for (std::size_t t = 0; t < tenants; ++t) {
    ModelProfile model = t == 0 ? base.model : test::random_placement_problem(rng, 4, 3).model;
    model.name = "m" + std::to_string(t);
    double fastest = std::numeric_limits<double>::infinity();
    for (const HostInfo& host : instance.hosts)
      fastest = std::min(fastest, range_seconds(model, 0, model.layers.size() - 1, host));
    instance.rates.push_back(std::uniform_real_distribution<double>(0.2, 0.7)(rng) / fastest);
    instance.models.push_back(std::move(model));
  }
  return instance;
}

struct JointOptimum {
  std::optional<place::JointCost> latency;    // least mean latency
  std::optional<place::JointCost> throughput; // least peak, then least mean latency
};

JointOptimum brute_force_joint(std::span<const PlacementProblem> problems, double max_utilisation) {
  const auto first = test::chain_placements(problems[0]);
  const auto second = test::chain_placements(problems[1]);
  JointOptimum best;
  for (const auto& a : first)
    for (const auto& b : second) {
      const std::vector<std::vector<Fragment>> plans{a, b};
      const auto cost = place::joint_cost(problems, plans, max_utilisation);
      if (!cost)
        continue;
      if (!best.latency || cost->mean_latency_s < best.latency->mean_latency_s)
        best.latency = cost;
      if (!best.throughput || cost->peak_utilisation < best.throughput->peak_utilisation * (1 - 1e-12) ||
          (cost->peak_utilisation <= best.throughput->peak_utilisation * (1 + 1e-12) &&
           cost->mean_latency_s < best.throughput->mean_latency_s))
        best.throughput = cost;
    }
  return best;
}

std::unique_ptr<PlacementPolicy> make_policy(std::string_view name, ChainObjective objective, bool joint,
                                             double max_utilisation = 1.0) {
  toml::table table{{"policy", std::string(name)},
                    {"objective", objective == ChainObjective::Latency ? "latency" : "throughput"},
                    {"joint", joint}};
  if (joint)
    table.insert("max_utilisation", max_utilisation);
  const ConfigView config = edgesim::config_view(table, "s.toml", "placement");
  return Registry::instance().placement_policy(name)->factory(PlacementPolicyArgs{config, 1});
}

TEST(JointPlacement, IlpIsTheJointOptimumAndChainDpIsNeverBetter) {
  std::mt19937_64 rng(20261207);
  constexpr int kCases = 200;
  int feasible = 0;
  std::array<int, 2> dp_optimal{};  // by objective: latency, throughput
  std::array<int, 2> dp_feasible{}; // feasible (case, objective) pairs
  double worst_gap = 0;             // relative, in the objective's first term
  int binding = 0;                  // cases where placing each tenant alone breaks the shared capacity
  int dp_missed = 0;                // cases where coordinate descent found no feasible point
  for (int c = 0; c < kCases; ++c) {
    const JointInstance instance = random_joint_instance(rng, 2);
    const auto problems = instance.problems();
    const JointOptimum brute = brute_force_joint(problems, 1.0);
    for (auto objective : {ChainObjective::Latency, ChainObjective::Throughput}) {
      const auto ilp = place::solve_joint_placement_ilp(problems, objective, place::all_hosts(problems[0]), 30.0, 1.0);
      const auto& optimum = objective == ChainObjective::Latency ? brute.latency : brute.throughput;
      ASSERT_EQ(ilp.plans.empty(), !optimum.has_value()) << "case " << c;
      if (!optimum)
        continue;
      ++feasible;
      const auto o = static_cast<std::size_t>(objective == ChainObjective::Throughput);
      ++dp_feasible[o];
      EXPECT_TRUE(ilp.proven_optimal);
      const auto ilp_cost = place::joint_cost(problems, ilp.plans, 1.0 + 1e-6); // GLPK's tolerance
      ASSERT_TRUE(ilp_cost.has_value()) << "case " << c << ": the joint ILP broke a shared capacity";
      if (objective == ChainObjective::Latency) {
        EXPECT_NEAR(ilp_cost->mean_latency_s, optimum->mean_latency_s, 1e-6 * optimum->mean_latency_s) << c;
      } else {
        EXPECT_NEAR(ilp_cost->peak_utilisation, optimum->peak_utilisation, 1e-6 * optimum->peak_utilisation) << c;
        EXPECT_LE(ilp_cost->mean_latency_s, optimum->mean_latency_s * (1 + 1e-6)) << c;
      }

      // Alone, each tenant takes its own optimum; together they may not fit.
      std::vector<std::vector<Fragment>> alone;
      alone.reserve(problems.size());
      for (const auto& problem : problems)
        alone.push_back(place::chain_dp(problem, objective, place::all_hosts(problem)));
      if (alone[0].empty() || alone[1].empty() || !place::joint_cost(problems, alone, 1.0))
        ++binding;

      const auto policy = make_policy("chain-dp", objective, true);
      std::vector<std::vector<Fragment>> dp;
      try {
        dp = policy->place_jointly(problems);
      } catch (const InputError&) {
        ++dp_missed; // coordinate descent may miss a feasible point: not optimal
        continue;
      }
      const auto dp_cost = place::joint_cost(problems, dp, 1.0);
      ASSERT_TRUE(dp_cost.has_value()) << "case " << c << ": chain-dp's joint placement broke a shared capacity";
      EXPECT_FALSE(place::joint_better(*dp_cost, *optimum, objective)) << "case " << c << ": better than the optimum";
      if (!place::joint_better(*optimum, *dp_cost, objective))
        ++dp_optimal[o];
      worst_gap = std::max(worst_gap, objective == ChainObjective::Latency
                                          ? dp_cost->mean_latency_s / optimum->mean_latency_s - 1
                                          : dp_cost->peak_utilisation / optimum->peak_utilisation - 1);
      // No tenant can improve the joint objective by moving alone.
      for (std::size_t t = 0; t < problems.size(); ++t) {
        const CoTenantLoad load = co_tenant_load(problems, dp, t);
        PlacementProblem problem = problems[t];
        problem.co_tenants = &load;
        auto moved = dp;
        moved[t] = place::chain_dp(problem, objective, place::all_hosts(problem), 1.0);
        const auto moved_cost = place::joint_cost(problems, moved, 1.0);
        ASSERT_TRUE(moved_cost.has_value());
        EXPECT_FALSE(place::joint_better(*moved_cost, *dp_cost, objective)) << "case " << c << " tenant " << t;
      }
    }
  }
  EXPECT_GT(feasible, kCases);
  EXPECT_GT(binding, 40); // the instances exercise the shared capacities
  // Measured on this seed (200 instances): coordinate descent reaches the joint optimum
  // in 139 of 142 feasible instances for latency and 119 of 142 for throughput (a
  // min-max objective: a tenant off the peak host cannot lower it alone), at most 27 %
  // above it; in 2 it found no feasible point. The ILP is exact.
  EXPECT_GE(dp_optimal[0], dp_feasible[0] * 95 / 100);
  EXPECT_GE(dp_optimal[1], dp_feasible[1] * 80 / 100);
  EXPECT_LT(worst_gap, 0.3);
  RecordProperty("feasible", feasible);
  RecordProperty("chain_dp_optimal_latency", dp_optimal[0]);
  RecordProperty("chain_dp_optimal_throughput", dp_optimal[1]);
  RecordProperty("binding", binding);
  RecordProperty("chain_dp_missed", dp_missed);
  RecordProperty("worst_gap_percent", static_cast<int>(100 * worst_gap));
}

TEST(JointPlacement, OneTenantIsPlacedAsAloneWhereItFits) {
  std::mt19937_64 rng(99);
  int fitting = 0;
  for (int c = 0; c < 40; ++c) {
    const JointInstance instance = random_joint_instance(rng, 1);
    const auto problems = instance.problems();
    for (auto objective : {ChainObjective::Latency, ChainObjective::Throughput}) {
      const auto alone = place::chain_dp(problems[0], objective, place::all_hosts(problems[0]));
      const auto alone_cost = place::evaluate_chain(problems[0], alone);
      for (std::string_view name : {"chain-dp", "ilp"}) {
        const bool alone_fits = !alone.empty() && place::joint_cost(problems, std::span(&alone, 1), 1.0);
        std::vector<std::vector<Fragment>> joint;
        try {
          joint = make_policy(name, objective, true)->place_jointly(problems);
        } catch (const InputError&) {
          EXPECT_FALSE(alone_fits) << name << " case " << c;
          continue;
        }
        const auto joint_cost = place::evaluate_chain(problems[0], joint[0]);
        ASSERT_TRUE(joint_cost.has_value());
        ASSERT_TRUE(place::joint_cost(problems, joint, 1.0 + 1e-6).has_value()) << name << " case " << c;
        if (alone_fits) {
          ++fitting;
          EXPECT_NEAR(joint_cost->value(objective), alone_cost->value(objective), 1e-6 * alone_cost->value(objective))
              << name << " case " << c;
        } else if (alone_cost) {
          // The plan alone overloads a host: the joint one pays for staying within it.
          EXPECT_GE(joint_cost->value(objective), alone_cost->value(objective) * (1 - 1e-9)) << name << " case " << c;
        }
      }
    }
  }
  EXPECT_GT(fitting, 80);
}

TEST(JointPlacement, SharedCapacityMovesTheSecondTenant) {
  // Two tenants of one 1-Gflop layer: the server (10 Gflop/s) takes 0.1 s, the edge box
  // (4 Gflop/s) 0.25 s. At 7 and 3.6 requests/s the server would be 70 % and 36 % busy,
  // so alone both go there (106 % together). Jointly the heavy one keeps the server (on
  // the edge it would be 175 % busy) and the light one runs on the edge, 90 % busy.
  ModelProfile model;
  model.name = "one";
  model.input_bytes = 1e3;
  model.layers = {Layer{"a", 1e9, 1e3, 0}};
  std::vector<HostInfo> hosts{HostInfo{.name = "edge", .speed = 4e9, .pstate_speeds = {4e9}},
                              HostInfo{.name = "server", .speed = 1e10, .pstate_speeds = {1e10}}};
  std::vector<RouteInfo> routes{{"edge", "server", 1e8, 0}, {"server", "edge", 1e8, 0}};
  const auto problem = [&](int tenant, double rate) {
    return PlacementProblem{.hosts = hosts,
                            .model = model,
                            .source_host = "edge",
                            .tenant = tenant,
                            .routes = routes,
                            .workload = {.arrival_rate = rate, .input_bytes = 1e3}};
  };
  const std::vector<PlacementProblem> problems{problem(0, 7.0), problem(1, 3.6)};
  for (std::string_view name : {"chain-dp", "ilp"}) {
    const auto plans = make_policy(name, ChainObjective::Latency, true)->place_jointly(problems);
    ASSERT_EQ(plans.size(), 2U) << name;
    EXPECT_EQ(plans[0].front().host, "server") << name;
    EXPECT_EQ(plans[1].front().host, "edge") << name;
    const CoTenantLoad load = co_tenant_load(problems, plans, kEveryTenant);
    EXPECT_NEAR(load.hosts[1].utilisation, 7.0 * 0.1, 1e-12) << name;
    EXPECT_NEAR(load.hosts[0].utilisation, 3.6 * 0.25, 1e-12) << name;
    // The heavy tenant's input crosses edge -> server: 7/s x 1 kB / 100 MB/s.
    EXPECT_NEAR(load.route("edge", "server"), 7.0 * 1e3 / 1e8, 1e-15) << name;
    EXPECT_EQ(load.route("server", "edge"), 0.0) << name;
    // Alone, both take the server.
    EXPECT_EQ(make_policy(name, ChainObjective::Latency, false)->place(problems[1]).front().host, "server") << name;
  }
  // At max_utilisation = 0.5 the heavy tenant fits nowhere (70 % or 175 % busy).
  EXPECT_THROW(make_policy("ilp", ChainObjective::Latency, true, 0.5)->place_jointly(problems), InputError);
  EXPECT_THROW(make_policy("chain-dp", ChainObjective::Latency, true, 0.5)->place_jointly(problems), InputError);
}

TEST(JointPlacement, ReadsItsKeysStrictly) {
  const auto build = [](const toml::table& table) {
    const ConfigView config = edgesim::config_view(table, "s.toml", "placement");
    return Registry::instance().placement_policy("chain-dp")->factory(PlacementPolicyArgs{config, 1});
  };
  EXPECT_THROW(build(toml::table{{"policy", "chain-dp"}, {"joint", "yes"}}), InputError);
  EXPECT_THROW(build(toml::table{{"policy", "chain-dp"}, {"joint", true}, {"max_utilisation", 1.5}}), InputError);
  EXPECT_THROW(build(toml::table{{"policy", "chain-dp"}, {"joint", true}, {"max_utilisation", 0.0}}), InputError);
  EXPECT_THROW(build(toml::table{{"policy", "chain-dp"}, {"max_utilisation", 0.8}}), InputError);
  EXPECT_TRUE(build(toml::table{{"policy", "chain-dp"}, {"joint", true}})->places_jointly());
  EXPECT_FALSE(build(toml::table{{"policy", "chain-dp"}})->places_jointly());
  // A tenant without a known rate cannot be weighed.
  std::mt19937_64 rng(1);
  JointInstance instance = random_joint_instance(rng, 2);
  instance.rates[1] = 0;
  const auto problems = instance.problems();
  try {
    build(toml::table{{"policy", "chain-dp"}, {"joint", true}})->place_jointly(problems);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("s.toml: placement.joint"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tenant 1"), std::string::npos) << e.what();
  }
}

} // namespace
