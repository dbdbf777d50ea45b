#include "model/model_loader.hpp"
#include "config/toml_config.hpp"

#include <edgesim/config_view.hpp>
#include <edgesim/error.hpp>

#include "config/paths.hpp"
#include "config/toml_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace edgesim {
namespace {

double non_negative(const ConfigView& view, std::string_view key) {
  double v = view.get_double(key);
  if (v < 0)
    view.fail(key, "a non-negative number");
  return v;
}

double probability(const ConfigView& view, std::string_view key) {
  double v = view.get_double(key);
  if (!(v > 0 && v <= 1))
    view.fail(key, "an accuracy in (0, 1]");
  return v;
}

std::vector<ConfigView> array_of_tables(const ConfigView& view, std::string_view key) {
  return view.get_table_array(key, "an array of tables ([[" + std::string(key) + "]])");
}

std::size_t resolve_layer(const ConfigView& view, std::string_view key, const std::vector<Layer>& layers) {
  const toml::node* node = toml_table(view).get(key);
  if (node == nullptr)
    view.fail(key, "a layer name or index (missing)");
  if (auto index = node->as_integer()) {
    if (index->get() < 0 || static_cast<std::size_t>(index->get()) >= layers.size())
      view.fail(key, fmt::format("a layer index in 0..{}", layers.size() - 1));
    return static_cast<std::size_t>(index->get());
  }
  if (auto name = node->as_string()) {
    auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == name->get(); });
    if (it == layers.end())
      view.fail(key, fmt::format("the name of a layer of this model (no layer \"{}\")", name->get()));
    return static_cast<std::size_t>(it - layers.begin());
  }
  view.fail(key, "a layer name or index");
}

// [semantic]: per-k arrays (k = 1..n) of accuracy penalties and branch shares.
SemanticSplitSpec load_semantic_split(const ConfigView& parent, const std::string& file, const std::string& path,
                                      const ModelProfile& model) {
  const auto* table = toml_table(parent).get("semantic")->as_table();
  if (table == nullptr)
    parent.fail("semantic", "a table ([semantic] accuracy_penalty = [0.0, 0.01, ...])");
  const ConfigView view = config_view(*table, file, path.empty() ? "semantic" : path + ".semantic");
  view.require_only({"accuracy_penalty", "flops_fraction", "param_fraction", "merge_flops", "merge_bytes"});
  SemanticSplitSpec spec;
  spec.accuracy_penalty = view.get_double_array("accuracy_penalty");
  if (spec.accuracy_penalty.empty() || spec.accuracy_penalty.front() != 0.0)
    view.fail("accuracy_penalty", "one penalty per number of branches k = 1, 2, ..., starting with 0 for k = 1");
  for (double p : spec.accuracy_penalty)
    if (!(p >= 0 && p <= model.final_accuracy))
      view.fail("accuracy_penalty", fmt::format("penalties in [0, {}] (the final accuracy)", model.final_accuracy));
  const auto shares = [&](std::string_view key) {
    if (!view.has(key))
      return std::vector<double>{};
    auto values = view.get_double_array(key);
    if (values.size() != spec.accuracy_penalty.size())
      view.fail(key, fmt::format("{} fractions, one per k as in accuracy_penalty", spec.accuracy_penalty.size()));
    for (double v : values)
      if (!(v > 0 && v <= 1))
        view.fail(key, "fractions in (0, 1]");
    return values;
  };
  spec.flops_fraction = shares("flops_fraction");
  spec.param_fraction = shares("param_fraction");
  spec.merge_flops = view.has("merge_flops") ? non_negative(view, "merge_flops") : 0.0;
  spec.merge_bytes = view.has("merge_bytes") ? non_negative(view, "merge_bytes") : model.layers.back().out_bytes;
  return spec;
}

const std::set<std::string, std::less<>> kLayerTypes{"conv", "depthwise", "fc",    "pool",
                                                     "norm", "act",       "block", "other"};

std::string sub_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

std::string layer_view_path(const std::string& path, std::string_view array, std::size_t index) {
  return sub_path(path, fmt::format("{}.{}", array, index));
}

std::string classes_path(const std::string& path) {
  return sub_path(path, "measurement");
}

// Every class with a measured latency needs its [measurement.<class>] reference.
void check_measured_classes(const ModelProfile& model, const ConfigView& view) {
  const auto check = [&](const MeasuredLatency& latency, std::string_view what) {
    for (const auto& [device_class, seconds] : latency)
      if (!model.measurements.contains(device_class))
        view.fail("measurement",
                  fmt::format("a [measurement.{}] table (pstate, threads) for the latency of {} measured on \"{}\"",
                              device_class, what, device_class));
  };
  for (const Layer& layer : model.layers)
    check(layer.latency, fmt::format("layer \"{}\"", layer.name));
  for (std::size_t e = 0; e < model.exits.size(); ++e)
    check(model.exits[e].latency, fmt::format("exit {}", e));
}

// `latency = { rpi4b = "4.1ms", ... }`: measured seconds per device class.
MeasuredLatency load_latency(const ConfigView& parent, const std::string& file, const std::string& path) {
  const auto* table = toml_table(parent).get("latency")->as_table();
  if (table == nullptr)
    parent.fail("latency", "a table of device_class = measured latency (latency = { rpi4b = \"4.1ms\" })");
  const ConfigView view = config_view(*table, file, sub_path(path, "latency"));
  MeasuredLatency latency;
  for (const auto& [key, node] : *table) {
    const double seconds = view.get_seconds(key.str());
    if (!(seconds >= 0 && std::isfinite(seconds)))
      view.fail(key.str(), "a finite, non-negative latency");
    latency.emplace(std::string(key.str()), seconds);
  }
  return latency;
}

// [measurement.<class>]: the reference point of the class's measured latencies.
LatencyMeasurement load_measurement(const ConfigView& view) {
  view.require_only({"pstate", "threads", "scaling", "model_latency", "source"});
  LatencyMeasurement m;
  const std::int64_t pstate = view.get_int("pstate", 0);
  if (pstate < 0 || pstate > 1000)
    view.fail("pstate", "a pstate index in 0..1000");
  m.pstate = static_cast<int>(pstate);
  const std::int64_t threads = view.get_int("threads");
  if (threads < 1 || threads > 4096)
    view.fail("threads", "the thread count of the measurement, in 1..4096");
  m.threads = static_cast<int>(threads);
  if (view.has("scaling")) {
    const auto* points = toml_table(view).get("scaling")->as_array();
    const char* expected = "an array of [threads, speed-up] pairs, threads strictly increasing from >= 1, "
                           "speed-ups positive, one pair at the measurement's thread count";
    if (points == nullptr || points->empty())
      view.fail("scaling", expected);
    bool has_reference = false;
    for (const auto& point : *points) {
      const auto* pair = point.as_array();
      if (pair == nullptr || pair->size() != 2 || !pair->get(0)->is_integer() || !pair->get(1)->is_number())
        view.fail("scaling", expected);
      const std::int64_t n = pair->get(0)->as_integer()->get();
      const double speedup = pair->get(1)->value<double>().value_or(NAN);
      if (n < 1 || n > 4096 || !(speedup > 0 && std::isfinite(speedup)) ||
          (!m.scaling.empty() && n <= m.scaling.back().first))
        view.fail("scaling", expected);
      m.scaling.emplace_back(static_cast<int>(n), speedup);
      has_reference = has_reference || n == threads;
    }
    if (!has_reference)
      view.fail("scaling", expected);
  }
  if (view.has("model_latency")) {
    m.model_latency = view.get_seconds("model_latency");
    if (!(m.model_latency > 0 && std::isfinite(m.model_latency)))
      view.fail("model_latency", "a positive, finite latency");
  }
  m.source = view.get_string("source", "");
  return m;
}

} // namespace

ModelProfile load_model_table(const toml::table& table, const std::string& file, const std::string& path,
                              const std::string& base_dir) {
  const ConfigView view = config_view(table, file, path);
  view.require_only(
      {"name", "input_bytes", "layers", "exits", "final", "confidence", "efficiency", "semantic", "measurement"});
  ModelProfile model;
  model.source_file = file;
  model.name = view.get_string("name");
  model.input_bytes = non_negative(view, "input_bytes");

  const std::vector<ConfigView> layers = array_of_tables(view, "layers");
  if (layers.empty())
    view.fail("layers", "at least one layer");
  std::set<std::string> names;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const ConfigView& layer_view = layers[i];
    layer_view.require_only({"name", "type", "flops", "out_bytes", "param_bytes", "latency"});
    Layer layer;
    layer.name = layer_view.get_string("name");
    if (!names.insert(layer.name).second)
      layer_view.fail("name", fmt::format("a unique layer name (\"{}\" appears twice)", layer.name));
    layer.flops = non_negative(layer_view, "flops");
    layer.out_bytes = non_negative(layer_view, "out_bytes");
    layer.param_bytes = layer_view.has("param_bytes") ? non_negative(layer_view, "param_bytes") : 0.0;
    layer.type = layer_view.get_string("type", "other");
    if (!kLayerTypes.contains(layer.type))
      layer_view.fail("type", "a layer type: conv, depthwise, fc, pool, norm, act, block or other");
    if (layer_view.has("latency"))
      layer.latency = load_latency(layer_view, file, layer_view_path(path, "layers", i));
    model.layers.push_back(std::move(layer));
  }

  if (view.has("exits")) {
    const std::vector<ConfigView> exits = array_of_tables(view, "exits");
    for (std::size_t i = 0; i < exits.size(); ++i) {
      const ConfigView& exit_view = exits[i];
      exit_view.require_only({"after", "flops", "accuracy", "latency"});
      ExitSpec exit;
      exit.after_layer = resolve_layer(exit_view, "after", model.layers);
      if (exit.after_layer + 1 >= model.layers.size())
        exit_view.fail("after", "a layer before the last one (the final classifier is [final])");
      if (!model.exits.empty() && exit.after_layer <= model.exits.back().after_layer)
        exit_view.fail("after", "exits in execution order, each after a later layer than the previous one");
      exit.flops = non_negative(exit_view, "flops");
      exit.accuracy = probability(exit_view, "accuracy");
      if (exit_view.has("latency"))
        exit.latency = load_latency(exit_view, file, layer_view_path(path, "exits", i));
      model.exits.push_back(exit);
    }
  }

  if (!view.has("final") || toml_table(view).get("final")->as_table() == nullptr)
    view.fail("final", "a table with the final classifier's accuracy ([final] accuracy = ...)");
  const ConfigView final_view =
      config_view(*toml_table(view).get("final")->as_table(), file, path.empty() ? "final" : path + ".final");
  final_view.require_only({"accuracy"});
  model.final_accuracy = probability(final_view, "accuracy");

  if (view.has("semantic"))
    model.semantic = load_semantic_split(view, file, path, model);

  if (view.has("efficiency")) {
    const auto* eff = toml_table(view).get("efficiency")->as_table();
    if (eff == nullptr)
      view.fail("efficiency", "a table of device_class = factor");
    const ConfigView eff_view = config_view(*eff, file, path.empty() ? "efficiency" : path + ".efficiency");
    for (const auto& [key, node] : *eff) {
      double factor = eff_view.get_double(key.str());
      if (!(factor > 0))
        eff_view.fail(key.str(), "a positive efficiency factor");
      model.efficiency[std::string(key.str())] = factor;
    }
  }

  if (view.has("measurement")) {
    const auto* per_class = toml_table(view).get("measurement")->as_table();
    if (per_class == nullptr)
      view.fail("measurement", "a table of tables ([measurement.<device_class>] threads = N, ...)");
    const ConfigView classes = config_view(*per_class, file, classes_path(path));
    for (const auto& [key, node] : *per_class) {
      const auto* m = node.as_table();
      if (m == nullptr)
        classes.fail(key.str(), "a table ([measurement.<device_class>] threads = N, ...)");
      model.measurements.emplace(std::string(key.str()),
                                 load_measurement(config_view(*m, file, sub_path(classes_path(path), key.str()))));
    }
  }
  check_measured_classes(model, view);

  if (view.has("confidence")) {
    const auto* conf = toml_table(view).get("confidence")->as_table();
    if (conf == nullptr)
      view.fail("confidence", "a table ([confidence] source = \"synthetic\" or trace = \"file.csv\")");
    const ConfigView conf_view = config_view(*conf, file, path.empty() ? "confidence" : path + ".confidence");
    conf_view.require_only({"source", "trace", "difficulty_correlation", "confidence_noise"});
    if (conf_view.has("trace")) {
      auto trace_file = resolve_input_path(conf_view.get_string("trace"), base_dir);
      model.trace = load_exit_trace(trace_file, model.exits.size());
    } else {
      auto source = conf_view.get_string("source", "synthetic");
      if (source != "synthetic")
        conf_view.fail("source", "\"synthetic\" (or give trace = \"file.csv\")");
    }
    model.difficulty_correlation = conf_view.get_double("difficulty_correlation", model.difficulty_correlation);
    if (!(model.difficulty_correlation >= 0 && model.difficulty_correlation < 1))
      conf_view.fail("difficulty_correlation", "a correlation in [0, 1)");
    model.confidence_noise = conf_view.get_double("confidence_noise", model.confidence_noise);
    if (!(model.confidence_noise > 0))
      conf_view.fail("confidence_noise", "a positive number");
  }
  return model;
}

ModelProfile load_model_file(const std::string& file) {
  if (!is_readable_regular_file(file))
    throw InputError(fmt::format("{}: cannot open model file", file));
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_model(text.str(), file);
}

ModelProfile parse_model(std::string_view text, const std::string& file) {
  const toml::table table = parse_toml_text(text, file);
  return load_model_table(table, file, "", parent_directory(file));
}

std::vector<ExitTraceRow> load_exit_trace(const std::string& file, std::size_t num_exits) {
  std::ifstream in;
  if (is_readable_regular_file(file))
    in.open(file, std::ios::binary);
  if (!in.is_open())
    throw InputError(fmt::format("{}: cannot open exit trace", file));
  return parse_exit_trace(in, file, num_exits);
}

std::vector<ExitTraceRow> parse_exit_trace(std::istream& in, const std::string& file, std::size_t num_exits) {
  std::string line;
  std::size_t line_no = 0;
  std::vector<ExitTraceRow> rows;
  std::map<std::uint64_t, std::size_t> first_line; // of each sample, for messages
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty() || line.front() == '#')
      continue;
    if (!header_seen) {
      header_seen = true;
      if (line != "sample,exit,confidence,correct")
        throw InputError(fmt::format("{}:{}: expected the header sample,exit,confidence,correct", file, line_no));
      continue;
    }
    std::array<std::string_view, 4> fields{};
    std::string_view rest(line);
    for (std::size_t f = 0; f < 4; ++f) {
      auto comma = rest.find(',');
      if ((comma == std::string_view::npos) != (f == 3))
        throw InputError(fmt::format("{}:{}: expected 4 comma-separated fields", file, line_no));
      fields[f] = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    auto parse = [&](std::string_view text, auto& out, const char* what) {
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
      if (ec != std::errc{} || ptr != text.data() + text.size())
        throw InputError(fmt::format("{}:{}: expected {} but found \"{}\"", file, line_no, what, text));
    };
    ExitTraceRow row;
    int correct = 0;
    parse(fields[0], row.sample, "a sample id (non-negative integer)");
    parse(fields[1], row.exit, "an exit index (integer)");
    parse(fields[2], row.confidence, "a confidence (number)");
    parse(fields[3], correct, "correct as 0 or 1");
    if (row.exit < 0 || static_cast<std::size_t>(row.exit) > num_exits)
      throw InputError(fmt::format("{}:{}: exit {} out of range 0..{}", file, line_no, row.exit, num_exits));
    if (!(row.confidence >= 0 && row.confidence <= 1))
      throw InputError(fmt::format("{}:{}: confidence must be in [0, 1]", file, line_no));
    if (correct != 0 && correct != 1)
      throw InputError(fmt::format("{}:{}: correct must be 0 or 1", file, line_no));
    row.correct = correct == 1;
    first_line.emplace(row.sample, line_no);
    rows.push_back(row);
  }
  if (rows.empty())
    throw InputError(fmt::format("{}: exit trace has no rows", file));
  // Canonical order: by sample then exit; every sample must have every exit once.
  std::sort(rows.begin(), rows.end(), [](const ExitTraceRow& a, const ExitTraceRow& b) {
    return std::tie(a.sample, a.exit) < std::tie(b.sample, b.exit);
  });
  for (std::size_t i = 0; i < rows.size();) {
    const std::uint64_t sample = rows[i].sample;
    std::size_t end = i;
    while (end < rows.size() && rows[end].sample == sample)
      ++end;
    for (std::size_t e = 0; e <= num_exits; ++e) {
      const std::size_t n = static_cast<std::size_t>(
          std::count_if(rows.begin() + static_cast<std::ptrdiff_t>(i), rows.begin() + static_cast<std::ptrdiff_t>(end),
                        [&](const ExitTraceRow& r) { return r.exit == static_cast<int>(e); }));
      if (n != 1)
        throw InputError(fmt::format("{}:{}: sample {} must have exactly one row for each exit 0..{} ({} for exit {})",
                                     file, first_line[sample], sample, num_exits, n == 0 ? "no row" : "several rows",
                                     e));
    }
    i = end;
  }
  return rows;
}

} // namespace edgesim
