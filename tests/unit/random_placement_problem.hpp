#pragma once
// Small random placement problems (3-7 layers, 2-4 hosts, random speeds, RAM, bandwidths,
// latencies and missing routes) and the brute-force optimum over every cut set and host
// assignment, shared by the chain-dp and ilp tests.
#include "policies/place/chain_placement.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace edgesim::test {

struct RandomPlacementProblem {
  ModelProfile model;
  std::vector<HostInfo> hosts;
  std::vector<RouteInfo> routes;
  std::string source;
  [[nodiscard]] PlacementProblem problem() const {
    return PlacementProblem{.hosts = hosts,
                            .model = model,
                            .source_host = source,
                            .tenant = 0,
                            .routes = routes,
                            .workload = Workload{.arrival_rate = 1, .slo_s = 1, .input_bytes = model.input_bytes},
                            .now_s = 0};
  }
};

inline RandomPlacementProblem random_placement_problem(std::mt19937_64& rng, std::size_t max_layers = 7,
                                                       std::size_t max_hosts = 4) {
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto log_uniform = [&](double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); };
  RandomPlacementProblem p;
  const auto layers = std::uniform_int_distribution<std::size_t>(3, max_layers)(rng);
  const auto hosts = std::uniform_int_distribution<std::size_t>(2, max_hosts)(rng);
  p.model.name = "random";
  p.model.input_bytes = log_uniform(1e3, 1e6);
  for (std::size_t l = 0; l < layers; ++l)
    p.model.layers.push_back(
        Layer{"l" + std::to_string(l), log_uniform(1e6, 1e9), log_uniform(1e3, 1e6), log_uniform(1e3, 2e7)});
  for (std::size_t h = 0; h < hosts; ++h) {
    HostInfo host;
    host.name = "h" + std::to_string(h);
    host.speed = log_uniform(1e8, 1e10);
    host.pstate_speeds = {host.speed};
    host.cores = std::uniform_int_distribution<int>(1, 4)(rng);
    host.ram_bytes = uniform(0, 1) < 0.2 ? 0.0 : log_uniform(5e6, 6e7); // 0 = unconstrained
    host.device_class = h % 2 == 0 ? "even" : "odd";
    p.hosts.push_back(std::move(host));
  }
  p.model.efficiency = {{"even", uniform(0.3, 1.5)}};
  for (std::size_t a = 0; a < hosts; ++a)
    for (std::size_t b = 0; b < hosts; ++b)
      if (a != b && uniform(0, 1) > 0.1)
        p.routes.push_back(RouteInfo{p.hosts[a].name, p.hosts[b].name, log_uniform(1e5, 1e8), uniform(0, 5e-3)});
  p.source = p.hosts[0].name;
  return p;
}

struct BruteForceOptimum {
  std::size_t placements = 0; // feasible placements enumerated
  std::optional<double> latency;
  std::optional<double> bottleneck;
  std::optional<double> latency_at_bottleneck; // fastest among those reaching the best bottleneck
};

/// Every feasible chain placement: every cut set x every assignment of hosts to its
/// fragments (repeats included: evaluate_chain rejects them), independent of the
/// optimisers.
inline std::vector<std::vector<Fragment>> chain_placements(const PlacementProblem& problem) {
  const std::size_t layers = problem.model.layers.size();
  const std::size_t hosts = problem.hosts.size();
  std::vector<std::vector<Fragment>> placements;
  for (std::size_t cuts = 0; cuts < (std::size_t{1} << (layers - 1)); ++cuts) {
    std::vector<Fragment> fragments{Fragment{0, 0, ""}};
    for (std::size_t l = 1; l < layers; ++l) {
      if ((cuts >> (l - 1) & 1U) != 0) {
        fragments.back().last_layer = l - 1;
        fragments.push_back(Fragment{l, l, ""});
      }
    }
    fragments.back().last_layer = layers - 1;
    std::size_t assignments = 1;
    for (std::size_t f = 0; f < fragments.size(); ++f)
      assignments *= hosts;
    for (std::size_t a = 0; a < assignments; ++a) {
      std::size_t code = a;
      for (auto& fragment : fragments) {
        fragment.host = problem.hosts[code % hosts].name;
        code /= hosts;
      }
      if (place::evaluate_chain(problem, fragments))
        placements.push_back(fragments);
    }
  }
  return placements;
}

inline BruteForceOptimum brute_force(const PlacementProblem& problem) {
  BruteForceOptimum best;
  std::vector<place::ChainCost> costs;
  for (const auto& fragments : chain_placements(problem)) {
    const auto cost = place::evaluate_chain(problem, fragments);
    costs.push_back(*cost);
    best.latency = std::min(best.latency.value_or(cost->latency_s), cost->latency_s);
    best.bottleneck = std::min(best.bottleneck.value_or(cost->bottleneck_s), cost->bottleneck_s);
  }
  best.placements = costs.size();
  for (const auto& cost : costs)
    if (cost.bottleneck_s <= *best.bottleneck * (1 + 1e-12))
      best.latency_at_bottleneck = std::min(best.latency_at_bottleneck.value_or(cost.latency_s), cost.latency_s);
  return best;
}

} // namespace edgesim::test
