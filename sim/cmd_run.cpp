// `edgesim run`: one scenario, one process, one SimGrid engine (docs/architecture.md "Process
// model"): the command line of run::run_scenario().
#include "cli.hpp"
#include "command_options.hpp"

#include <edgesim/error.hpp>

#include "io/summary_json.hpp"
#include "run/run_scenario.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <atomic>
#include <csignal>
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

} // namespace

int cmd_run(std::vector<std::string> args) {
  run::RunRequest request;
  request.engine_args = take_simgrid_args(args);
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
  request.scenario = scenario_file;
  request.base_dir = base_dir;
  request.overrides = scenario_overrides.list();
  if (vm.count("seed") != 0)
    request.seed = seed;
  request.trace_requests = vm.count("no-trace") == 0;
  request.output = output;
  const bool quiet = vm.count("quiet") != 0;
  const bool json = vm.count("json") != 0;

  load_plugins(plugins);
  run::RunControl control;
  control.progress = !quiet && !json;
  control.warnings = !quiet;
  control.interrupted = [] { return g_stop_requested.load(); };
  control.install_signal_handlers = install_stop_handlers;
  const run::RunReport report = run::run_scenario(request, control);

  if (json)
    std::cout << io::summary_json(report.summary);
  else if (!quiet)
    std::cout << summary_table(report.summary) << fmt::format("\nwrote {}\n", report.output.string());
  return report.interrupted ? kRuntimeFailure : kOk;
}

} // namespace edgesim::cli
