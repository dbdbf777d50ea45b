// `edgesim check`: everything `run` validates, without running.
#include "cli.hpp"

#include "core/deployment.hpp"
#include "core/platform_probe.hpp"
#include "scenario/scenario_loader.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <iostream>

namespace po = boost::program_options;

namespace edgesim::cli {

int cmd_check(std::vector<std::string> args) {
  auto simgrid_args = take_simgrid_args(args);
  po::options_description options("edgesim check SCENARIO.toml [options]");
  std::string scenario_file;
  std::vector<std::string> overrides;
  std::vector<std::string> plugins;
  options.add_options()("help,h", "show this help")("set", po::value(&overrides)->composing(),
                                                    "override a scenario key before validating")(
      "plugin", po::value(&plugins)->composing(), "load a policy plugin (shared library)");
  const po::variables_map vm = parse_with_positional(args, options, "scenario", po::value(&scenario_file), 1);
  if (vm.count("help") != 0) {
    std::cout << options;
    return kOk;
  }
  if (scenario_file.empty())
    throw po::error("missing SCENARIO.toml");
  for (const auto& plugin : plugins)
    Registry::instance().load_plugin(plugin);
  Scenario scenario = load_scenario(scenario_file, overrides);
  PlatformInfo platform =
      probe_platform(scenario.platform_file, simgrid_args, scenario.simulation.network_model, scenario.dynamics);
  Deployment deployment = plan_deployment(scenario, platform);
  fmt::print("{}: ok ({} tenant(s), {} host(s) in {})\n", scenario_file, scenario.tenants.size(), platform.hosts.size(),
             platform.file);
  for (std::size_t t = 0; t < scenario.tenants.size(); ++t) {
    const auto& tenant = scenario.tenants[t];
    std::string fragments;
    for (const auto& f : deployment.tenants[t].fragments)
      fragments += fmt::format(" [{}-{}]@{}", f.first_layer, f.last_layer, f.host);
    fmt::print("  {}: {} ({} layers, {} exits), exits={}, placement={}:{}\n", tenant.name, tenant.model.name,
               tenant.model.layers.size(), tenant.model.exits.size(), tenant.exits.name, tenant.placement.name,
               fragments);
  }
  return kOk;
}

} // namespace edgesim::cli
