#include "policies/place/joint_placement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace edgesim::place {
namespace {

// Coordinate descent improves the objective strictly in every accepted move, so it ends;
// the cap only bounds pathological cycling through rounding.
constexpr int kMaxRounds = 100;
constexpr double kRelativeTolerance = 1e-9;
constexpr std::size_t kMaxStarts = 8;

bool clearly_less(double a, double b) {
  return a < b - kRelativeTolerance * std::max(std::abs(a), std::abs(b));
}

} // namespace

JointSettings joint_settings(const ConfigView& config) {
  JointSettings settings;
  settings.joint = config.get_bool("joint", false);
  settings.max_utilisation = config.get_double("max_utilisation", 1.0);
  if (!(settings.max_utilisation > 0 && settings.max_utilisation <= 1))
    config.fail("max_utilisation", "a utilisation in (0, 1]");
  if (config.has("max_utilisation") && !settings.joint)
    config.fail("max_utilisation", "joint = true (max_utilisation bounds the hosts tenants placed jointly share)");
  return settings;
}

std::optional<JointCost> joint_cost(std::span<const PlacementProblem> problems,
                                    std::span<const std::vector<Fragment>> plans, double max_utilisation) {
  JointCost cost;
  double total_rate = 0;
  for (std::size_t t = 0; t < problems.size(); ++t) {
    const auto chain = evaluate_chain(problems[t], plans[t]);
    if (!chain)
      return std::nullopt;
    const double rate = problems[t].workload.arrival_rate;
    cost.mean_latency_s += rate * chain->latency_s;
    total_rate += rate;
  }
  if (total_rate > 0)
    cost.mean_latency_s /= total_rate;
  const CoTenantLoad load = co_tenant_load(problems, plans, kEveryTenant);
  for (std::size_t h = 0; h < load.hosts.size(); ++h) {
    const HostInfo& host = problems.front().hosts[h];
    if ((host.ram_bytes > 0 && load.hosts[h].ram_bytes > host.ram_bytes) ||
        clearly_less(max_utilisation, load.hosts[h].utilisation))
      return std::nullopt;
  }
  cost.peak_utilisation = load.peak();
  return cost;
}

bool joint_better(const JointCost& a, const JointCost& b, ChainObjective objective) {
  if (objective == ChainObjective::Throughput) {
    if (clearly_less(a.peak_utilisation, b.peak_utilisation))
      return true;
    if (clearly_less(b.peak_utilisation, a.peak_utilisation))
      return false;
  }
  return clearly_less(a.mean_latency_s, b.mean_latency_s);
}

void check_joint_rates(std::span<const PlacementProblem> problems, std::string_view where) {
  for (const PlacementProblem& problem : problems)
    if (!(problem.workload.arrival_rate > 0) || !std::isfinite(problem.workload.arrival_rate))
      throw InputError(fmt::format("{}: joint = true weighs each tenant by its mean arrival rate, and tenant {} has "
                                   "none (a trace of fewer than two arrivals): give it a rate, or place it alone",
                                   where, problem.tenant));
}

namespace {

struct Descent {
  std::vector<std::vector<Fragment>> plans; // empty: no feasible start
  JointCost cost;
};

// Coordinate descent from placing the tenants one by one in `order`.
Descent descend(std::span<const PlacementProblem> problems, ChainObjective objective, double max_utilisation,
                const BestResponse& best_response, std::span<const std::size_t> order) {
  std::vector<std::vector<Fragment>> plans(problems.size());
  const auto respond = [&](std::size_t t) {
    const CoTenantLoad load = co_tenant_load(problems, plans, t);
    PlacementProblem problem = problems[t];
    problem.co_tenants = &load;
    return best_response(problem);
  };
  for (std::size_t t : order) {
    plans[t] = respond(t);
    if (plans[t].empty())
      return {};
  }
  auto cost = joint_cost(problems, plans, max_utilisation);
  if (!cost)
    return {}; // cannot happen: every response respects what the others use
  // Keeps `plans` if better than the incumbent, else restores `previous`.
  const auto keep_if_better = [&](std::vector<std::vector<Fragment>>& previous) {
    const bool placed = std::none_of(plans.begin(), plans.end(), [](const auto& p) { return p.empty(); });
    const auto candidate = placed ? joint_cost(problems, plans, max_utilisation) : std::nullopt;
    if (candidate && joint_better(*candidate, *cost, objective)) {
      cost = candidate;
      return true;
    }
    plans.swap(previous);
    return false;
  };
  for (int round = 0; round < kMaxRounds; ++round) {
    bool moved = false;
    for (std::size_t t : order) {
      auto previous = plans;
      plans[t] = respond(t);
      moved = keep_if_better(previous) || moved;
    }
    if (moved)
      continue;
    // No tenant improves alone: try re-placing two at once, each order, which settles
    // which of them takes a host both want.
    for (std::size_t a = 0; a < order.size() && !moved; ++a)
      for (std::size_t b = 0; b < order.size() && !moved; ++b) {
        if (a == b)
          continue;
        auto previous = plans;
        plans[order[a]].clear();
        plans[order[b]].clear();
        plans[order[a]] = respond(order[a]);
        if (!plans[order[a]].empty())
          plans[order[b]] = respond(order[b]);
        moved = keep_if_better(previous);
      }
    if (!moved)
      break;
  }
  return Descent{std::move(plans), *cost};
}

} // namespace

std::vector<std::vector<Fragment>> best_response_placement(std::span<const PlacementProblem> problems,
                                                           ChainObjective objective, double max_utilisation,
                                                           const BestResponse& best_response) {
  const std::size_t n = problems.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto demand = [&](std::size_t t) {
    return problems[t].workload.arrival_rate * problems[t].model.total_flops();
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return demand(a) > demand(b); });
  // One descent per rotation of the heaviest-first order (each tenant goes first once):
  // who takes the best host first is what a single descent most often gets wrong.
  Descent best;
  for (std::size_t start = 0; start < std::min(n, kMaxStarts); ++start) {
    Descent descent = descend(problems, objective, max_utilisation, best_response, order);
    std::rotate(order.begin(), order.begin() + 1, order.end());
    if (!descent.plans.empty() && (best.plans.empty() || joint_better(descent.cost, best.cost, objective)))
      best = std::move(descent);
  }
  return std::move(best.plans);
}

void throw_joint_infeasible(std::span<const PlacementProblem> problems, std::string_view policy, std::string_view where,
                            double max_utilisation) {
  throw InputError(fmt::format("{}: {} found no joint placement of the {} tenants that keeps every host within its "
                               "RAM (ram_bytes) and max_utilisation = {}{}: lower the arrival rates, raise "
                               "max_utilisation, or give some tenants their own [tenants.placement]",
                               where, policy, problems.size(), max_utilisation,
                               policy == "chain-dp" ? " (chain-dp places them by coordinate descent; ilp finds a joint "
                                                      "placement whenever one exists)"
                                                    : ""));
}

} // namespace edgesim::place
