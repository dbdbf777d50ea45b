#pragma once
// The SimGrid engine of one run (docs/architecture.md, "Engine components"): created with
// the caller's --cfg/--log arguments, its energy plugins loaded for what the platform
// declares, the scenario's network model set, the platform loaded. Destroying the engine
// is when SimGrid's WiFi plugin reports its links' energy, so finish() does that and
// returns those links.
#include "core/link_traffic.hpp"
#include "core/platform_probe.hpp"
#include "core/simulation.hpp"
#include "core/wifi_energy_capture.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace edgesim {

class EngineSession {
public:
  EngineSession(const PlatformInfo& platform, const std::string& network_model, const EngineOptions& options);

  [[nodiscard]] simgrid::s4u::Engine& engine() { return *engine_; }
  /// The WiFi energy plugin reports the WiFi links (their /links rows come from finish()).
  [[nodiscard]] bool wifi_metered() const { return wifi_metered_; }

  /// Runs the engine until every actor is done.
  void run() { engine_->run(); }
  /// Destroys the engine; the WiFi links' rows (energy, bytes carried).
  [[nodiscard]] std::vector<LinkRecord> finish(const LinkTraffic& traffic);

private:
  std::vector<std::string> args_; // argv of the engine: it may keep pointers into it
  std::vector<char*> argv_;
  // Outlives the engine: it captures what the engine logs as it is destroyed.
  std::optional<WifiEnergyCapture> wifi_energy_;
  std::unique_ptr<simgrid::s4u::Engine> engine_;
  bool wifi_metered_ = false;
};

} // namespace edgesim
