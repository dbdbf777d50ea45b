#pragma once
// One simulation run on SimGrid (docs/architecture.md): a single controller actor drives every
// request through stations, execs and comms with the activity API; no actor per request.
#include <edgesim/results.hpp>

#include "core/deployment.hpp"
#include "core/platform_probe.hpp"
#include "core/trace_sink.hpp"
#include "scenario/scenario.hpp"

#include <functional>
#include <string>
#include <vector>

namespace edgesim {

struct EngineOptions {
  std::vector<std::string> simgrid_args; // --cfg=... / --log=... passed to the Engine
  bool progress = false;                 // periodic progress lines on stderr
  std::function<bool()> interrupted;     // polled; true stops arrivals and drains
  // Called once the Engine exists, before the run starts: SimGrid's Engine installs its
  // own SIGINT handler (print the actors, exit(1)), which the caller may replace here.
  std::function<void()> engine_created;
};

struct RunOutput {
  std::vector<SummaryRow> summary; // one row per tenant, then "all"
  std::vector<HostRecord> hosts;   // platform order (sorted by name)
  std::vector<LinkRecord> links;
  std::vector<LayerLatencyRecord> layer_latency; // every tenant's layer on every host
  double simulated_seconds = 0;
  std::uint64_t requests = 0; // arrivals simulated, all tenants, warmup included
  bool interrupted = false;
};

RunOutput simulate(const Scenario& scenario, const PlatformInfo& platform, Deployment& deployment, TraceSink* sink,
                   const EngineOptions& options);

} // namespace edgesim
