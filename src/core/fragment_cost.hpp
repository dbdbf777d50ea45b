#pragma once
// What a fragment's execution costs on its host (docs/calibration.md): layers with a
// measured latency for the host's device class take that latency, scaled to the host's
// pstate and thread count by the measurement's rule; the others take their flops at the
// model's efficiency on the class (the FLOPs cost model).
#include "core/platform_probe.hpp"

#include <edgesim/model.hpp>
#include <edgesim/policy.hpp>

#include <cstddef>
#include <functional>
#include <vector>

namespace edgesim {

/// A run of layers executed as one exec: it ends at an evaluated exit or at the end of
/// its fragment.
struct SegmentCost {
  double flops = 0;         // layers + the exit classifier, if evaluated here (what the request executes)
  double model_flops = 0;   // the part costed by the FLOPs model
  double measured_work = 0; // per-thread work of the measured part (measured_work_per_thread)
  int exit = -1;            // intermediate exit evaluated at the end of this segment, or -1

  /// Flops each of `threads` threads executes for a request of work factor `work_factor`.
  [[nodiscard]] double per_thread(double work_factor, int threads, double efficiency) const {
    return model_flops * work_factor / (threads * efficiency) + measured_work * work_factor;
  }
};

/// Adds layer `layer` (or exit `exit` when exit >= 0) of `model` to `segment` as it runs
/// on `host` with `threads` threads.
void add_layer_cost(SegmentCost& segment, const ModelProfile& model, std::size_t layer, const ProbedHost& host,
                    int threads);
void add_exit_cost(SegmentCost& segment, const ModelProfile& model, std::size_t exit, const ProbedHost& host,
                   int threads);

/// The segments of layers first..last on `host`: a segment ends after each exit that
/// `evaluates_exit` accepts (its classifier included).
[[nodiscard]] std::vector<SegmentCost> fragment_segments(const ModelProfile& model, std::size_t first, std::size_t last,
                                                         const ProbedHost& host, int threads,
                                                         const std::function<bool(std::size_t)>& evaluates_exit);

/// Where layer `layer`'s time comes from on a host of `device_class`.
[[nodiscard]] LatencySource layer_latency_source(const ModelProfile& model, std::size_t layer,
                                                 std::string_view device_class);

} // namespace edgesim
