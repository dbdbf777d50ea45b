// `edgesim check`: everything `run` validates, without running.
#include "cli.hpp"
#include "command_options.hpp"

#include "core/deployment.hpp"
#include "core/placement_problem.hpp"
#include "core/platform_probe.hpp"
#include "scenario/scenario_loader.hpp"

#include <edgesim/joint_load.hpp>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <iostream>

namespace po = boost::program_options;

namespace edgesim::cli {
namespace {

// What the cost model predicts the jointly placed tenants keep each host busy
// (docs/joint-placement.md): the capacity their placement shared.
void print_joint_load(const Scenario& scenario, const PlatformInfo& platform, const Deployment& deployment) {
  const PlacementInputs inputs = placement_inputs(platform, scenario);
  std::vector<PlacementProblem> problems;
  std::vector<std::vector<Fragment>> plans;
  for (std::size_t t = 0; t < scenario.tenants.size(); ++t) {
    if (!deployment.tenants[t].placement_policy->places_jointly())
      continue;
    problems.push_back(make_placement_problem(inputs, scenario.tenants[t], t));
    plans.push_back(deployment.tenants[t].fragments);
  }
  if (problems.empty())
    return;
  const CoTenantLoad load = co_tenant_load(problems, plans, kEveryTenant);
  std::string hosts;
  for (std::size_t h = 0; h < load.hosts.size(); ++h)
    if (load.hosts[h].utilisation > 0)
      hosts += fmt::format(" {} {:.1f} %", inputs.hosts[h].name, 100 * load.hosts[h].utilisation);
  fmt::print("  joint placement of {} tenant(s), predicted utilisation:{}\n", problems.size(), hosts);
}

} // namespace

int cmd_check(std::vector<std::string> args) {
  auto simgrid_args = take_simgrid_args(args);
  std::string scenario_file;
  ScenarioOverrides scenario_overrides;
  std::vector<std::string> plugins;
  po::options_description options = command_options();
  add_override_options(options, scenario_overrides, " before validating");
  add_plugin_option(options, plugins);
  const po::variables_map vm = parse_with_positional(args, options, "scenario", po::value(&scenario_file), 1);
  if (vm.count("help") != 0) {
    print_help(std::cout,
               {.usage = "edgesim check SCENARIO.toml [options]",
                .description = "Validates a scenario as `edgesim run` would (its keys, platform, models, placement and "
                               "policy settings)\nwithout simulating it; policies that tune themselves offline "
                               "(bayesopt) only check their settings.",
                .simgrid_options = true},
               options);
    return kOk;
  }
  if (scenario_file.empty())
    throw po::error("missing SCENARIO.toml");
  load_plugins(plugins);
  Scenario scenario = load_scenario(scenario_file, scenario_overrides.list());
  PlatformInfo platform =
      probe_platform(scenario.platform_file, simgrid_args, scenario.simulation.network_model, scenario.dynamics);
  Deployment deployment = plan_deployment(scenario, platform, /*check_only=*/true);
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
  print_joint_load(scenario, platform, deployment);
  return kOk;
}

} // namespace edgesim::cli
