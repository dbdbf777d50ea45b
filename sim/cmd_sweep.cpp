// `edgesim sweep`: a scenario over a grid or Latin hypercube of varied keys, each point
// replicated, each run a child `edgesim run` (docs/architecture.md "Process model", docs/sweeps.md).
#include "cli.hpp"
#include "command_options.hpp"

#include <edgesim/error.hpp>

#include "scenario/scenario_loader.hpp"
#include "sweep/sweep_runner.hpp"
#include "util/child_process.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace edgesim::cli {
namespace {

constexpr const char* kUsageLine = "edgesim sweep SCENARIO.toml --vary KEY=VALUES... [options]";
constexpr const char* kDescription =
    R"(Runs SCENARIO at every point of a design over the varied keys, --reps times each, every
run an `edgesim run` child process (at most --jobs at once; a forked copy of this process
unless --spawn exec), and writes one HDF5 file:
/points (one row per point and replication: varied keys, point, rep, seed, exit_code,
signal, error, then the run's "all" summary fields), /points_tenants (the same per
tenant), /points_ci (mean and 95 % Student-t half-width over replications), /runs.

  --vary KEY=V1,V2,...        values (TOML text: 12.5, true, "fcfs", [0.8,0.9])
  --vary KEY=START:STOP:STEP  START, START+STEP, ... up to STOP
  --vary KEY=START:STOP       with --design lhs: sampled over the interval

Run r of point p uses seed f(scenario seed, p, r), so results do not depend on --jobs,
--shard or --mpi; points are independent samples (--streams independent) unless
--streams common gives every point the same seeds (common random numbers). A failed run
is recorded (exit_code, signal, error) and the sweep goes on; exit code 3 also means
interrupted (rerun with --resume to finish). To sweep over placement.policy or
exits.policy, --unset the keys of the base scenario's policy that the others do not take,
or vary the whole table: --vary 'placement={policy="manual", fragments=[...]},{policy="chain-dp"}'.)";

std::string read_text(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw InputError(fmt::format("{}: cannot read the scenario file", file));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

int cmd_sweep(std::vector<std::string> args) {
  auto simgrid_args = take_simgrid_args(args);
  std::string scenario_file;
  std::vector<std::string> vary;
  ScenarioOverrides scenario_overrides;
  std::vector<std::string> plugins;
  std::string design = "grid";
  std::string streams = "independent";
  std::size_t points = 0;
  std::size_t reps = 1;
  unsigned jobs = 0;
  std::string shard = "0/1";
  std::string output;
  std::uint64_t seed = 0;
  double timeout = 0;
  double checkpoint = 30;
  std::string spawn = "fork";
  po::options_description options = command_options();
  options.add_options()("vary", po::value(&vary)->composing(),
                        "a varied key: KEY=V1,V2,... or KEY=START:STOP[:STEP] (repeatable)")(
      "design", po::value(&design), "grid (default: every combination) or lhs (Latin hypercube, --points N)")(
      "points", po::value(&points), "number of points of an lhs design")("reps", po::value(&reps),
                                                                         "replications per point (default 1)")(
      "jobs,j", po::value(&jobs), "child processes at once (default: number of cores)")(
      "shard", po::value(&shard), "run only the points with index = I mod N (I/N, I from 0)")(
      "mpi", "under mpirun: rank 0 hands points out to the other ranks and writes the file")(
      "resume", "skip the runs already recorded in the output (and its journal)")(
      "output,o", po::value(&output), "HDF5 output (default: <scenario name>-sweep.h5)")(
      "streams", po::value(&streams),
      "independent (default: every point its own random numbers) or common (replication r of every point "
      "shares one seed)")("seed", po::value(&seed), "base seed (default: the scenario's simulation.seed)")(
      "traces", "keep each run's datasets (/requests, /timeline, ...) under /traces/p<P>_r<R>")(
      "timeout", po::value(&timeout), "seconds a run may take before it is killed and recorded as failed")(
      "checkpoint-every", po::value(&checkpoint),
      "seconds between rewrites of the output file (default 30)")("spawn", po::value(&spawn), kSpawnHelp);
  add_override_options(options, scenario_overrides, " at every point");
  add_plugin_option(options, plugins);
  add_quiet_option(options);
  const po::variables_map vm = parse_with_positional(args, options, "scenario", po::value(&scenario_file), 1);
  if (vm.count("help") != 0) {
    print_help(std::cout,
               {.usage = kUsageLine,
                .description = kDescription,
                .exit_code_4 = "every run recorded, some failed (exit_code, signal, error in /points)",
                .simgrid_options = true},
               options);
    return kOk;
  }
  if (scenario_file.empty())
    throw po::error("missing SCENARIO.toml");
  if (vm.count("jobs") != 0 && (jobs == 0 || jobs > 65536))
    throw InputError(fmt::format("--jobs: expected 1 to 65536 child processes, got {}", jobs));
  if (timeout < 0)
    throw InputError(fmt::format("--timeout: expected seconds >= 0, got {}", timeout));
  if (!(checkpoint > 0))
    throw InputError(fmt::format("--checkpoint-every: expected seconds > 0, got {}", checkpoint));

  const run::SpawnMode spawn_choice = spawn_mode(spawn);

  sweep::SweepSpec spec;
  spec.scenario_file = fs::absolute(scenario_file).string();
  spec.scenario_text = read_text(scenario_file);
  const std::vector<std::string> overrides = scenario_overrides.list();
  spec.overrides = overrides;
  // Plugins travel with the engine options: every run loads them, and they are part of
  // what the sweep id says determines the results.
  spec.engine_args = simgrid_args;
  const std::vector<std::string> plugin_args = load_plugins(plugins);
  spec.engine_args.insert(spec.engine_args.end(), plugin_args.begin(), plugin_args.end());
  spec.streams = sweep::parse_streams(streams);
  for (const auto& v : vary)
    spec.axes.push_back(sweep::parse_vary(v));
  spec.design = sweep::parse_design(design);
  spec.lhs_points = points;
  spec.reps = reps;
  // The base scenario must be valid on its own; a bad varied value only fails its points.
  const Scenario base = load_scenario(scenario_file, overrides);
  spec.seed = vm.count("seed") != 0 ? seed : base.simulation.seed;
  spec.check();

  sweep::SweepOptions run;
  run.shard = sweep::Shard::parse(shard);
  run.output = output.empty() ? fs::path(fs::path(scenario_file).stem().string() + "-sweep.h5") : fs::path(output);
  const fs::path parent = fs::absolute(run.output).parent_path();
  if (!fs::is_directory(parent))
    throw InputError(fmt::format("{}: directory {} does not exist", run.output.string(), parent.string()));
  run.jobs = jobs != 0 ? jobs : available_cores();
  run.resume = vm.count("resume") != 0;
  run.traces = vm.count("traces") != 0;
  run.quiet = vm.count("quiet") != 0;
  run.mpi = vm.count("mpi") != 0;
  run.timeout_seconds = timeout;
  run.checkpoint_seconds = checkpoint;
  run.created_at = utc_now();
  run.spawn = spawn_choice;
  return sweep::run_sweep(spec, run);
}

} // namespace edgesim::cli
