#include "scenario/scenario_loader.hpp"
#include "config/toml_config.hpp"

#include <edgesim/config_view.hpp>
#include <edgesim/error.hpp>

#include "config/paths.hpp"
#include "config/toml_text.hpp"
#include "config/units.hpp"
#include "model/model_loader.hpp"
#include "scenario/dynamics_loader.hpp"
#include "scenario/overrides.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace edgesim {
namespace {

const toml::table* sub_table(const ConfigView& view, std::string_view key, bool required) {
  const toml::node* node = toml_table(view).get(key);
  if (node == nullptr) {
    if (required)
      view.fail(key, "a table (missing)");
    return nullptr;
  }
  if (const auto* table = node->as_table())
    return table;
  view.fail(key, "a table");
}

std::string join(std::string_view a, std::string_view b) {
  return a.empty() ? std::string(b) : fmt::format("{}.{}", a, b);
}

double positive_seconds(const ConfigView& view, std::string_view key) {
  double seconds = view.get_seconds(key);
  if (!(seconds > 0))
    view.fail(key, "a positive duration");
  return seconds;
}

double energy_wh(const ConfigView& view, std::string_view key) {
  const toml::node* node = toml_table(view).get(key);
  double joules = -1;
  if (node->is_number())
    joules = node->value<double>().value_or(-1) * 3600.0;
  else if (auto text = node->as_string())
    joules = units::parse_energy(text->get()).value_or(-1);
  if (!(joules > 0) || !std::isfinite(joules))
    view.fail(key, "a positive battery capacity in Wh (number) or with a unit (\"12.1Wh\", \"43kJ\")");
  return joules / 3600.0;
}

// An integer key that must fit an int and be >= `minimum`: a larger TOML integer would
// otherwise wrap around silently when narrowed.
// The message names the accepted range, so that a value past the top is not told
// "expected K >= 1".
int bounded_int(const ConfigView& view, std::string_view key, int minimum, std::string_view expected) {
  constexpr auto maximum = std::numeric_limits<int>::max();
  const auto value = view.get_int(key);
  if (value < minimum)
    view.fail(key, fmt::format("{} (got {})", expected, value));
  if (value > maximum)
    view.fail(key, fmt::format("{}, at most {} (got {})", expected, maximum, value));
  return static_cast<int>(value);
}

HostSettings parse_host_settings(const ConfigView& view, HostSettings base) {
  view.require_only({"buffer", "servers", "discipline", "station", "battery_wh", "pstate", "send_buffer"});
  if (view.has("buffer"))
    base.buffer = bounded_int(view, "buffer", 1, "K >= 1 (requests in system, including the one in service)");
  if (view.has("servers"))
    base.servers = bounded_int(view, "servers", 1, "at least 1 server");
  if (view.has("discipline")) {
    const std::string discipline = view.get_string("discipline");
    if (discipline == "fcfs")
      base.discipline = Discipline::Fcfs;
    else if (discipline == "ps")
      base.discipline = Discipline::ProcessorSharing;
    else
      view.fail("discipline", "\"fcfs\" or \"ps\" (processor sharing)");
  }
  if (view.has("station")) {
    const std::string station = view.get_string("station");
    if (station == "per-fragment")
      base.station = StationSharing::PerFragment;
    else if (station == "shared")
      base.station = StationSharing::Shared;
    else
      view.fail("station", "\"per-fragment\" (a station per fragment) or \"shared\" (one station per host)");
  }
  if (view.has("battery_wh"))
    base.battery_wh = energy_wh(view, "battery_wh");
  if (view.has("pstate"))
    base.pstate = bounded_int(view, "pstate", 0, "a pstate index >= 0");
  if (view.has("send_buffer"))
    base.send_buffer =
        bounded_int(view, "send_buffer", 0, "transfers the network interface holds at once, >= 1 (0 = unbounded)");
  return base;
}

/// `one of "a", "b", ...`: the names an entry of a registry kind may take.
template <typename Entry> std::string one_of_registered(const std::vector<Entry>& entries) {
  std::string names;
  for (const Entry& entry : entries)
    names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", entry.name);
  return "one of " + names;
}

// A run bounded by its duration alone must expect a number of arrivals it can finish:
// `rate = 1e308` or `duration = "1e300s"` would otherwise run (silently, under -q) for
// ever. `simulation.requests` bounds a run explicitly and lifts the limit.
void check_expected_arrivals(const Scenario& scenario, const toml::table& root, const std::string& file) {
  const SimulationSpec& sim = scenario.simulation;
  if (sim.requests > 0)
    return;
  double expected = 0;
  double heaviest = -1;
  std::size_t heaviest_tenant = 0;
  for (std::size_t t = 0; t < scenario.tenants.size(); ++t) {
    const double n = scenario.tenants[t].arrival.process->expected_arrivals(sim.duration);
    expected += n;
    if (n > heaviest) {
      heaviest = n;
      heaviest_tenant = t;
    }
  }
  if (expected <= kMaxExpectedArrivals)
    return;
  const ConfigView view = config_view(*root["simulation"].as_table(), file, "simulation");
  view.fail("duration", fmt::format("at most {:.0e} expected arrivals in a run bounded by its duration alone; the "
                                    "tenants' mean arrival rates x duration give {:.3g} (most from "
                                    "tenants.{}.arrival: {:.3g}). Shorten the duration, lower the rate, or set "
                                    "simulation.requests to bound the run",
                                    kMaxExpectedArrivals, expected, heaviest_tenant, heaviest));
}

// The process and the law come from the registry (built-ins and plugins); their
// factories check the rest of the table.
ArrivalSpec parse_arrival(const ConfigView& view, const std::string& base_dir) {
  ArrivalSpec spec;
  spec.name = view.get_string("process", spec.name);
  const Registry& registry = Registry::instance();
  const ArrivalProcessEntry* entry = registry.arrival_process(spec.name);
  if (entry == nullptr)
    view.fail("process", one_of_registered(registry.arrival_processes()));
  spec.process = entry->factory({.config = view, .base_dir = base_dir});
  if (spec.process == nullptr)
    view.fail("process", fmt::format("a process \"{}\" can build (its factory returned none)", spec.name));
  return spec;
}

WorkSpec parse_work(const ConfigView& view) {
  WorkSpec work;
  work.name = view.get_string("distribution", work.name);
  const Registry& registry = Registry::instance();
  const WorkLawEntry* entry = registry.work_law(work.name);
  if (entry == nullptr)
    view.fail("distribution", one_of_registered(registry.work_laws()));
  work.law = entry->factory({.config = view});
  if (work.law == nullptr)
    view.fail("distribution", fmt::format("a law \"{}\" can build (its factory returned none)", work.name));
  return work;
}

PolicySpec parse_policy(const ConfigView& parent, const std::string& file, const std::string& parent_path,
                        std::string_view key, std::string_view fallback_name) {
  PolicySpec spec;
  spec.path = join(parent_path, key);
  const toml::table* table = sub_table(parent, key, false);
  if (table == nullptr) {
    spec.name = std::string(fallback_name);
    spec.table = std::make_shared<const toml::table>();
    return spec;
  }
  const ConfigView view = config_view(*table, file, spec.path);
  spec.name = table->contains("policy") ? view.get_string("policy") : std::string(fallback_name);
  spec.table = std::make_shared<const toml::table>(*table);
  return spec;
}

// placement.replan_every is the engine's key, not the policy's: it is taken out of the
// table the policy sees (so policies need not allow it) and returned.
double take_replan_every(PolicySpec& placement, const std::string& file) {
  if (!placement.table->contains("replan_every"))
    return std::numeric_limits<double>::infinity();
  const ConfigView view = config_view(*placement.table, file, placement.path);
  const double every = positive_seconds(view, "replan_every");
  if (!std::isfinite(every))
    view.fail("replan_every", "a finite positive duration such as \"10s\"");
  auto table = std::make_shared<toml::table>(*placement.table);
  table->erase("replan_every");
  placement.table = std::move(table);
  return every;
}

// [[dynamics.shares]] name tenants of this scenario, need a multitenant policy to act,
// and give each (tenant, host) one profile. Host names are checked against the platform
// (check_platform_dynamics).
void check_share_dynamics(const Scenario& scenario) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const ShareDynamics& entry : scenario.dynamics.shares) {
    const bool known =
        std::ranges::any_of(scenario.tenants, [&](const TenantSpec& t) { return t.name == entry.tenant; });
    if (!known)
      throw InputError(fmt::format("{}: {}.tenant: expected the name of a [[tenants]] entry (no tenant named \"{}\")",
                                   scenario.file, entry.path, entry.tenant));
    if (scenario.multitenant == MultitenantPolicy::None)
      throw InputError(fmt::format("{}: {}: expected [multitenant] policy = \"cooperative\" or \"non-cooperative\": "
                                   "without one, CPU shares have no effect",
                                   scenario.file, entry.path));
    if (!seen.emplace(entry.tenant, entry.host).second)
      throw InputError(fmt::format("{}: {}: expected one share profile per tenant and host (tenant \"{}\" on {} has "
                                   "one already)",
                                   scenario.file, entry.path, entry.tenant,
                                   entry.host.empty() ? std::string("every host") : "host \"" + entry.host + "\""));
  }
}

} // namespace

Scenario load_scenario(const std::string& file, const std::vector<std::string>& overrides,
                       const std::string& base_dir) {
  if (!is_readable_regular_file(file))
    throw InputError(fmt::format("{}: cannot open scenario file", file));
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), file, overrides, base_dir);
}

Scenario parse_scenario(std::string_view text, const std::string& file, const std::vector<std::string>& overrides,
                        const std::string& base_dir) {
  Scenario scenario;
  scenario.file = file;
  scenario.base_dir = base_dir.empty() ? parent_directory(file) : base_dir;
  toml::table root = parse_toml_text(text, file);
  for (const auto& assignment : overrides)
    apply_override(root, assignment);
  {
    std::ostringstream formatted;
    formatted << toml::toml_formatter(root);
    scenario.text = formatted.str();
  }

  const ConfigView top = config_view(root, file, "");
  top.require_only({"simulation", "platform", "hosts", "tenants", "placement", "exits", "plugins", "multitenant",
                    "links", "dynamics"});

  // [simulation]
  if (const auto* sim_table = sub_table(top, "simulation", true)) {
    const ConfigView sim = config_view(*sim_table, file, "simulation");
    sim.require_only({"seed", "duration", "requests", "warmup", "sample_every", "network_model", "trace_requests"});
    auto& spec = scenario.simulation;
    if (sim.has("seed")) {
      auto seed = sim.get_int("seed");
      if (seed < 0)
        sim.fail("seed", "a non-negative integer");
      spec.seed = static_cast<std::uint64_t>(seed);
    }
    if (sim.has("duration")) {
      spec.duration = positive_seconds(sim, "duration");
      if (!std::isfinite(spec.duration))
        sim.fail("duration", "a finite duration (or requests = N to bound the run)");
    }
    if (sim.has("requests")) {
      auto n = sim.get_int("requests");
      if (n < 1)
        sim.fail("requests", "a positive number of requests per tenant");
      spec.requests = static_cast<std::uint64_t>(n);
    }
    if (!sim.has("duration") && !sim.has("requests"))
      sim.fail("duration", "a simulated duration (\"600s\") or requests = N to bound the run");
    spec.warmup = sim.get_seconds("warmup", 0.0);
    if (!(spec.warmup >= 0) || !std::isfinite(spec.warmup) || spec.warmup >= spec.duration)
      sim.fail("warmup", "a non-negative duration shorter than simulation.duration");
    if (sim.has("sample_every"))
      spec.sample_every = positive_seconds(sim, "sample_every");
    spec.network_model = sim.get_string("network_model", spec.network_model);
    static const std::set<std::string> models{"CM02", "LV08", "Constant", "SMPI"};
    if (!models.contains(spec.network_model))
      sim.fail("network_model", "one of CM02, LV08, Constant, SMPI (SimGrid network models)");
    if (sim.has("trace_requests")) {
      auto node = sim_table->get("trace_requests")->as_boolean();
      if (node == nullptr)
        sim.fail("trace_requests", "true or false");
      spec.trace_requests = node->get();
    }
  }

  // [platform]
  {
    const ConfigView platform = config_view(*sub_table(top, "platform", true), file, "platform");
    platform.require_only({"file"});
    const std::string name = platform.get_string("file");
    scenario.platform_file = resolve_input_path(name, scenario.base_dir);
    if (!is_readable_regular_file(scenario.platform_file))
      platform.fail("file", fmt::format("an existing platform file (cannot open \"{}\")", name));
  }

  // [hosts.*]
  if (const auto* hosts = sub_table(top, "hosts", false)) {
    const ConfigView hosts_view = config_view(*hosts, file, "hosts");
    if (const auto* defaults = sub_table(hosts_view, "default", false))
      scenario.default_host = parse_host_settings(config_view(*defaults, file, "hosts.default"), scenario.default_host);
    for (const auto& [name, node] : *hosts) {
      if (name.str() == "default")
        continue;
      const auto* table = sub_table(hosts_view, name.str(), true);
      scenario.host_overrides[std::string(name.str())] =
          parse_host_settings(config_view(*table, file, join("hosts", name.str())), scenario.default_host);
    }
  }

  // [links.*], [dynamics]
  scenario.dynamics = parse_platform_dynamics(sub_table(top, "links", false), sub_table(top, "dynamics", false), file);

  // [plugins]
  if (const auto* plugins = sub_table(top, "plugins", false)) {
    const ConfigView view = config_view(*plugins, file, "plugins");
    view.require_only({"load"});
    const auto* load = plugins->get("load") ? plugins->get("load")->as_array() : nullptr;
    if (load == nullptr)
      view.fail("load", "an array of shared library paths");
    for (const auto& entry : *load) {
      auto path = entry.value<std::string>();
      if (!path)
        view.fail("load", "an array of shared library paths (strings)");
      scenario.plugins.push_back(resolve_input_path(*path, scenario.base_dir));
    }
  }

  // [multitenant]
  if (const auto* multitenant = sub_table(top, "multitenant", false)) {
    const ConfigView view = config_view(*multitenant, file, "multitenant");
    view.require_only({"policy", "epoch", "tolerance"});
    const auto policy = view.get_string("policy");
    if (policy == "cooperative")
      scenario.multitenant = MultitenantPolicy::Cooperative;
    else if (policy == "non-cooperative")
      scenario.multitenant = MultitenantPolicy::NonCooperative;
    else if (policy != "none")
      view.fail("policy", "one of \"none\", \"cooperative\", \"non-cooperative\"");
    scenario.share_epoch = view.get_seconds("epoch", scenario.share_epoch);
    if (!(scenario.share_epoch > 0 && std::isfinite(scenario.share_epoch)))
      view.fail("epoch", "a positive duration such as \"1s\"");
    scenario.share_tolerance = view.get_double("tolerance", scenario.share_tolerance);
    if (!(scenario.share_tolerance >= 0 && scenario.share_tolerance < 1))
      view.fail("tolerance", "a share change in [0, 1) below which exit policies are not told");
  }

  // [[tenants]]
  const toml::node* tenants_node = root.get("tenants");
  const toml::array* tenants = tenants_node ? tenants_node->as_array() : nullptr;
  if (tenants == nullptr || tenants->empty() || !tenants->is_array_of_tables())
    top.fail("tenants", "at least one [[tenants]] table");
  if (tenants->size() > 65535)
    top.fail("tenants", "at most 65535 tenants");
  PolicySpec global_placement = parse_policy(top, file, "", "placement", "source-only");
  const double global_replan_every = take_replan_every(global_placement, file);
  const PolicySpec global_exits = parse_policy(top, file, "", "exits", "none");
  std::set<std::string> names;
  for (std::size_t i = 0; i < tenants->size(); ++i) {
    const std::string path = fmt::format("tenants.{}", i);
    const toml::table& table = *tenants->get(i)->as_table();
    const ConfigView view = config_view(table, file, path);
    view.require_only({"name", "model", "source", "input_bytes", "slo", "drop_late", "arrival", "work", "placement",
                       "exits", "share", "fragment_work"});
    TenantSpec tenant;
    tenant.name = view.get_string("name", fmt::format("tenant-{}", i));
    if (tenant.name.empty() || tenant.name == "all" || !names.insert(tenant.name).second)
      view.fail("name", "a unique tenant name other than \"all\"");
    const toml::node* model = table.get("model");
    if (model == nullptr)
      view.fail("model", "a model file path or an inline model table (missing)");
    if (auto model_file = model->as_string()) {
      auto resolved = resolve_input_path(model_file->get(), scenario.base_dir);
      if (!is_readable_regular_file(resolved))
        view.fail("model", fmt::format("an existing model file (cannot open \"{}\")", model_file->get()));
      tenant.model = load_model_file(resolved);
    } else if (const auto* inline_model = model->as_table()) {
      tenant.model = load_model_table(*inline_model, file, join(path, "model"), scenario.base_dir);
    } else {
      view.fail("model", "a model file path or an inline model table");
    }
    tenant.source = view.get_string("source");
    tenant.input_bytes = tenant.model.input_bytes;
    if (view.has("input_bytes")) {
      const toml::node* node = table.get("input_bytes");
      std::optional<double> bytes = node->is_number()   ? node->value<double>()
                                    : node->is_string() ? units::parse_bytes(node->as_string()->get())
                                                        : std::nullopt;
      if (!bytes || !(*bytes >= 0) || !std::isfinite(*bytes))
        view.fail("input_bytes", "a non-negative size in bytes (number or \"150kB\")");
      tenant.input_bytes = *bytes;
    }
    if (view.has("slo"))
      tenant.slo = positive_seconds(view, "slo");
    if (view.has("drop_late")) {
      const auto* flag = table.get("drop_late")->as_boolean();
      if (flag == nullptr)
        view.fail("drop_late", "true or false");
      tenant.drop_late = flag->get();
    }
    const toml::table* arrival = sub_table(view, "arrival", true);
    tenant.arrival = parse_arrival(config_view(*arrival, file, join(path, "arrival")), scenario.base_dir);
    // A law: a distribution name or a table { distribution = ..., stages = ... }.
    auto work_law = [&](const toml::node& node, const std::string& key) -> std::optional<WorkSpec> {
      if (auto name = node.as_string()) {
        toml::table holder;
        holder.insert("distribution", name->get());
        return parse_work(config_view(holder, file, join(path, key)));
      }
      if (const auto* work_table = node.as_table())
        return parse_work(config_view(*work_table, file, join(path, key)));
      return std::nullopt;
    };
    if (const toml::node* work = table.get("work")) {
      auto law = work_law(*work, "work");
      if (!law)
        view.fail("work", "a distribution name or a table { distribution = ..., stages = ... }");
      tenant.work = *law;
    } else {
      tenant.work = parse_work(config_view(toml::table{}, file, join(path, "work")));
    }
    if (const toml::node* laws = table.get("fragment_work")) {
      const auto* array = laws->as_array();
      if (array == nullptr || array->empty())
        view.fail("fragment_work", "a non-empty array of work laws, one per fragment of the placement");
      for (std::size_t f = 0; f < array->size(); ++f) {
        auto law = work_law(*array->get(f), fmt::format("fragment_work[{}]", f));
        if (!law)
          view.fail("fragment_work", "an array of distribution names or tables { distribution = ... }");
        tenant.fragment_work.push_back(*law);
      }
    }
    tenant.placement = table.contains("placement") ? parse_policy(view, file, path, "placement", global_placement.name)
                                                   : global_placement;
    tenant.replan_every = table.contains("placement") ? take_replan_every(tenant.placement, file) : global_replan_every;
    if (view.has("share")) {
      tenant.share = view.get_double("share");
      if (!(tenant.share > 0 && tenant.share <= 1))
        view.fail("share", "a CPU share in (0, 1]");
    }
    tenant.exits = table.contains("exits") ? parse_policy(view, file, path, "exits", global_exits.name) : global_exits;
    scenario.tenants.push_back(std::move(tenant));
  }
  check_expected_arrivals(scenario, root, file);
  check_share_dynamics(scenario);
  return scenario;
}

} // namespace edgesim
