#pragma once
// The exact optimum over chain placements (chain_placement.hpp) by dynamic programming.
#include "policies/place/chain_placement.hpp"

#include <limits>

namespace edgesim::place {

/// At most this many candidate hosts: the state space grows as 2^hosts.
inline constexpr std::size_t kChainDpMaxHosts = 12;

/// Contiguous fragments on distinct hosts among `candidates` minimising the objective
/// (throughput: the bottleneck stage, then the latency among the placements that reach
/// it); empty when no placement is feasible. With problem.co_tenants set, the best
/// response to the co-tenants' load (joint_placement.hpp): stages are utilisations and
/// no host passes `max_utilisation`.
std::vector<Fragment> chain_dp(const PlacementProblem& problem, ChainObjective objective,
                               std::span<const std::size_t> candidates,
                               double max_utilisation = std::numeric_limits<double>::infinity());

} // namespace edgesim::place
