#pragma once
// Neurosurgeon (Kang et al., ASPLOS 2017): the best single split of the model between
// the source device and one offload target, from per-layer latency predicted by a
// regression per device, and the current uplink bandwidth.
#include "policies/place/chain_placement.hpp"

#include <array>
#include <map>
#include <optional>
#include <string_view>

namespace edgesim::place {

/// Neurosurgeon's per-layer latency predictor for one host: a linear regression of a
/// layer's latency on [1, flops, param_bytes, out_bytes], fitted per layer type to the
/// layers of the model with a measured latency on the host's device class (scaled to the
/// host's pstate and cores by the measurement's rule), as the paper fits one regression
/// per layer type to profiled layers. A type with fewer than two measured layers uses the
/// fit over all measured layers. Its predictions are not the measurements, so its split
/// can differ from the exact optimum (docs/placement.md). A class without measurements
/// is fitted to the FLOPs cost model, which the regression then reproduces.
class LayerLatencyRegression {
public:
  LayerLatencyRegression(const ModelProfile& model, const HostInfo& host);
  [[nodiscard]] double predict(const Layer& layer) const;
  /// Coefficients of the fit `layer_type` uses (the pooled or cost-model fit if it has none).
  [[nodiscard]] const std::array<double, 4>& coefficients(std::string_view layer_type = {}) const {
    return fit_for(layer_type).coefficients;
  }
  [[nodiscard]] bool fitted_to_measurements() const { return measured_; }

  struct Fit {
    std::array<double, 4> coefficients{};
  };

private:
  [[nodiscard]] const Fit& fit_for(std::string_view layer_type) const;

  bool measured_ = false;
  Fit pooled_;                                      // every layer (cost model) or every measured layer
  std::map<std::string, Fit, std::less<>> by_type_; // types with >= 2 measured layers
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
