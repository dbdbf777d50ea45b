// edgesim: discrete-event simulation of DNN inference on edge devices (DESIGN §4).
#include "cli.hpp"

#include <edgesim/error.hpp>

#include <boost/program_options/errors.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage = R"(usage: edgesim <command> [options]

commands:
  run SCENARIO.toml [-o out.h5] [--set KEY=VALUE]... [--seed N] [--json] [-q]
                     simulate one scenario, write its HDF5 traces, print a summary
  check SCENARIO.toml [--set KEY=VALUE]...
                     validate a scenario (and its platform, models, placement) without running
  list policies|platforms|models
                     show what is available
  validate [--dist det|exp|erlang<k>|h2|exits] [--rho ...] [--K ...] [-o val.h5]
                     simulate one M/G/1/K station over a grid and compare with exact values
  sweep SCENARIO.toml --vary KEY=V1,V2,...|START:STOP:STEP... [--reps R] [--jobs N] [-o sweep.h5]
                     run a scenario over a grid (or Latin hypercube) of varied keys
  merge IN.h5... -o OUT.h5
                     join the shard files of one sweep
  dataset SPEC.toml --samples N [--jobs J] [--shard I/N] [--resume] [--format chainnet] -o ds.h5
                     generate a GNN training dataset of simulated edge deployments

`edgesim <command> --help` describes a command's options. SimGrid's own --cfg=KEY:VALUE
and --log=... options are passed through to the engine.
exit codes: 0 ok, 1 invalid input, 2 usage error, 3 runtime failure
)";

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? edgesim::cli::kUsage : edgesim::cli::kOk;
  }
  if (args[0] == "--version") {
    fmt::print("edgesim {} ({})\n", EDGESIM_VERSION, EDGESIM_GIT_DESCRIBE);
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "run")
      return edgesim::cli::cmd_run(std::move(args));
    if (command == "check")
      return edgesim::cli::cmd_check(std::move(args));
    if (command == "list")
      return edgesim::cli::cmd_list(std::move(args));
    if (command == "validate")
      return edgesim::cli::cmd_validate(std::move(args));
    if (command == "sweep")
      return edgesim::cli::cmd_sweep(std::move(args));
    if (command == "merge")
      return edgesim::cli::cmd_merge(args);
    if (command == "dataset")
      return edgesim::cli::cmd_dataset(std::move(args));
    fmt::print(stderr, "edgesim: unknown command \"{}\"\n{}", command, kUsage);
    return edgesim::cli::kUsage;
  } catch (const edgesim::InputError& e) {
    fmt::print(stderr, "edgesim: error: {}\n", e.what());
    return edgesim::cli::kInvalidInput;
  } catch (const boost::program_options::error& e) {
    fmt::print(stderr, "edgesim {}: {} (see edgesim {} --help)\n", command, e.what(), command);
    return edgesim::cli::kUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "edgesim: runtime failure: {}\n", e.what());
    return edgesim::cli::kRuntimeFailure;
  }
}
