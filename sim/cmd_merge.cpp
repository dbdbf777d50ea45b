// `edgesim merge`: joins the shard files of one sweep (docs/architecture.md "Process model", docs/sweeps.md).
#include "cli.hpp"
#include "command_options.hpp"

#include "sweep/sweep_runner.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace edgesim::cli {

int cmd_merge(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string output;
  po::options_description options = command_options();
  options.add_options()("output,o", po::value(&output)->value_name("FILE"), "merged HDF5 file");
  const po::variables_map vm = parse_with_positional(args, options, "inputs", po::value(&inputs)->composing(), -1);
  if (vm.count("help") != 0) {
    print_help(std::cout,
               {.usage = "edgesim merge IN.h5... -o OUT.h5",
                .description = "Joins the files of one sweep run as shards (--shard I/N) into one file, as if the "
                               "sweep had run whole.\nRefuses (exit 1) files of different sweeps, runs present in two "
                               "inputs, and runs missing from all\nof them, naming them."},
               options);
    return kOk;
  }
  if (inputs.empty())
    throw po::error("missing input files");
  if (output.empty())
    throw po::error("missing -o OUT.h5");
  std::vector<fs::path> paths(inputs.begin(), inputs.end());
  sweep::merge_sweep_files(paths, output, utc_now());
  fmt::print("merged {} files into {}\n", paths.size(), output);
  return kOk;
}

} // namespace edgesim::cli
