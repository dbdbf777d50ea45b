#pragma once
// A DNN profile: ordered layers (or blocks) with their cost, and the early exits
// attached after some of them. Loaded from scenarios/models/*.toml.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edgesim {

struct Layer {
  std::string name;
  double flops = 0;       // 2 x MACs
  double out_bytes = 0;   // activation produced (sent to the next fragment if cut here)
  double param_bytes = 0; // RAM needed on the host holding the layer
};

struct ExitSpec {
  std::size_t after_layer = 0; // index of the layer the classifier follows
  double flops = 0;            // classifier cost, paid when the exit is reached
  double accuracy = 0;         // top-1 of this exit alone
};

/// One row of an exit trace: what a real multi-exit network did on one input sample.
struct ExitTraceRow {
  std::uint64_t sample = 0;
  int exit = 0; // 0..n-1 intermediate exits, n = final classifier
  double confidence = 0;
  bool correct = false;
};

/// How the model splits into k parallel semantic branches (SplitNet style): each branch
/// runs every layer at a fraction of its flops and parameters, the branches' outputs
/// are merged on one host, and the split model is less accurate. `[semantic]` in a
/// model file; a model without it runs as one branch only.
struct SemanticSplitSpec {
  std::vector<double> accuracy_penalty; // [k - 1]: top-1 accuracy lost with k branches; its size is the largest k
  std::vector<double> flops_fraction;   // [k - 1]: share of each layer's flops one branch runs (default 1/k)
  std::vector<double> param_fraction;   // [k - 1]: share of the parameters one branch holds (default 1/k)
  double merge_flops = 0;               // cost of merging the branch outputs, on the merge host
  double merge_bytes = 0;               // bytes each branch sends to the merge host

  [[nodiscard]] std::size_t max_branches() const { return std::max<std::size_t>(1, accuracy_penalty.size()); }
  [[nodiscard]] double penalty(std::size_t k) const {
    return k <= 1 || k > accuracy_penalty.size() ? 0.0 : accuracy_penalty[k - 1];
  }
  [[nodiscard]] double flops_share(std::size_t k) const {
    return k >= 1 && k <= flops_fraction.size() ? flops_fraction[k - 1]
                                                : 1.0 / static_cast<double>(std::max<std::size_t>(k, 1));
  }
  [[nodiscard]] double param_share(std::size_t k) const {
    return k >= 1 && k <= param_fraction.size() ? param_fraction[k - 1]
                                                : 1.0 / static_cast<double>(std::max<std::size_t>(k, 1));
  }
};

struct ModelProfile {
  std::string name;
  std::string source_file; // empty when inline
  double input_bytes = 0;
  std::vector<Layer> layers;
  std::vector<ExitSpec> exits; // sorted by after_layer, strictly increasing
  double final_accuracy = 0;
  // Fraction of a host's nominal speed this model reaches on a device class
  // (host property `device_class`); absent classes use 1.0. See docs/calibration.md.
  std::map<std::string, double> efficiency;
  // Exit behaviour: synthetic generator parameters or a per-sample trace.
  double difficulty_correlation = 0.95; // correlation of a request's difficulty across exits
  double confidence_noise = 0.5;        // spread of confidence around the correctness margin
  std::vector<ExitTraceRow> trace;      // non-empty when [confidence] trace = "..."
  SemanticSplitSpec semantic;           // [semantic]: parallel-branch variant of the model

  [[nodiscard]] double total_flops() const;
  [[nodiscard]] double total_param_bytes() const;
  [[nodiscard]] double efficiency_on(const std::string& device_class) const;
  /// Accuracy of exit i (i == exits.size() is the final classifier).
  [[nodiscard]] double exit_accuracy(std::size_t i) const;
};

} // namespace edgesim
