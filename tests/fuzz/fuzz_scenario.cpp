// Fuzz target: scenario TOML with --set overrides (scenario/scenario_loader.cpp,
// scenario/overrides.cpp, scenario/units.cpp, model/model_loader.cpp for inline and
// referenced models).
//
// Input: the scenario's text; lines after a line "# --set" are overrides (KEY=VALUE, one
// per line). The scenario is read as if it were scenarios/fuzz.toml of the source tree,
// so relative paths reach the repository's platforms, models and traces.
#include "fuzz_support.hpp"

#include "scenario/scenario_loader.hpp"

#include <edgesim/random.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

using edgesim::fuzz::require;

void check_host(const edgesim::HostSettings& host) {
  require(host.buffer >= 1 && host.servers >= 1, "buffer and servers >= 1");
  require(!host.battery_wh || (*host.battery_wh > 0 && std::isfinite(*host.battery_wh)), "finite battery");
  require(!host.pstate || *host.pstate >= 0, "pstate >= 0");
}

void check(const edgesim::Scenario& scenario) {
  const auto& sim = scenario.simulation;
  require(sim.duration > 0, "duration > 0");
  require(sim.warmup >= 0 && std::isfinite(sim.warmup) && sim.warmup < sim.duration, "warmup in [0, duration)");
  require(sim.sample_every > 0, "sample_every > 0");
  check_host(scenario.default_host);
  for (const auto& [name, host] : scenario.host_overrides)
    check_host(host);
  require(!scenario.tenants.empty(), "at least one tenant");
  for (const auto& tenant : scenario.tenants) {
    require(!tenant.name.empty() && tenant.name != "all", "tenant name");
    require(tenant.input_bytes >= 0 && std::isfinite(tenant.input_bytes), "finite input_bytes");
    require(tenant.slo > 0, "slo > 0");
    require(tenant.share > 0 && tenant.share <= 1, "share in (0, 1]");
    require(tenant.arrival.process != nullptr && tenant.work.law != nullptr, "arrival process and work law");
    const double rate = tenant.arrival.mean_rate();
    require(rate >= 0 && std::isfinite(rate), "finite, non-negative mean arrival rate");
    // The first arrivals of a run: non-negative and non-decreasing (infinity once done).
    edgesim::Rng rng(1);
    auto stream = tenant.arrival.process->start(rng);
    double previous = 0;
    for (int i = 0; i < 16; ++i) {
      const double at = stream->next(rng);
      require(at >= previous, "non-negative, non-decreasing arrival times");
      previous = at;
    }
    const double scv = tenant.work.law->scv();
    require(scv >= 0 && std::isfinite(scv), "finite, non-negative work scv");
    for (int i = 0; i < 16; ++i) {
      const double factor = tenant.work.law->draw(rng);
      require(factor >= 0 && std::isfinite(factor), "finite, non-negative work factor");
    }
    require(!tenant.model.layers.empty(), "model has layers");
    require(tenant.placement.table != nullptr && tenant.exits.table != nullptr, "policy tables");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = edgesim::fuzz::as_text(data, size);
  constexpr std::string_view kMarker = "\n# --set\n";
  const std::size_t marker = input.find(kMarker);
  const std::string_view text = input.substr(0, marker);
  std::vector<std::string> overrides;
  if (marker != std::string_view::npos)
    for (std::string_view line : edgesim::fuzz::split(input.substr(marker + kMarker.size()), '\n'))
      if (!line.empty())
        overrides.emplace_back(line);
  return edgesim::fuzz::accept_input_errors(
      [&] { check(edgesim::parse_scenario(text, EDGESIM_SOURCE_DIR "/scenarios/fuzz.toml", overrides)); });
}
