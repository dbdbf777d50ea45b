#pragma once
// Placement installation and re-planning (docs/placement-dynamics.md,
// docs/architecture.md): turns a tenant's placement plan into the fragments and stations
// it runs on, and every placement.replan_every asks the tenant's placement policy again
// with the platform as it is then (and, placed jointly, the co-tenants' load).
#include "core/engine/engine_state.hpp"
#include "core/engine/trace_emitter.hpp"
#include "core/live_placement.hpp"

#include <optional>
#include <vector>

namespace edgesim {

class PlacementControl {
public:
  PlacementControl(EngineState& state, TraceEmitter& trace) : state_(state), trace_(trace) {}

  /// After the platform is loaded: re-planning tenants read the live platform.
  void start_live_inputs();
  /// Makes `plan` the placement new requests of tenant `tenant` run on, from now.
  void install(std::size_t tenant, std::vector<Fragment> plan);
  /// The earliest re-planning time of any tenant (infinity: none re-plans).
  [[nodiscard]] double next_replan() const;
  /// Re-plans tenant `tenant` (its time has come); true when its placement changed.
  bool replan(std::size_t tenant);

private:
  /// The station a fragment of tenant `t` on `host` joins: a new one per fragment, or
  /// the host's shared station (created on first use).
  int station_for(int host, std::size_t t, const HostSettings& settings);
  [[nodiscard]] FragmentRuntime fragment_runtime(std::size_t t, const Fragment& fragment);
  /// The placement inputs as the platform is now (routes re-read, hosts that are down).
  [[nodiscard]] const PlacementInputs& live_placement_inputs();
  void check_runtime_placement(std::size_t tenant, const std::vector<Fragment>& plan) const;

  EngineState& state_;
  TraceEmitter& trace_;
  std::optional<LivePlacementInputs> live_inputs_; // what re-planning policies see
};

} // namespace edgesim
