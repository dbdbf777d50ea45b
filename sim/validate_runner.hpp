#pragma once
// What `edgesim validate` (one station) and `edgesim validate --network` share: the
// command-line chores around running their replications (validate/replication_runner.hpp)
// and reporting the result.
#include "command_options.hpp"
#include "validate/replication_runner.hpp"
#include "validate/validation.hpp"

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::cli {

/// "edgesim validate ARGS", quoted where needed, for the output files' metadata.
[[nodiscard]] std::string validate_command_line(const std::vector<std::string>& args);
/// `--rho -1` would reach Program_options as an option named "-1": glue a negative
/// number to its option (one of `options`) so that it is rejected as a value (exit 1),
/// not as usage.
void glue_negative_values(std::vector<std::string>& args, const std::vector<std::string>& options);

/// The options both validations take (after their grid options).
struct RunOptions {
  int reps = 10;
  long long requests = 20000;
  int jobs = 0;
  std::string output;
  std::string csv;
  std::uint64_t seed = 1;
  double level = validate::kDefaultPassLevel;
  bool resume = false;
  std::string spawn = "fork";
};

/// Adds --reps, --requests (`requests_help`), --jobs, --output (a table in `dataset`),
/// --csv, --seed, --level, --resume, --spawn and --quiet to `options`, storing into
/// `values`.
void add_run_options(boost::program_options::options_description& options, RunOptions& values,
                     const char* requests_help, const char* dataset);

/// Parses `args`; prints the help and returns nullopt for --help.
[[nodiscard]] std::optional<boost::program_options::variables_map>
parse_validate_args(const std::vector<std::string>& args, const boost::program_options::options_description& options,
                    std::string_view usage, std::string_view description);

/// How the replications of `tasks` run: --jobs (`job_count`), --spawn, -q, and --resume
/// with its journal next to the first output file given (-o, then --csv), else
/// `default_journal` in the working directory.
[[nodiscard]] validate::ReplicationOptions replication_options(const RunOptions& run, unsigned job_count, bool quiet,
                                                               const std::string& default_journal);

/// Exit code when every child ran but some exact value lies outside its interval.
inline constexpr int kValidationMismatch = 4;

/// Checks the options both validations share and returns the job count (--jobs, else
/// the cores this process may use); throws InputError naming the option.
[[nodiscard]] unsigned check_run_options(int reps, long long requests, bool jobs_given, int jobs, double level,
                                         const std::vector<std::string>& output_files);

struct ValidationTally {
  std::size_t inside = 0;      // exact values inside their intervals
  std::size_t comparisons = 0; // exact values compared
  std::size_t runs = 0;
  std::chrono::steady_clock::time_point start;
  unsigned jobs = 0;
};

/// Prints the PASS/FAIL line, writes the HDF5 (with the metadata of the command line
/// `args`, the law and the run options) and CSV files that `run` asks for and returns the
/// exit code (0 or kValidationMismatch).
int report_validation(const ValidationTally& tally, const std::vector<std::string>& args, const std::string& dist,
                      const RunOptions& run,
                      const std::function<void(const std::filesystem::path&, const validate::ValidationMeta&)>& hdf5,
                      const std::function<void(const std::filesystem::path&)>& write_csv);

} // namespace edgesim::cli
