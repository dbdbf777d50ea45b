#pragma once
// Energy and battery (docs/energy.md, docs/architecture.md): reads SimGrid's energy
// meters for the engine's hosts, predicts their power from what runs on them, empties
// batteries at the exact time their energy runs out, and samples the /timeline rows.
#include "core/engine/engine_state.hpp"

#include <edgesim/results.hpp>

#include <functional>
#include <limits>
#include <vector>

namespace edgesim {

class EnergyMonitor {
public:
  explicit EnergyMonitor(EngineState& state) : state_(state) {}

  /// The host's own energy so far (J), frozen while it is down.
  [[nodiscard]] double consumed_energy(const HostState& host) const;
  [[nodiscard]] double battery_soc(const HostState& host) const;
  /// The energy plugin's power law evaluated from the execs the engine started.
  [[nodiscard]] double predicted_power(const HostState& host) const;
  /// Dynamic power (W) of the host's pstate: busy minus idle, 0 if not metered.
  [[nodiscard]] double dynamic_power(const HostState& host) const;
  /// Idle power (W) of the host's pstate.
  [[nodiscard]] double idle_power(const HostState& host) const;

  /// Marks the host down now (its meter frozen) or up again after an outage.
  void mark_down(HostState& host, double now) const;
  void mark_up(HostState& host, double now) const;

  /// Re-predicts when the next battery empties; a battery empty now marks its host
  /// depleted and calls `take_down(host index)`, in host order.
  void update_batteries(double now, const std::function<void(int)>& take_down);
  [[nodiscard]] double next_battery_empty() const { return next_battery_; }
  [[nodiscard]] bool has_batteries() const;

  /// One /timeline row per host at `at`: queue and power averaged over the interval since
  /// the host's previous sample.
  [[nodiscard]] std::vector<TimelineRecord> sample_timeline(double at);

private:
  double sampled_power(HostState& host, double interval) const;

  EngineState& state_;
  double next_battery_ = std::numeric_limits<double>::infinity();
};

} // namespace edgesim
