#include "command_options.hpp"

#include "scenario/overrides.hpp"

#include <edgesim/policy.hpp>

#include <filesystem>

namespace edgesim::cli {

namespace po = boost::program_options;

po::options_description command_options() {
  po::options_description options("options", 100, 50);
  options.add_options()("help,h", "show this help");
  return options;
}

void print_help(std::ostream& out, const CommandHelp& help, const po::options_description& options) {
  out << "usage: " << help.usage << "\n\n" << help.description << "\n\n" << options << '\n';
  if (help.simgrid_options)
    out << "SimGrid's own --cfg=KEY:VALUE and --log=... options are passed to the engine.\n";
  out << "exit codes: " << kExitCodesText;
  if (!help.exit_code_4.empty())
    out << ", 4 " << help.exit_code_4;
  out << '\n';
}

std::vector<std::string> ScenarioOverrides::list() const {
  std::vector<std::string> out;
  out.reserve(unsets.size() + sets.size());
  for (const auto& key : unsets)
    out.push_back(unset_override(key));
  out.insert(out.end(), sets.begin(), sets.end());
  return out;
}

void add_override_options(po::options_description& options, ScenarioOverrides& overrides, std::string_view scope) {
  const std::string set_help =
      "override a scenario key" + std::string(scope) +
      " (VALUE is TOML: 12.5, true, \"fcfs\", [1,2], {a=1}): --set tenants.0.arrival.rate=12.5";
  const std::string unset_help = "remove a scenario key" + std::string(scope) +
                                 " before the --set ones, e.g. --unset placement.fragments --set "
                                 "placement.policy=chain-dp";
  options.add_options()("set", po::value(&overrides.sets)->composing()->value_name("KEY=VALUE"), set_help.c_str())(
      "unset", po::value(&overrides.unsets)->composing()->value_name("KEY"), unset_help.c_str());
}

void add_plugin_option(po::options_description& options, std::vector<std::string>& plugins) {
  options.add_options()("plugin", po::value(&plugins)->composing()->value_name("LIB.so"),
                        "load a policy plugin (shared library exporting edgesim_register); repeatable");
}

std::vector<std::string> load_plugins(const std::vector<std::string>& plugins) {
  std::vector<std::string> args;
  for (const auto& plugin : plugins) {
    Registry::instance().load_plugin(plugin);
    // Absolute: a child run may start in another directory (dataset samples do).
    args.push_back("--plugin=" + std::filesystem::absolute(plugin).string());
  }
  return args;
}

void add_quiet_option(po::options_description& options) {
  options.add_options()("quiet,q", "print only errors and the requested output: no progress lines, no summary table");
}

} // namespace edgesim::cli
