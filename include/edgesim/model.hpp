#pragma once
// A DNN profile: ordered layers (or blocks) with their cost, and the early exits
// attached after some of them. Loaded from scenarios/models/*.toml.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgesim {

/// Measured latency per device class (a host's `device_class` property), seconds at
/// the class's LatencyMeasurement reference pstate and thread count.
using MeasuredLatency = std::map<std::string, double, std::less<>>;

struct Layer {
  std::string name;
  double flops = 0;           // 2 x MACs
  double out_bytes = 0;       // activation produced (sent to the next fragment if cut here)
  double param_bytes = 0;     // RAM needed on the host holding the layer
  MeasuredLatency latency;    // measured per device class; absent: FLOPs cost model
  std::string type = "other"; // conv | depthwise | fc | pool | norm | act | block | other
};

struct ExitSpec {
  std::size_t after_layer = 0; // index of the layer the classifier follows
  double flops = 0;            // classifier cost, paid when the exit is reached
  double accuracy = 0;         // top-1 of this exit alone
  MeasuredLatency latency;     // measured classifier head per device class
};

/// How the per-layer latencies of one device class were measured (`[measurement.<class>]`
/// in a model file), and so how they carry over to other pstates and thread counts
/// (docs/calibration.md, "Measured per-layer latency"): at another pstate a layer takes
/// its latency x the reference pstate's per-core speed / the running pstate's; with n
/// threads instead of the reference count, x speedup(reference) / speedup(n).
struct LatencyMeasurement {
  int pstate = 0;  // pstate index of the measurement
  int threads = 1; // threads the layers ran with
  // Measured whole-model speed-up at n threads relative to 1 thread, as (n, speed-up)
  // with n strictly increasing; empty = linear (speedup(n) = n).
  std::vector<std::pair<int, double>> scaling;
  double model_latency = -1; // end-to-end latency measured with the layers, s (-1: none)
  std::string source;        // who measured what, where, how

  /// Speed-up at n threads: linear interpolation between the scaling points, linear from
  /// (1, 1) to the first point, and Amdahl's law fitted to the last point beyond it.
  [[nodiscard]] double speedup(int thread_count) const;
  /// Time at `threads` threads relative to the time at the reference thread count.
  [[nodiscard]] double thread_factor(int running_threads) const { return speedup(threads) / speedup(running_threads); }
};

/// Where a layer's service time on a device class comes from.
enum class LatencySource : std::uint8_t { FlopsModel = 0, Measured = 1 };

/// The work, in flops per thread at a host's per-core speed, that an exec of `threads`
/// threads needs to take `latency` (measured at `m`'s reference) scaled by the rule of
/// LatencyMeasurement: SimGrid then runs it for work / speed[current pstate], which is
/// the latency itself at the reference pstate and thread count. `pstate_speeds` are the
/// host's per-core speeds; m.pstate must index them.
[[nodiscard]] double measured_work_per_thread(const LatencyMeasurement& m, double latency,
                                              std::span<const double> pstate_speeds, int threads);

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
  // [measurement.<class>]: reference of the layers' measured latencies on that class.
  std::map<std::string, LatencyMeasurement, std::less<>> measurements;
  // Exit behaviour: synthetic generator parameters or a per-sample trace.
  double difficulty_correlation = 0.95; // correlation of a request's difficulty across exits
  double confidence_noise = 0.5;        // spread of confidence around the correctness margin
  std::vector<ExitTraceRow> trace;      // non-empty when [confidence] trace = "..."
  SemanticSplitSpec semantic;           // [semantic]: parallel-branch variant of the model

  [[nodiscard]] double total_flops() const;
  [[nodiscard]] double total_param_bytes() const;
  [[nodiscard]] double efficiency_on(const std::string& device_class) const;
  [[nodiscard]] const LatencyMeasurement* measurement_on(std::string_view device_class) const;
  /// Measured latency of layer `layer` on the class at its reference point, if any.
  [[nodiscard]] std::optional<double> measured_layer_latency(std::size_t layer, std::string_view device_class) const;
  /// Measured latency of exit `exit`'s classifier on the class, if any.
  [[nodiscard]] std::optional<double> measured_exit_latency(std::size_t exit, std::string_view device_class) const;
  /// Accuracy of exit i (i == exits.size() is the final classifier).
  [[nodiscard]] double exit_accuracy(std::size_t i) const;
};

} // namespace edgesim
