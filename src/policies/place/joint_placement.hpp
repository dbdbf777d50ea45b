#pragma once
// Joint placement for the chain policies (docs/joint-placement.md): the tenants sharing
// the scenario's [placement] table with `joint = true` are placed together, each host's
// RAM and CPU utilisation shared between them. The joint objectives generalise the
// single-tenant ones (chain_placement.hpp), with each tenant weighted by its mean
// arrival rate:
//
//   latency     minimise the mean latency of a request, sum_t rate_t latency_t / sum_t rate_t,
//               subject to every host's utilisation <= max_utilisation
//   throughput  minimise the peak utilisation of any host or route (the factor by which
//               all arrival rates can grow before one saturates), then the mean latency
//
// With one tenant both reduce to the single-tenant objective (the bottleneck stage is
// the peak utilisation divided by the rate).
#include "policies/place/chain_placement.hpp"

#include <edgesim/joint_load.hpp>

#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace edgesim::place {

/// `joint` (false) and `max_utilisation` (1, in (0, 1]) of a chain policy's table.
struct JointSettings {
  bool joint = false;
  double max_utilisation = 1;
};
JointSettings joint_settings(const ConfigView& config);

struct JointCost {
  double peak_utilisation = 0; // of any host or route
  double mean_latency_s = 0;   // rate-weighted
};

/// The joint objective of `plans` (one per problem); nullopt when a plan is not a chain
/// placement or the plans together exceed a host's RAM or max_utilisation.
std::optional<JointCost> joint_cost(std::span<const PlacementProblem> problems,
                                    std::span<const std::vector<Fragment>> plans, double max_utilisation);

/// Whether `a` is better than `b` for the objective, beyond rounding.
bool joint_better(const JointCost& a, const JointCost& b, ChainObjective objective);

/// Joint placement weighs tenants by their mean arrival rate: an InputError at `where`
/// names a tenant without one.
void check_joint_rates(std::span<const PlacementProblem> problems, std::string_view where);

/// The best placement of one tenant given the others' load in problem.co_tenants; empty
/// when it has none.
using BestResponse = std::function<std::vector<Fragment>(const PlacementProblem&)>;

/// Coordinate descent over tenants: they are placed one by one, heaviest first (rate x
/// flops), each given what those before it use; then each in turn moves to its best
/// response to all the others while that improves the joint objective, until no tenant
/// can improve it alone. Empty when a tenant finds no feasible place.
std::vector<std::vector<Fragment>> best_response_placement(std::span<const PlacementProblem> problems,
                                                           ChainObjective objective, double max_utilisation,
                                                           const BestResponse& best_response);

/// The InputError for a joint placement that found no feasible plan.
[[noreturn]] void throw_joint_infeasible(std::span<const PlacementProblem> problems, std::string_view policy,
                                         std::string_view where, double max_utilisation);

} // namespace edgesim::place
