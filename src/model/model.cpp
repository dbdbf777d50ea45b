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

double ModelProfile::exit_accuracy(std::size_t i) const {
  return i < exits.size() ? exits[i].accuracy : final_accuracy;
}

} // namespace edgesim
