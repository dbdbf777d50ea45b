// edgesim: discrete-event simulation of DNN inference on edge devices (docs/cli.md).
#include "cli.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

constexpr const char* kUsage = R"(usage: edgesim <command> [options]

commands:
  run SCENARIO.toml [-o out.h5] [--set KEY=VALUE]... [--unset KEY]... [--seed N] [--json] [-q]
                     simulate one scenario, write its HDF5 traces, print a summary
  check SCENARIO.toml [--set KEY=VALUE]... [--unset KEY]...
                     validate a scenario (and its platform, models, placement) without running
  list policies|processes|platforms|models|columns
                     show what is available (columns: the run file's schema)
  validate [--dist det|exp|erlang<k>|h2|exits] [--rho ...] [--K ...] [--resume] [-o val.h5]
                     simulate one M/G/1/K station over a grid and compare with exact values
  sweep SCENARIO.toml --vary KEY=V1,V2,...|START:STOP:STEP... [--reps R] [--jobs N] [-o sweep.h5]
                     run a scenario over a grid (or Latin hypercube) of varied keys
  merge IN.h5... -o OUT.h5
                     join the shard files of one sweep
  dataset SPEC.toml --samples N [--jobs J] [--shard I/N] [--resume] [--format chainnet] -o ds.h5
                     generate a GNN training dataset of simulated edge deployments

`edgesim <command> --help` describes a command's options. SimGrid's own --cfg=KEY:VALUE
and --log=... options are passed through to the engine.
exit codes: 0 ok, 1 invalid input, 2 usage error, 3 runtime failure, 4 finished with
failures (sweep: some runs failed; validate: some exact values outside their intervals)
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
  const std::pair<std::string_view, edgesim::cli::Subcommand> commands[] = {
      {"run", edgesim::cli::cmd_run},           {"check", edgesim::cli::cmd_check}, {"list", edgesim::cli::cmd_list},
      {"validate", edgesim::cli::cmd_validate}, {"sweep", edgesim::cli::cmd_sweep}, {"merge", edgesim::cli::cmd_merge},
      {"dataset", edgesim::cli::cmd_dataset},
  };
  for (const auto& [name, subcommand] : commands)
    if (name == command)
      return edgesim::cli::run_guarded(command, subcommand, std::move(args));
  fmt::print(stderr, "edgesim: unknown command \"{}\"\n{}", command, kUsage);
  return edgesim::cli::kUsage;
}
