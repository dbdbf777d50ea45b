#pragma once
// What every subcommand's --help and common options look like, so that they read the
// same everywhere: a usage line, a description, the options, then the SimGrid
// pass-through and the exit codes. --set/--unset, --plugin and -q are added here, with
// one wording each.
#include <boost/program_options.hpp>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::cli {

/// Exit codes every command shares, as --help prints them.
inline constexpr std::string_view kExitCodesText = "0 ok, 1 invalid input, 2 usage error, 3 runtime failure";

struct CommandHelp {
  std::string_view usage{};       // "edgesim run SCENARIO.toml [options]" (several lines allowed)
  std::string_view description{}; // paragraphs, wrapped at 88 columns
  std::string_view exit_code_4{}; // meaning of exit code 4 for commands that use it, else empty
  bool simgrid_options = false;   // --cfg/--log are passed to the engine
};

/// The options table every command starts from (caption "options", with --help).
boost::program_options::options_description command_options();

void print_help(std::ostream& out, const CommandHelp& help, const boost::program_options::options_description& options);

/// --set KEY=VALUE and --unset KEY, collected for scenario_overrides().
struct ScenarioOverrides {
  std::vector<std::string> sets;
  std::vector<std::string> unsets;
  /// The ordered override list load_scenario takes: the removals, then the assignments.
  [[nodiscard]] std::vector<std::string> list() const;
};
void add_override_options(boost::program_options::options_description& options, ScenarioOverrides& overrides,
                          std::string_view scope);

void add_plugin_option(boost::program_options::options_description& options, std::vector<std::string>& plugins);
/// Loads the plugins and returns them as `--plugin=PATH` arguments for child runs.
std::vector<std::string> load_plugins(const std::vector<std::string>& plugins);

void add_quiet_option(boost::program_options::options_description& options);

} // namespace edgesim::cli
