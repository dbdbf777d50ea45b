#pragma once
// What `edgesim validate` (one station) and `edgesim validate --network` share: running
// the replications of every point as `edgesim run` child processes, and the command-line
// chores around it.
#include "command_options.hpp"
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

/// The last line of a child's stderr (its one-line error message).
[[nodiscard]] std::string last_line(const std::string& text);
/// "edgesim validate ARGS", quoted where needed, for the output files' metadata.
[[nodiscard]] std::string validate_command_line(const std::vector<std::string>& args);
/// `--rho -1` would reach Program_options as an option named "-1": glue a negative
/// number to its option (one of `options`) so that it is rejected as a value (exit 1),
/// not as usage.
void glue_negative_values(std::vector<std::string>& args, const std::vector<std::string>& options);

struct ReplicationTask {
  std::filesystem::path scenario;
  std::uint64_t seed = 0;
  std::string where; // for messages
};

/// Runs every task as `edgesim run SCENARIO --json -q --seed S --no-trace -o OUT` in a
/// child process, at most `jobs` at once. `on_done(task, stdout, run file)` sees each
/// success in completion order (the progress line cleared) before the run file is
/// removed. The first failed replication, or a RuntimeError thrown by on_done, stops the
/// others and is thrown as a RuntimeError; so is an interruption (SIGINT/SIGTERM).
void run_replications(
    const std::vector<ReplicationTask>& tasks, unsigned jobs, const std::vector<std::string>& simgrid_args,
    const std::filesystem::path& scratch, bool quiet,
    const std::function<void(std::size_t, const std::string&, const std::filesystem::path&)>& on_done);

/// The options both validations take (after their grid options).
struct RunOptions {
  int reps = 10;
  long long requests = 20000;
  int jobs = 0;
  std::string output;
  std::string csv;
  std::uint64_t seed = 1;
  double level = validate::kDefaultPassLevel;
};

/// Adds --reps, --requests (`requests_help`), --jobs, --output (a table in `dataset`),
/// --csv, --seed, --level and --quiet to `options`, storing into `values`.
void add_run_options(boost::program_options::options_description& options, RunOptions& values,
                     const char* requests_help, const char* dataset);

/// Parses `args`; prints the help and returns nullopt for --help.
[[nodiscard]] std::optional<boost::program_options::variables_map>
parse_validate_args(const std::vector<std::string>& args, const boost::program_options::options_description& options,
                    std::string_view usage, std::string_view description);

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
