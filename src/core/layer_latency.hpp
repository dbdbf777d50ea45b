#pragma once
// /meta/layer_latency: the compute time of every tenant's every layer on every host, at
// the host's run pstate with the threads one request gets there, and where the figure
// comes from (docs/calibration.md). Pure: it needs no engine.
#include "core/platform_probe.hpp"
#include "scenario/scenario.hpp"

#include <edgesim/results.hpp>

#include <vector>

namespace edgesim {

[[nodiscard]] std::vector<LayerLatencyRecord> layer_latency_records(const Scenario& scenario,
                                                                    const PlatformInfo& platform);

} // namespace edgesim
