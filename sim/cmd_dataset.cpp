// `edgesim dataset`: GNN training datasets of simulated edge deployments (README
// "Datasets", docs/datasets.md). Each sample runs as an `edgesim run` child process.
#include "cli.hpp"
#include "command_options.hpp"

#include <edgesim/error.hpp>

#include "dataset/dataset_generator.hpp"
#include "dataset/dataset_reader.hpp"
#include "sweep/shard.hpp"
#include "util/child_process.hpp"
#include "util/stop_signals.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

namespace po = boost::program_options;

namespace edgesim::cli {
namespace {

constexpr const char* kUsageLine = R"(edgesim dataset SPEC.toml --samples N -o dataset.h5 [options]
       edgesim dataset --extract ROW dataset.h5 -o DIR)";
constexpr const char* kDescription =
    R"(Draws N random edge deployments from the distributions of SPEC.toml (devices of the
device library, links, service chains of DNN fragments, placements, arrival rates,
buffers, exit policies), simulates each one as an `edgesim run` child process and writes
a graph dataset (node features, edge indices, per-graph offsets, per-chain and
per-device targets, each sample's scenario and platform text) to dataset.h5. Finished
samples are journaled in dataset.h5.journal; --resume continues a killed generation.
--extract writes the scenario, platform and model files of one sample, which
`edgesim run DIR/s<index>.toml` re-simulates to the same labels.)";

} // namespace

int cmd_dataset(std::vector<std::string> args) {
  std::string command_line = "edgesim dataset";
  for (const auto& a : args)
    command_line += " " + a;
  auto simgrid_args = take_simgrid_args(args);
  std::string input;
  std::string output;
  std::uint64_t samples = 0;
  int jobs = 0;
  std::string shard_text = "0/1";
  std::string format;
  long long extract_row = -1;
  std::string spawn = "fork";
  std::vector<std::string> plugins;
  po::options_description options = command_options();
  options.add_options()("samples,n", po::value(&samples), "number of samples N")(
      "output,o", po::value(&output), "dataset file (with --extract: the directory to write)")(
      "jobs,j", po::value(&jobs), "child processes at once (default: number of cores)")(
      "shard", po::value(&shard_text), "simulate only samples i with i mod N = I (I/N, default 0/1)")(
      "resume", "keep the samples journaled by an interrupted run of the same command")(
      "format", po::value(&format),
      "also write another format: chainnet (<output stem>_chainnet/{train,val,test}/raw/*.txt)")(
      "extract", po::value(&extract_row),
      "write the input files of the sample in this row of a dataset")("spawn", po::value(&spawn), kSpawnHelp);
  add_plugin_option(options, plugins);
  add_quiet_option(options);
  const po::variables_map vm = parse_with_positional(args, options, "input", po::value(&input), 1);
  if (vm.count("help") != 0) {
    print_help(std::cout, {.usage = kUsageLine, .description = kDescription, .simgrid_options = true}, options);
    return kOk;
  }
  if (input.empty())
    throw po::error(vm.count("extract") != 0 ? "missing DATASET.h5" : "missing SPEC.toml");
  if (output.empty())
    throw po::error("missing -o");

  if (vm.count("extract") != 0) {
    if (extract_row < 0)
      throw InputError(fmt::format("--extract: expected a sample row >= 0, got {}", extract_row));
    const auto sample = dataset::extract_sample(input, static_cast<std::size_t>(extract_row), output);
    fmt::print("sample {}: wrote {} and {} (models in {})\n", sample.index, sample.scenario.string(),
               sample.platform.string(), (std::filesystem::path(output) / "models").string());
    return kOk;
  }

  if (vm.count("samples") == 0)
    throw po::error("missing --samples N");
  if (vm.count("jobs") != 0 && jobs < 1)
    throw InputError(fmt::format("--jobs: expected at least 1, got {}", jobs));
  if (!format.empty() && format != "chainnet")
    throw InputError(fmt::format("--format: expected chainnet, got \"{}\"", format));
  const run::SpawnMode spawn_choice = spawn_mode(spawn);
  const auto shard = sweep::Shard::parse(shard_text);
  const std::filesystem::path parent = std::filesystem::absolute(output).parent_path();
  if (!std::filesystem::is_directory(parent))
    throw InputError(fmt::format("{}: directory {} does not exist", output, parent.string()));

  dataset::GenerateOptions generate;
  generate.spec_file = input;
  generate.samples = samples;
  generate.jobs = vm.count("jobs") != 0 ? static_cast<unsigned>(jobs) : available_cores();
  generate.shard_index = shard.index;
  generate.shard_count = shard.count;
  generate.resume = vm.count("resume") != 0;
  generate.chainnet = format == "chainnet";
  generate.quiet = vm.count("quiet") != 0;
  generate.output = output;
  generate.simgrid_args = simgrid_args;
  const std::vector<std::string> plugin_args = load_plugins(plugins);
  generate.simgrid_args.insert(generate.simgrid_args.end(), plugin_args.begin(), plugin_args.end());
  generate.command_line = command_line;
  generate.created_at = utc_now();
  StopSignals::reset();
  const StopSignals signals;
  generate.interrupted = [] { return StopSignals::requested(); };
  generate.spawn = spawn_choice;
  const auto result = dataset::generate_dataset(generate);
  if (!generate.quiet) {
    const double rate = result.wall_seconds > 0 ? static_cast<double>(result.simulated) / result.wall_seconds : 0;
    fmt::print("dataset: {} samples written to {} ({} simulated in {:.1f} s, {:.1f} samples/s with {} jobs; {} "
               "resumed)\n",
               result.written, output, result.simulated, result.wall_seconds, rate, generate.jobs, result.resumed);
    if (!result.chainnet_dir.empty())
      fmt::print("dataset: ChainNet format in {}\n", (result.chainnet_dir / "raw").string());
  }
  return kOk;
}

} // namespace edgesim::cli
