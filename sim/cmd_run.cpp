// `edgesim run`: one scenario, one process, one SimGrid engine (DESIGN §3).
#include "cli.hpp"

#include <edgesim/error.hpp>

#include "core/deployment.hpp"
#include "core/platform_probe.hpp"
#include "core/simulation.hpp"
#include "io/run_writer.hpp"
#include "scenario/scenario_loader.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <iostream>

namespace po = boost::program_options;

namespace edgesim::cli {
namespace {

std::atomic<bool> g_stop_requested{false}; // set from a signal handler: must be global

extern "C" void request_stop(int /*signal*/) {
  g_stop_requested.store(true);
}

// SIGINT and SIGTERM finish the requests in flight, then commit the file with /meta
// interrupted = 1 (exit code 3). Installed before the output file is created, and again
// once SimGrid's Engine exists, since the Engine replaces the SIGINT handler.
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

class WriterSink final : public TraceSink {
public:
  explicit WriterSink(io::RunWriter& writer) : writer_(writer) {}
  void on_request(const RequestRecord& record) override { writer_.append_request(record); }
  void on_timeline(const TimelineRecord& record) override { writer_.append_timeline(record); }
  void on_placement(const PlacementRecord& record) override { writer_.append_placement(record); }

private:
  io::RunWriter& writer_;
};

} // namespace

int cmd_run(std::vector<std::string> args) {
  auto simgrid_args = take_simgrid_args(args);
  po::options_description options("edgesim run SCENARIO.toml [options]");
  std::string scenario_file;
  std::string output;
  std::vector<std::string> overrides;
  std::vector<std::string> plugins;
  std::uint64_t seed = 0;
  options.add_options()("help,h", "show this help")(
      "output,o", po::value(&output), "HDF5 output file (default: <scenario name>.h5 in the current directory)")(
      "set", po::value(&overrides)->composing(), "override a scenario key: --set tenants.0.arrival.rate=12.5")(
      "seed", po::value(&seed), "override simulation.seed")("json", "print the summary as one JSON object on stdout")(
      "quiet,q", "no progress lines, no summary table")("plugin", po::value(&plugins)->composing(),
                                                        "load a policy plugin (shared library)")(
      "no-trace", "do not write /requests (summaries, hosts and timeline only)");
  const po::variables_map vm = parse_with_positional(args, options, "scenario", po::value(&scenario_file), 1);
  if (vm.count("help") != 0) {
    std::cout << options << "\nSimGrid options --cfg=KEY:VALUE and --log=... are passed to the engine.\n";
    return kOk;
  }
  if (scenario_file.empty())
    throw po::error("missing SCENARIO.toml");
  if (vm.count("seed") != 0)
    overrides.push_back(fmt::format("simulation.seed={}", seed));
  if (vm.count("no-trace") != 0)
    overrides.emplace_back("simulation.trace_requests=false");
  const bool quiet = vm.count("quiet") != 0;
  const bool json = vm.count("json") != 0;

  const auto wall_start = std::chrono::steady_clock::now();
  for (const auto& plugin : plugins)
    Registry::instance().load_plugin(plugin);
  Scenario scenario = load_scenario(scenario_file, overrides);
  PlatformInfo platform =
      probe_platform(scenario.platform_file, simgrid_args, scenario.simulation.network_model, scenario.dynamics);
  Deployment deployment = plan_deployment(scenario, platform);

  if (output.empty())
    output = std::filesystem::path(scenario_file).stem().string() + ".h5";
  install_stop_handlers();
  io::RunWriter::remove_stale_temps(output);
  io::RunWriter writer(output);
  WriterSink sink(writer);

  EngineOptions engine_options;
  engine_options.engine_created = install_stop_handlers;
  engine_options.simgrid_args = simgrid_args;
  engine_options.progress = !quiet && !json;
  engine_options.interrupted = [] { return g_stop_requested.load(); };
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
  writer.write_meta(meta);
  writer.write_summary(result.summary);
  writer.write_hosts(result.hosts);
  writer.write_links(result.links);
  writer.write_layer_latency(result.layer_latency);
  writer.commit();

  if (json)
    std::cout << summary_json(result.summary, result.hosts, result.links, result.simulated_seconds);
  else if (!quiet)
    std::cout << summary_table(result.summary, result.hosts, result.links, result.simulated_seconds)
              << fmt::format("\nwrote {}\n", output);
  return result.interrupted ? kRuntimeFailure : kOk;
}

} // namespace edgesim::cli
