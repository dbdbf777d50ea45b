#include "core/fragment_cost.hpp"

namespace edgesim {
namespace {

void add_cost(SegmentCost& segment, double flops, std::optional<double> latency, const LatencyMeasurement* measurement,
              const ProbedHost& host, int threads) {
  segment.flops += flops;
  if (latency && measurement != nullptr)
    segment.measured_work += measured_work_per_thread(*measurement, *latency, host.pstate_speeds, threads);
  else
    segment.model_flops += flops;
}

} // namespace

void add_layer_cost(SegmentCost& segment, const ModelProfile& model, std::size_t layer, const ProbedHost& host,
                    int threads) {
  const std::string& device_class = host.info.device_class;
  add_cost(segment, model.layers[layer].flops, model.measured_layer_latency(layer, device_class),
           model.measurement_on(device_class), host, threads);
}

void add_exit_cost(SegmentCost& segment, const ModelProfile& model, std::size_t exit, const ProbedHost& host,
                   int threads) {
  const std::string& device_class = host.info.device_class;
  add_cost(segment, model.exits[exit].flops, model.measured_exit_latency(exit, device_class),
           model.measurement_on(device_class), host, threads);
}

std::vector<SegmentCost> fragment_segments(const ModelProfile& model, std::size_t first, std::size_t last,
                                           const ProbedHost& host, int threads,
                                           const std::function<bool(std::size_t)>& evaluates_exit) {
  std::vector<SegmentCost> segments;
  SegmentCost current;
  for (std::size_t l = first; l <= last; ++l) {
    add_layer_cost(current, model, l, host, threads);
    for (std::size_t e = 0; e < model.exits.size(); ++e) {
      if (model.exits[e].after_layer == l && evaluates_exit(e)) {
        add_exit_cost(current, model, e, host, threads);
        current.exit = static_cast<int>(e);
        segments.push_back(current);
        current = SegmentCost{};
      }
    }
  }
  if (current.flops > 0 || current.measured_work > 0 || segments.empty())
    segments.push_back(current);
  return segments;
}

LatencySource layer_latency_source(const ModelProfile& model, std::size_t layer, std::string_view device_class) {
  return model.measurement_on(device_class) != nullptr && model.measured_layer_latency(layer, device_class)
             ? LatencySource::Measured
             : LatencySource::FlopsModel;
}

} // namespace edgesim
