#pragma once
// Shared pieces of the edgesim subcommands: exit codes, SimGrid option pass-through,
// and the summary printers (human table and --json).
#include <edgesim/results.hpp>

#include "run/run_launcher.hpp"
#include "util/utc_now.hpp"

#include <boost/program_options.hpp>

#include <functional>
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

/// A subcommand: its arguments (after the command name) -> exit code.
using Subcommand = std::function<int(std::vector<std::string>)>;

/// Runs a subcommand, turning its exceptions into one line on stderr and the exit code
/// (InputError 1, Boost.Program_options error 2, other std::exception 3).
int run_guarded(const std::string& command, const Subcommand& subcommand, std::vector<std::string> args);

/// How a command's runs start (`--spawn`): `fork` gives forked children that call cmd_run
/// under run_guarded, `exec` a fresh `edgesim run` process per run. Throws InputError
/// naming the option for any other value.
run::SpawnMode spawn_mode(const std::string& spawn);
inline constexpr const char* kSpawnHelp =
    "how runs start: fork (default: a forked copy of this already loaded process per run, no program start-up) "
    "or exec (a fresh `edgesim run` process per run)";

/// The summary as the table `edgesim run` prints (its JSON form: io/summary_json.hpp).
std::string summary_table(const RunSummary& summary);

int cmd_run(std::vector<std::string> args);
int cmd_check(std::vector<std::string> args);
int cmd_list(const std::vector<std::string>& args);
int cmd_validate(std::vector<std::string> args);
int cmd_validate_network(std::vector<std::string> args); // `validate --network`
int cmd_sweep(std::vector<std::string> args);
int cmd_merge(const std::vector<std::string>& args);
int cmd_dataset(std::vector<std::string> args);

} // namespace edgesim::cli
