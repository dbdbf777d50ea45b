#include "run/run_scenario.hpp"

#include "core/deployment.hpp"
#include "core/platform_probe.hpp"
#include "core/simulation.hpp"
#include "io/run_writer.hpp"
#include "scenario/scenario_loader.hpp"
#include "util/atomic_file.hpp"
#include "util/utc_now.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

namespace edgesim::run {
namespace {

class WriterSink final : public TraceSink {
public:
  explicit WriterSink(io::RunWriter& writer) : writer_(writer) {}
  void on_request(const RequestRecord& record) override { writer_.append_request(record); }
  void on_timeline(const TimelineRecord& record) override { writer_.append_timeline(record); }
  void on_placement(const PlacementRecord& record) override { writer_.append_placement(record); }
  void on_policy(const PolicyRecord& record) override { writer_.append_policy(record); }

private:
  io::RunWriter& writer_;
};

// SimGrid's energy plugin would say this per host, twice, even under -q.
void warn_hosts_without_power(const PlatformInfo& platform) {
  std::vector<std::string> names;
  for (const auto& host : platform.hosts)
    if (!host.has_wattage)
      names.push_back(host.info.name);
  if (!names.empty())
    fmt::print(stderr,
               "edgesim run: warning: {} host(s) of {} have no wattage_per_state property ({}); their energy counts "
               "as 0 J\n",
               names.size(), platform.file, fmt::join(names, ", "));
}

void call(const std::function<void()>& hook) {
  if (hook)
    hook();
}

} // namespace

RunReport run_scenario(const RunRequest& request, const RunControl& control) {
  const auto wall_start = std::chrono::steady_clock::now();
  std::vector<std::string> overrides = request.overrides;
  if (request.seed)
    overrides.push_back(fmt::format("simulation.seed={}", *request.seed));
  if (!request.trace_requests)
    overrides.emplace_back("simulation.trace_requests=false");
  const std::string scenario_file = request.scenario.string();
  Scenario scenario = load_scenario(scenario_file, overrides, request.base_dir.string());
  PlatformInfo platform =
      probe_platform(scenario.platform_file, request.engine_args, scenario.simulation.network_model, scenario.dynamics);
  Deployment deployment = plan_deployment(scenario, platform);
  if (control.warnings)
    warn_hosts_without_power(platform);

  RunReport report;
  report.output =
      request.output.empty() ? std::filesystem::path(request.scenario.stem().string() + ".h5") : request.output;
  call(control.install_signal_handlers);
  remove_stale_temporaries(report.output);
  io::RunWriter writer(report.output.string());
  WriterSink sink(writer);

  EngineOptions engine_options;
  engine_options.engine_created = control.install_signal_handlers;
  engine_options.simgrid_args = request.engine_args;
  engine_options.progress = control.progress;
  engine_options.interrupted = control.interrupted;
  RunMeta meta;
  meta.started_at = utc_now();
  RunOutput result = simulate(scenario, platform, deployment, &sink, engine_options);

  meta.edgesim_version = EDGESIM_VERSION;
  meta.git_describe = EDGESIM_GIT_DESCRIBE;
  meta.scenario = scenario.text;
  meta.platform = platform.xml_text;
  meta.seed = scenario.simulation.seed;
  meta.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  meta.interrupted = result.interrupted;
  meta.warmup_s = scenario.simulation.warmup;
  writer.write_meta(meta);
  writer.write_summary(result.summary);
  writer.write_hosts(result.hosts);
  writer.write_links(result.links);
  writer.write_layer_latency(result.layer_latency);
  writer.commit();

  report.summary =
      RunSummary{std::move(result.summary), std::move(result.hosts), std::move(result.links), result.simulated_seconds};
  report.interrupted = result.interrupted;
  return report;
}

} // namespace edgesim::run
