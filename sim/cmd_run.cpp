// `edgesim run`: one scenario, one process, one SimGrid engine (docs/architecture.md "Process model").
#include "cli.hpp"
#include "command_options.hpp"

#include <edgesim/error.hpp>

#include "core/deployment.hpp"
#include "core/platform_probe.hpp"
#include "core/simulation.hpp"
#include "io/run_writer.hpp"
#include "io/summary_json.hpp"
#include "scenario/scenario_loader.hpp"
#include "util/atomic_file.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

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

} // namespace

int cmd_run(std::vector<std::string> args) {
  auto simgrid_args = take_simgrid_args(args);
  std::string scenario_file;
  std::string output;
  ScenarioOverrides scenario_overrides;
  std::vector<std::string> plugins;
  std::uint64_t seed = 0;
  std::string base_dir;
  po::options_description options = command_options();
  options.add_options()("output,o", po::value(&output)->value_name("FILE"),
                        "HDF5 output file (default: <scenario name>.h5 in the current directory)")(
      "seed", po::value(&seed), "override simulation.seed")("json", "print the summary as one JSON object on stdout")(
      "no-trace", "do not write /requests (summaries, hosts and timeline only)")(
      "base-dir", po::value(&base_dir)->value_name("DIR"),
      "resolve the scenario's relative paths against DIR (default: the scenario file's directory)");
  add_override_options(options, scenario_overrides, "");
  add_plugin_option(options, plugins);
  add_quiet_option(options);
  const po::variables_map vm = parse_with_positional(args, options, "scenario", po::value(&scenario_file), 1);
  if (vm.count("help") != 0) {
    print_help(std::cout,
               {.usage = "edgesim run SCENARIO.toml [options]",
                .description = "Simulates one scenario in one SimGrid engine, writes its HDF5 run file atomically "
                               "(temp file, then rename)\nand prints a summary table (or --json).",
                .simgrid_options = true},
               options);
    return kOk;
  }
  if (scenario_file.empty())
    throw po::error("missing SCENARIO.toml");
  std::vector<std::string> overrides = scenario_overrides.list();
  if (vm.count("seed") != 0)
    overrides.push_back(fmt::format("simulation.seed={}", seed));
  if (vm.count("no-trace") != 0)
    overrides.emplace_back("simulation.trace_requests=false");
  const bool quiet = vm.count("quiet") != 0;
  const bool json = vm.count("json") != 0;

  const auto wall_start = std::chrono::steady_clock::now();
  load_plugins(plugins);
  Scenario scenario = load_scenario(scenario_file, overrides, base_dir);
  PlatformInfo platform =
      probe_platform(scenario.platform_file, simgrid_args, scenario.simulation.network_model, scenario.dynamics);
  Deployment deployment = plan_deployment(scenario, platform);
  if (!quiet)
    warn_hosts_without_power(platform);

  if (output.empty())
    output = std::filesystem::path(scenario_file).stem().string() + ".h5";
  install_stop_handlers();
  remove_stale_temporaries(output);
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
  meta.warmup_s = scenario.simulation.warmup;
  writer.write_meta(meta);
  writer.write_summary(result.summary);
  writer.write_hosts(result.hosts);
  writer.write_links(result.links);
  writer.write_layer_latency(result.layer_latency);
  writer.commit();

  const RunSummary summary{result.summary, result.hosts, result.links, result.simulated_seconds};
  if (json)
    std::cout << io::summary_json(summary);
  else if (!quiet)
    std::cout << summary_table(summary) << fmt::format("\nwrote {}\n", output);
  return result.interrupted ? kRuntimeFailure : kOk;
}

} // namespace edgesim::cli
