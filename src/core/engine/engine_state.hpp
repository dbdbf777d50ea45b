#pragma once
// The state one run's engine components share (docs/architecture.md, "Engine
// components"): the scenario and platform it runs, every host's state, the stations,
// the tenants, the requests and activities in flight, and the CPU shares. Components
// hold a reference to it and call each other; the single controller actor drives them.
#include "core/cpu_shares.hpp"
#include "core/engine/activity_set.hpp"
#include "core/engine/host_state.hpp"
#include "core/engine/request_pool.hpp"
#include "core/engine/tenant_runtime.hpp"
#include "core/platform_probe.hpp"
#include "core/station.hpp"
#include "core/wifi_meter.hpp"
#include "scenario/scenario.hpp"

#include <optional>
#include <vector>

namespace edgesim {

struct EngineState {
  EngineState(const Scenario& run_scenario, const PlatformInfo& run_platform)
      : scenario(run_scenario), platform(run_platform) {}

  const Scenario& scenario;
  const PlatformInfo& platform;
  std::vector<HostState> hosts; // platform order
  std::vector<Station> stations;
  std::vector<TenantRuntime> tenants;
  RequestPool requests;
  ActivitySet activities;
  std::optional<CpuShares> shares; // multitenant mode only
  std::optional<WifiMeter> wifi;   // the platform declares WiFi energy figures
  std::uint64_t next_request_id = 0;

  [[nodiscard]] HostState& host(int index) { return hosts[static_cast<std::size_t>(index)]; }
  [[nodiscard]] const HostState& host(int index) const { return hosts[static_cast<std::size_t>(index)]; }
  [[nodiscard]] Station& station(int index) { return stations[static_cast<std::size_t>(index)]; }
  [[nodiscard]] const FragmentRuntime& fragment_of(const Request& r) const {
    return tenants[r.tenant].placements[r.placement].fragments[r.fragment];
  }
  [[nodiscard]] const PlacementRuntime& placement_of(const Request& r) const {
    return tenants[r.tenant].placements[r.placement];
  }
  [[nodiscard]] double cpu_share(std::size_t tenant, int host_index) const {
    return shares ? shares->effective(tenant, host_index) : 1.0;
  }
};

} // namespace edgesim
