#pragma once
// Neurosurgeon (Kang et al., ASPLOS 2017): the best single split of the model between
// the source device and one offload target, from per-layer latency predicted by a
// regression per device, and the current uplink bandwidth.
#include "policies/place/chain_placement.hpp"

#include <array>
#include <optional>

namespace edgesim::place {

/// Linear regression of a layer's latency on [1, flops, param_bytes, out_bytes] for one
/// host, fitted to the cost model's latency of every layer of the model there (edgesim's
/// stand-in for Neurosurgeon's profiled measurements).
class LayerLatencyRegression {
public:
  LayerLatencyRegression(const ModelProfile& model, const HostInfo& host);
  [[nodiscard]] double predict(const Layer& layer) const;
  [[nodiscard]] const std::array<double, 4>& coefficients() const { return coefficients_; }

private:
  std::array<double, 4> coefficients_{};
  std::array<double, 4> scale_{}; // feature scales (the fit is on scaled features)
};

enum class NeurosurgeonObjective { Latency, Energy };

struct NeurosurgeonSplit {
  std::size_t split = 0; // layers 0..split-1 on the source, split..L-1 on the target
  std::string target;    // empty when split = L (all local)
  double latency_s = 0;
  double energy_j = 0; // source: busy power x local time + (idle + radio) power x upload time
};

/// Every split at every target in `targets` (indices into problem.hosts; the source is
/// skipped), best first by the objective; nullopt when none fits RAM and routes.
std::optional<NeurosurgeonSplit> neurosurgeon_split(const PlacementProblem& problem, NeurosurgeonObjective objective,
                                                    std::span<const std::size_t> targets);

} // namespace edgesim::place
