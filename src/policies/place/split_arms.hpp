#pragma once
// The two placements splitplace chooses between, each computed by a simple placement on
// the problem as it is now (available hosts, current route bandwidths):
// - layer-wise: the model cut once between the source and one other host (or kept
//   whole on the source), the cut and host minimising the predicted latency;
// - semantic: k parallel branches on the k fastest available hosts that fit them,
//   merged on the fastest.
// Predictions use the engine's cost model (edgesim/policy.hpp) without queueing.
#include <edgesim/policy.hpp>

#include <optional>
#include <vector>

namespace edgesim {

struct ArmPlacement {
  std::vector<Fragment> fragments;
  double predicted_latency = 0; // s, one request alone
};

/// Always has a value when the source host is available and the model fits on it.
std::optional<ArmPlacement> best_chain_split(const PlacementProblem& problem);

/// k (at least 2) branches, fewer if fewer hosts are available and fit; nullopt when
/// fewer than 2 do or the model has no [semantic] split.
std::optional<ArmPlacement> fastest_semantic_split(const PlacementProblem& problem, std::size_t branches);

} // namespace edgesim
