#include <edgesim/model.hpp>

#include <numeric>

namespace edgesim {

double ModelProfile::total_flops() const {
  return std::accumulate(layers.begin(), layers.end(), 0.0, [](double s, const Layer& l) { return s + l.flops; });
}

double ModelProfile::total_param_bytes() const {
  return std::accumulate(layers.begin(), layers.end(), 0.0, [](double s, const Layer& l) { return s + l.param_bytes; });
}

double ModelProfile::efficiency_on(const std::string& device_class) const {
  auto it = efficiency.find(device_class);
  return it == efficiency.end() ? 1.0 : it->second;
}

const LatencyMeasurement* ModelProfile::measurement_on(std::string_view device_class) const {
  auto it = measurements.find(device_class);
  return it == measurements.end() ? nullptr : &it->second;
}

namespace {
std::optional<double> lookup(const MeasuredLatency& latency, std::string_view device_class) {
  auto it = latency.find(device_class);
  return it == latency.end() ? std::nullopt : std::optional<double>(it->second);
}
} // namespace

std::optional<double> ModelProfile::measured_layer_latency(std::size_t layer, std::string_view device_class) const {
  return lookup(layers[layer].latency, device_class);
}

std::optional<double> ModelProfile::measured_exit_latency(std::size_t exit, std::string_view device_class) const {
  return lookup(exits[exit].latency, device_class);
}

double ModelProfile::exit_accuracy(std::size_t i) const {
  return i < exits.size() ? exits[i].accuracy : final_accuracy;
}

} // namespace edgesim
