#include "dataset/dataset_spec.hpp"
#include "config/toml_config.hpp"

#include <edgesim/config_view.hpp>
#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>

#include "config/paths.hpp"
#include "config/toml_text.hpp"
#include "config/units.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include <toml++/toml.h>

namespace edgesim::dataset {
namespace {

using Parser = std::optional<double> (*)(std::string_view);

/// A value of a range: a number, or (with a unit parser) a string such as "10Mbps".
std::optional<double> range_value(const toml::node& node, Parser parse) {
  if (node.is_number())
    return node.value<double>();
  if (const auto* text = node.as_string(); text != nullptr && parse != nullptr)
    return parse(text->get());
  return std::nullopt;
}

/// `key = x` or `key = [lo, hi]` with lo <= hi, both >= `minimum` (> when `strict`).
RealRange read_range(const ConfigView& view, std::string_view key, RealRange fallback, double minimum, bool strict,
                     std::string_view what, Parser parse = nullptr) {
  if (!view.has(key))
    return fallback;
  const toml::node& node = *toml_table(view).get(key);
  const std::string expected =
      fmt::format("{} or a range [low, high] of them{}", what, strict ? fmt::format(" (> {:g})", minimum) : "");
  std::optional<double> lo;
  std::optional<double> hi;
  if (const auto* array = node.as_array()) {
    if (array->size() != 2)
      view.fail(key, expected);
    lo = range_value(*array->get(0), parse);
    hi = range_value(*array->get(1), parse);
  } else {
    lo = hi = range_value(node, parse);
  }
  if (!lo || !hi || !std::isfinite(*lo) || !std::isfinite(*hi) || *lo > *hi ||
      (strict ? *lo <= minimum : *lo < minimum))
    view.fail(key, expected);
  return RealRange{*lo, *hi, fallback.log_scale};
}

IntRange read_int_range(const ConfigView& view, std::string_view key, IntRange fallback, int minimum, int maximum,
                        std::string_view what) {
  if (!view.has(key))
    return fallback;
  const toml::node& node = *toml_table(view).get(key);
  const std::string expected =
      fmt::format("{} (an integer in {}..{}) or a range [low, high] of them", what, minimum, maximum);
  std::optional<std::int64_t> lo;
  std::optional<std::int64_t> hi;
  if (const auto* array = node.as_array()) {
    if (array->size() != 2)
      view.fail(key, expected);
    lo = array->get(0)->value<std::int64_t>();
    hi = array->get(1)->value<std::int64_t>();
    if (!array->get(0)->is_integer() || !array->get(1)->is_integer())
      lo.reset();
  } else if (node.is_integer()) {
    lo = hi = node.value<std::int64_t>();
  }
  if (!lo || !hi || *lo > *hi || *lo < minimum || *hi > maximum)
    view.fail(key, expected);
  return IntRange{static_cast<int>(*lo), static_cast<int>(*hi)};
}

/// `key = "x"` or `key = ["x", "y"]`, each one of `allowed` when that is not empty.
std::vector<std::string> read_names(const ConfigView& view, std::string_view key, std::vector<std::string> fallback,
                                    const std::vector<std::string>& allowed, std::string_view what) {
  if (!view.has(key))
    return fallback;
  std::string expected(what);
  if (!allowed.empty()) {
    expected += " (one of:";
    for (const auto& name : allowed)
      expected += " " + name;
    expected += ")";
  }
  const toml::node& node = *toml_table(view).get(key);
  std::vector<std::string> names;
  if (const auto* text = node.as_string()) {
    names.push_back(text->get());
  } else if (const auto* array = node.as_array(); array != nullptr && !array->empty()) {
    for (const auto& element : *array) {
      const auto* item = element.as_string();
      if (item == nullptr)
        view.fail(key, fmt::format("a string or a non-empty array of strings: {}", expected));
      names.push_back(item->get());
    }
  } else {
    view.fail(key, fmt::format("a string or a non-empty array of strings: {}", expected));
  }
  for (const auto& name : names)
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      view.fail(key, fmt::format("{}, found \"{}\"", expected, name));
  return names;
}

bool read_flag(const ConfigView& view, std::string_view key, bool fallback) {
  if (!view.has(key))
    return fallback;
  const auto* flag = toml_table(view).get(key)->as_boolean();
  if (flag == nullptr)
    view.fail(key, "true or false");
  return flag->get();
}

const toml::table& sub_table(const toml::table& top, const ConfigView& view, std::string_view key) {
  static const toml::table empty;
  const toml::node* node = top.get(key);
  if (node == nullptr)
    return empty;
  if (const auto* table = node->as_table())
    return *table;
  view.fail(key, "a table");
}

template <typename Entry> std::vector<std::string> names_of(const std::vector<Entry>& entries) {
  std::vector<std::string> names;
  names.reserve(entries.size());
  for (const Entry& entry : entries)
    names.push_back(entry.name);
  return names;
}

/// chains.work: registered laws, each written to a sample's scenario by name alone, so
/// one that needs parameters (erlang's stages) cannot be drawn. Its scv is a feature.
void read_work_laws(const ConfigView& chains, DatasetSpec& spec) {
  const Registry& registry = Registry::instance();
  spec.work = read_names(chains, "work", spec.work, names_of(registry.work_laws()), "work distributions");
  for (const std::string& name : spec.work) {
    toml::table by_name;
    by_name.insert("distribution", name);
    std::unique_ptr<WorkLaw> law;
    try {
      law = registry.work_law(name)->factory({.config = config_view(by_name, chains.file(), chains.path() + ".work")});
    } catch (const InputError&) {
      law = nullptr;
    }
    if (law == nullptr)
      chains.fail("work", fmt::format("work distributions given by name alone; \"{}\" needs parameters, which the "
                                      "dataset generator does not draw",
                                      name));
    spec.work_scv[name] = law->scv();
  }
}

/// chains.exits: registered policies the generator can draw parameters for.
void read_exit_policies(const ConfigView& chains, DatasetSpec& spec) {
  spec.exit_policies =
      read_names(chains, "exits", spec.exit_policies, names_of(Registry::instance().exit_policies()), "exit policies");
  for (const std::string& name : spec.exit_policies)
    if (std::find(kSampleExitPolicies.begin(), kSampleExitPolicies.end(), name) == kSampleExitPolicies.end())
      chains.fail("exits", fmt::format("exit policies the dataset generator draws parameters for (one of: {}); \"{}\" "
                                       "is registered, but the generator cannot draw its parameters",
                                       fmt::join(kSampleExitPolicies, " "), name));
}

} // namespace

DatasetSpec load_dataset_spec(const std::string& file) {
  DatasetSpec spec;
  spec.file = file;
  {
    std::ifstream in(file);
    if (!in || std::filesystem::is_directory(file))
      throw InputError(fmt::format("{}: cannot open dataset spec", file));
    std::ostringstream text;
    text << in.rdbuf();
    spec.text = text.str();
  }
  spec.base_dir = parent_directory(file);
  const toml::table top = parse_toml_text(spec.text, file);
  const ConfigView root = config_view(top, file, "");
  root.require_only({"dataset", "devices", "links", "chains", "simulation"});

  const ConfigView dataset = config_view(sub_table(top, root, "dataset"), file, "dataset");
  dataset.require_only({"seed", "name"});
  const auto seed = dataset.get_int("seed", 1);
  if (seed < 0)
    dataset.fail("seed", "an integer >= 0");
  spec.seed = static_cast<std::uint64_t>(seed);

  const ConfigView devices = config_view(sub_table(top, root, "devices"), file, "devices");
  devices.require_only({"library", "kinds", "count", "buffer", "station", "discipline", "all_used"});
  const std::string library = devices.get_string("library", "platforms/devices.xml");
  spec.library_file = resolve_input_path(library, spec.base_dir);
  if (!std::filesystem::is_regular_file(spec.library_file))
    devices.fail("library", fmt::format("a SimGrid platform file (device library), \"{}\" does not exist", library));
  spec.kinds = read_names(devices, "kinds", {}, {}, "host ids of the device library");
  spec.device_count = read_int_range(devices, "count", spec.device_count, 1, 256, "a number of devices");
  spec.buffer = read_int_range(devices, "buffer", spec.buffer, 1, 100000, "a buffer size K");
  spec.stations = read_names(devices, "station", spec.stations, {"per-fragment", "shared"}, "station models");
  spec.disciplines = read_names(devices, "discipline", spec.disciplines, {"fcfs", "ps"}, "station disciplines");
  spec.all_used = read_flag(devices, "all_used", spec.all_used);

  const ConfigView links = config_view(sub_table(top, root, "links"), file, "links");
  links.require_only({"topology", "bandwidth", "latency"});
  const std::string topology = links.get_string("topology", "star");
  if (topology == "star")
    spec.topology = Topology::Star;
  else if (topology == "mesh")
    spec.topology = Topology::Mesh;
  else
    links.fail("topology", "\"star\" (one access link per device) or \"mesh\" (one link per pair of devices)");
  spec.bandwidth = read_range(links, "bandwidth", spec.bandwidth, 0, true, "a bandwidth such as \"100Mbps\"",
                              &units::parse_bandwidth);
  spec.latency =
      read_range(links, "latency", spec.latency, 0, false, "a latency such as \"1ms\"", &units::parse_seconds);

  const ConfigView chains = config_view(sub_table(top, root, "chains"), file, "chains");
  chains.require_only({"count", "models", "fragments", "placement", "arrival_rate", "load", "work", "exits",
                       "thresholds", "distinct_devices"});
  spec.chain_count = read_int_range(chains, "count", spec.chain_count, 1, 64, "a number of chains");
  spec.models = read_names(chains, "models", {}, {}, "model files");
  if (spec.models.empty())
    chains.fail("models", "a model file or an array of model files (missing)");
  for (auto& model : spec.models) {
    const std::string resolved = resolve_input_path(model, spec.base_dir);
    if (!std::filesystem::is_regular_file(resolved))
      chains.fail("models", fmt::format("model files, \"{}\" does not exist", model));
    model = resolved;
  }
  spec.fragments = read_int_range(chains, "fragments", spec.fragments, 1, 1000, "a number of fragments per chain");
  std::vector<std::string> placements{"random"};
  for (const auto& entry : Registry::instance().placement_policies())
    if (entry.name != "manual")
      placements.push_back(entry.name);
  spec.placements = read_names(chains, "placement", spec.placements, placements, "placements");
  if (chains.has("arrival_rate") && chains.has("load"))
    chains.fail("load", "either arrival_rate or load, not both");
  if (chains.has("arrival_rate")) {
    spec.rate_mode = RateMode::Rate;
    spec.arrival = read_range(chains, "arrival_rate", spec.arrival, 0, true, "an arrival rate (requests/s)");
  } else {
    spec.arrival = read_range(chains, "load", spec.arrival, 0, true,
                              "a load (arrival rate x service time of the slowest fragment)");
  }
  read_work_laws(chains, spec);
  read_exit_policies(chains, spec);
  spec.threshold = read_range(chains, "thresholds", spec.threshold, 0, false, "a confidence threshold");
  spec.distinct_devices = read_flag(chains, "distinct_devices", spec.distinct_devices);
  if (spec.threshold.hi > 1)
    chains.fail("thresholds", "confidence thresholds in [0, 1]");

  const ConfigView simulation = config_view(sub_table(top, root, "simulation"), file, "simulation");
  simulation.require_only({"requests", "warmup", "network_model"});
  const auto requests = simulation.get_int("requests", 1000);
  if (requests < 10)
    simulation.fail("requests", "at least 10 arrivals per chain");
  spec.requests = static_cast<std::uint64_t>(requests);
  spec.warmup_fraction = simulation.get_double("warmup", spec.warmup_fraction);
  if (!(spec.warmup_fraction >= 0 && spec.warmup_fraction < 1))
    simulation.fail("warmup", "a fraction of the simulated duration in [0, 1)");
  spec.network_model = simulation.get_string("network_model", spec.network_model);
  if (spec.network_model != "CM02" && spec.network_model != "LV08" && spec.network_model != "Constant")
    simulation.fail("network_model", "one of CM02, LV08, Constant");
  return spec;
}

} // namespace edgesim::dataset
