#include "core/layer_latency.hpp"

#include "core/fragment_cost.hpp"

#include <algorithm>

namespace edgesim {

std::vector<LayerLatencyRecord> layer_latency_records(const Scenario& scenario, const PlatformInfo& platform) {
  std::vector<LayerLatencyRecord> records;
  for (std::size_t t = 0; t < scenario.tenants.size(); ++t) {
    const ModelProfile& model = scenario.tenants[t].model;
    for (std::size_t h = 0; h < platform.hosts.size(); ++h) {
      const ProbedHost& probed = platform.hosts[h];
      const HostSettings& settings = scenario.host_settings(probed.info.name);
      const int threads = std::max(1, std::max(1, probed.info.cores) / settings.servers);
      const double speed = probed.pstate_speeds.at(static_cast<std::size_t>(settings.pstate.value_or(0)));
      const double efficiency = model.efficiency_on(probed.info.device_class);
      for (std::size_t l = 0; l < model.layers.size(); ++l) {
        SegmentCost cost;
        add_layer_cost(cost, model, l, probed, threads);
        records.push_back(LayerLatencyRecord{
            .tenant = static_cast<std::uint16_t>(t),
            .layer = static_cast<std::uint32_t>(l),
            .layer_name = model.layers[l].name,
            .host = static_cast<std::int32_t>(h),
            .source = static_cast<std::uint8_t>(layer_latency_source(model, l, probed.info.device_class)),
            .seconds = cost.per_thread(1.0, threads, efficiency) / speed});
      }
    }
  }
  return records;
}

} // namespace edgesim
