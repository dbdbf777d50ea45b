#pragma once
// The SimGrid engine of one run (docs/architecture.md, "Engine components"): created with
// the caller's --cfg/--log arguments, its energy plugins loaded for what the platform
// declares, the scenario's network model set, the platform loaded. WiFi energy is not
// SimGrid's plugin (its figure depends on the heap layout) but core/wifi_meter.
#include "core/platform_probe.hpp"
#include "core/simulation.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <memory>
#include <string>
#include <vector>

namespace edgesim {

class EngineSession {
public:
  EngineSession(const PlatformInfo& platform, const std::string& network_model, const EngineOptions& options);

  /// The platform declares WiFi energy figures (`wifi_watt_values`): core/wifi_meter
  /// meters its WiFi links.
  [[nodiscard]] bool wifi_metered() const { return wifi_metered_; }

  /// Runs the engine until every actor is done.
  void run() { engine_->run(); }

private:
  std::vector<std::string> args_; // argv of the engine: it may keep pointers into it
  std::vector<char*> argv_;
  std::unique_ptr<simgrid::s4u::Engine> engine_;
  bool wifi_metered_ = false;
};

} // namespace edgesim
