#include "validate_runner.hpp"

#include "cli.hpp"

#include <edgesim/error.hpp>

#include "sweep/progress.hpp"
#include "sweep/result_journal.hpp"
#include "util/child_process.hpp"
#include "util/stop_signals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <iostream>

namespace edgesim::cli {

namespace fs = std::filesystem;

std::string validate_command_line(const std::vector<std::string>& args) {
  std::string text = "edgesim validate";
  for (const auto& a : args) {
    const bool plain = !a.empty() && a.find_first_of(" \t\"'\\$`") == std::string::npos;
    text += " " + (plain ? a : "'" + a + "'");
  }
  return text;
}

void glue_negative_values(std::vector<std::string>& args, const std::vector<std::string>& options) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    const std::string& next = args[i + 1];
    const bool takes_number = std::find(options.begin(), options.end(), args[i]) != options.end();
    if (takes_number && next.size() > 1 && next[0] == '-' &&
        (std::isdigit(static_cast<unsigned char>(next[1])) != 0 || next[1] == '.')) {
      args[i] += "=" + next;
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    }
  }
}

void add_run_options(boost::program_options::options_description& options, RunOptions& values,
                     const char* requests_help, const char* dataset) {
  namespace po = boost::program_options;
  options.add_options()("reps", po::value(&values.reps), "replications per point, >= 2 (default 10)")(
      "requests", po::value(&values.requests), requests_help)("jobs,j", po::value(&values.jobs),
                                                              "child processes at once (default: number of cores)")(
      "output,o", po::value(&values.output), fmt::format("write the table as HDF5 (dataset {})", dataset).c_str())(
      "csv", po::value(&values.csv), "write the table as CSV")("seed", po::value(&values.seed),
                                                               "seed of the first replication (default 1)")(
      "level", po::value(&values.level), "confidence level of the pass/fail intervals (default 0.999)")(
      "resume", po::bool_switch(&values.resume),
      "take the replications an interrupted validation of the same grid finished from its journal")(
      "spawn", po::value(&values.spawn)->value_name("fork|exec"), kSpawnHelp);
  add_quiet_option(options);
}

std::optional<boost::program_options::variables_map>
parse_validate_args(const std::vector<std::string>& args, const boost::program_options::options_description& options,
                    std::string_view usage, std::string_view description) {
  namespace po = boost::program_options;
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help") != 0) {
    print_help(std::cout,
               {.usage = usage,
                .description = description,
                .exit_code_4 = "some exact values outside their intervals (3: also a failed replication)",
                .simgrid_options = true},
               options);
    return std::nullopt;
  }
  return vm;
}

unsigned check_run_options(int reps, long long requests, bool jobs_given, int jobs, double level,
                           const std::vector<std::string>& output_files) {
  if (reps < 2)
    throw InputError(fmt::format("--reps: expected at least 2 replications (an interval needs two), got {}", reps));
  if (requests < 100)
    throw InputError(fmt::format("--requests: expected at least 100 arrivals per replication, got {}", requests));
  if (jobs_given && jobs < 1)
    throw InputError(fmt::format("--jobs: expected at least 1, got {}", jobs));
  if (!(level > 0 && level < 1))
    throw InputError(fmt::format("--level: expected a confidence level in (0, 1), got {}", level));
  for (const std::string& file : output_files) {
    if (file.empty())
      continue;
    const fs::path parent = fs::absolute(file).parent_path();
    if (!fs::is_directory(parent))
      throw InputError(fmt::format("{}: directory {} does not exist", file, parent.string()));
  }
  return jobs_given ? static_cast<unsigned>(jobs) : available_cores();
}

validate::ReplicationOptions replication_options(const RunOptions& run, unsigned job_count, bool quiet,
                                                 const std::string& default_journal) {
  validate::ReplicationOptions options;
  options.jobs = job_count;
  options.spawn = spawn_mode(run.spawn);
  options.quiet = quiet;
  options.resume = run.resume;
  const std::string& first_output = !run.output.empty() ? run.output : run.csv;
  options.journal = first_output.empty() ? fs::path(default_journal) : sweep::ResultJournal::path_for(first_output);
  return options;
}

int report_validation(const ValidationTally& tally, const std::vector<std::string>& args, const std::string& dist,
                      const RunOptions& run,
                      const std::function<void(const fs::path&, const validate::ValidationMeta&)>& hdf5,
                      const std::function<void(const fs::path&)>& write_csv) {
  validate::ValidationMeta meta;
  meta.command_line = validate_command_line(args);
  meta.dist = dist;
  meta.seed = run.seed;
  meta.reps = static_cast<std::uint32_t>(run.reps);
  meta.requests = static_cast<std::uint64_t>(run.requests);
  meta.pass_level = run.level;
  const bool passed = tally.inside == tally.comparisons;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - tally.start).count();
  fmt::print("\n{}: {}/{} exact values inside their {:g} % intervals ({} runs in {}, {} jobs)\n",
             passed ? "PASS" : "FAIL", tally.inside, tally.comparisons, meta.pass_level * 100, tally.runs,
             sweep::duration_text(wall), tally.jobs);
  meta.passed = passed;
  meta.created_at = utc_now();
  if (!run.output.empty()) {
    hdf5(run.output, meta);
    fmt::print("wrote {}\n", run.output);
  }
  if (!run.csv.empty()) {
    write_csv(run.csv);
    fmt::print("wrote {}\n", run.csv);
  }
  return passed ? kOk : kValidationMismatch;
}

} // namespace edgesim::cli
