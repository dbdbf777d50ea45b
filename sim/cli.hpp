#pragma once
// Shared pieces of the edgesim subcommands: exit codes, SimGrid option pass-through,
// and the summary printers (human table and --json).
#include <edgesim/results.hpp>

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace edgesim::cli {

enum ExitCode : int { kOk = 0, kInvalidInput = 1, kUsage = 2, kRuntimeFailure = 3 };

/// Removes SimGrid's --cfg=... and --log=... options from args and returns them.
std::vector<std::string> take_simgrid_args(std::vector<std::string>& args);

/// Parses `args` with `options` plus a hidden positional option `positional_name` (what
/// `positional_value` stores; `max_positional` values, -1 for any number), stores and
/// notifies. Boost.Program_options errors propagate (usage errors).
boost::program_options::variables_map
parse_with_positional(const std::vector<std::string>& args, const boost::program_options::options_description& options,
                      const char* positional_name, const boost::program_options::value_semantic* positional_value,
                      int max_positional);

/// The current time as ISO 8601 UTC ("2026-11-30T06:52:15Z"), for /meta.
std::string utc_now();

std::string summary_json(const std::vector<SummaryRow>& summary, const std::vector<HostRecord>& hosts,
                         const std::vector<LinkRecord>& links, double simulated_seconds);
std::string summary_table(const std::vector<SummaryRow>& summary, const std::vector<HostRecord>& hosts,
                          const std::vector<LinkRecord>& links, double simulated_seconds);

int cmd_run(std::vector<std::string> args);
int cmd_check(std::vector<std::string> args);
int cmd_list(std::vector<std::string> args);
int cmd_validate(std::vector<std::string> args);
int cmd_sweep(std::vector<std::string> args);
int cmd_merge(const std::vector<std::string>& args);
int cmd_dataset(std::vector<std::string> args);

} // namespace edgesim::cli
