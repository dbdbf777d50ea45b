#include "dataset/sample_generator.hpp"
#include "config/toml_config.hpp"

#include <edgesim/config_view.hpp>
#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>
#include <edgesim/random.hpp>

#include "core/deployment.hpp"
#include "model/model_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <set>
#include <sstream>

namespace edgesim::dataset {
namespace {

constexpr int kMaxAttempts = 200; // redraws of a sample whose placement does not fit in RAM
constexpr double kMaxLinkUtilization = 0.8;

int draw_int(Rng& rng, IntRange range) {
  // The span in 64 bits: hi - lo + 1 overflows int for the widest ranges.
  const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(range.hi) - range.lo + 1);
  return range.lo + static_cast<int>(rng.below(span));
}

double draw_real(Rng& rng, RealRange range) {
  const double u = rng.uniform();
  if (range.log_scale && range.lo > 0)
    return std::exp(std::log(range.lo) + u * (std::log(range.hi) - std::log(range.lo)));
  return range.lo + u * (range.hi - range.lo);
}

template <class T> const T& pick(Rng& rng, const std::vector<T>& values) {
  return values[rng.below(values.size())];
}

/// pick(), but without drawing when there is one value: a spec that offers no choice
/// draws the same numbers as before the option existed.
template <class T> const T& pick_if_choice(Rng& rng, const std::vector<T>& values) {
  return values.size() == 1 ? values.front() : pick(rng, values);
}

/// F contiguous layer ranges covering `layers` layers, cut at distinct random points.
std::vector<std::pair<std::size_t, std::size_t>> random_cuts(Rng& rng, std::size_t layers, std::size_t count) {
  count = std::clamp<std::size_t>(count, 1, layers);
  std::vector<std::size_t> gaps(layers - 1); // cut before layer g + 1
  std::iota(gaps.begin(), gaps.end(), 1);
  for (std::size_t i = 0; i + 1 < count; ++i)
    std::swap(gaps[i], gaps[i + rng.below(gaps.size() - i)]);
  std::vector<std::size_t> cuts(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(count - 1));
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::size_t first = 0;
  for (std::size_t cut : cuts) {
    ranges.emplace_back(first, cut - 1);
    first = cut;
  }
  ranges.emplace_back(first, layers - 1);
  return ranges;
}

std::string number(double v) {
  return fmt::format("{:.17g}", v);
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// Fills the derived features of a chain's fragments (flops, bytes, exit and reach
/// probabilities, mean service time) from its model, policy and placement.
void describe_fragments(Sample& sample, const ChainNode& chain, const DatasetModel& model,
                        const std::vector<DeviceKind>& library) {
  const ModelProfile& profile = model.profile;
  const bool by_probability = chain.exit_policy == "probabilities";
  const bool evaluates = chain.exit_policy != "none";
  double survive = 1; // unconditional probability of still running
  for (std::size_t f = chain.first_fragment; f < chain.first_fragment + chain.fragments; ++f) {
    FragmentNode& fragment = sample.fragments[f];
    const DeviceKind& kind = library[sample.devices[fragment.device].kind];
    fragment.reach_prob = survive;
    fragment.bytes_in =
        fragment.first_layer == 0 ? chain.input_bytes : profile.layers[fragment.first_layer - 1].out_bytes;
    fragment.bytes_out = profile.layers[fragment.last_layer].out_bytes;
    // Per request reaching the fragment, unconditional weights: flops of the layers the
    // FLOPs model costs, seconds of those with a measured latency on the kind's class.
    double expected_flops = 0;
    double expected_measured = 0;
    const LatencyMeasurement* measurement = profile.measurement_on(kind.device_class);
    const auto add = [&](double weight, double flops, std::optional<double> latency) {
      if (latency && measurement != nullptr)
        expected_measured +=
            weight * measured_work_per_thread(*measurement, *latency, kind.pstate_speeds, std::max(1, kind.cores)) /
            kind.pstate_speeds.at(0);
      else
        expected_flops += weight * flops;
    };
    for (std::size_t l = fragment.first_layer; l <= fragment.last_layer; ++l) {
      fragment.flops += profile.layers[l].flops;
      fragment.param_bytes += profile.layers[l].param_bytes;
      add(survive, profile.layers[l].flops, profile.measured_layer_latency(l, kind.device_class));
      for (std::size_t e = 0; e < profile.exits.size(); ++e) {
        if (profile.exits[e].after_layer != l)
          continue;
        fragment.exits += 1;
        fragment.exit_flops += profile.exits[e].flops;
        if (evaluates)
          add(survive, profile.exits[e].flops, profile.measured_exit_latency(e, kind.device_class));
        if (by_probability)
          survive -= chain.exit_parameters[e];
      }
    }
    survive = std::max(survive, 0.0);
    fragment.exit_prob = fragment.reach_prob > 0 ? 1 - survive / fragment.reach_prob : 0;
    const double speed = kind.pstate_speeds.at(0) * std::max(1, kind.cores) * profile.efficiency_on(kind.device_class);
    fragment.service_time = fragment.reach_prob > 0
                                ? expected_flops / fragment.reach_prob / speed + expected_measured / fragment.reach_prob
                                : 0;
  }
}

/// Places a chain's fragments (random cut and devices, or a placement policy) within the
/// RAM left on each device; false when they do not fit.
bool place_chain(Rng& rng, Sample& sample, ChainNode& chain, std::size_t chain_index, const DatasetModel& model,
                 const DatasetSpec& spec, const std::vector<DeviceKind>& library, std::vector<double>& ram_left,
                 std::vector<bool>& used) {
  const ModelProfile& profile = model.profile;
  std::vector<Fragment> fragments;
  if (chain.placement == "random") {
    const auto count = static_cast<std::size_t>(draw_int(rng, spec.fragments));
    std::vector<bool> in_chain(sample.devices.size(), false);
    for (const auto& [first, last] : random_cuts(rng, profile.layers.size(), count)) {
      Fragment fragment{.first_layer = first, .last_layer = last, .host = {}};
      const double need = fragment_memory_bytes(profile, fragment);
      std::vector<std::size_t> fits;
      std::vector<std::size_t> unused_fits; // with all_used: devices still without a fragment first
      for (std::size_t d = 0; d < sample.devices.size(); ++d)
        if (ram_left[d] >= need && !(spec.distinct_devices && in_chain[d])) {
          fits.push_back(d);
          if (!used[d])
            unused_fits.push_back(d);
        }
      if (fits.empty())
        return false;
      const std::size_t device = pick(rng, spec.all_used && !unused_fits.empty() ? unused_fits : fits);
      in_chain[device] = true;
      used[device] = true;
      fragment.host = sample.devices[device].name;
      fragments.push_back(std::move(fragment));
    }
    if (spec.distinct_devices) // born on its first device: no input transfer, as in ChainNet
      for (std::size_t d = 0; d < sample.devices.size(); ++d)
        if (sample.devices[d].name == fragments.front().host)
          chain.source = d;
  } else {
    std::vector<HostInfo> hosts;
    for (const DeviceNode& device : sample.devices) {
      const DeviceKind& kind = library[device.kind];
      hosts.push_back(HostInfo{.name = device.name,
                               .speed = kind.pstate_speeds.at(0),
                               .cores = kind.cores,
                               .ram_bytes = kind.ram_bytes,
                               .device_class = kind.device_class,
                               .pstate_speeds = kind.pstate_speeds,
                               .idle_watts = kind.idle_w,
                               .busy_watts = kind.busy_w});
    }
    std::vector<RouteInfo> routes;
    for (std::size_t a = 0; a < sample.devices.size(); ++a)
      for (std::size_t b = 0; b < sample.devices.size(); ++b)
        if (a != b) {
          const Route route = route_between(sample, spec, a, b);
          routes.push_back(RouteInfo{.from = sample.devices[a].name,
                                     .to = sample.devices[b].name,
                                     .bandwidth_Bps = route.bandwidth,
                                     .latency_s = route.latency});
        }
    static const toml::table no_settings;
    const ConfigView config = config_view(no_settings, spec.file, "chains.placement");
    const auto* entry = Registry::instance().placement_policy(chain.placement);
    auto policy = entry->factory(
        PlacementPolicyArgs{.config = config, .seed = stream_seed(sample.seed, "dataset-placement", chain_index)});
    fragments = policy->place(
        PlacementProblem{.hosts = hosts,
                         .model = profile,
                         .source_host = sample.devices[chain.source].name,
                         .tenant = static_cast<int>(chain_index),
                         .routes = routes,
                         .workload = Workload{.arrival_rate = chain.arrival_rate, .input_bytes = chain.input_bytes}});
    if (fragments.empty())
      return false;
    for (const Fragment& fragment : fragments)
      if (fragment.branches > 1)
        throw InputError(fmt::format("{}: chains.placement: expected layer-wise placement policies, {} made a "
                                     "semantic split",
                                     spec.file, chain.placement));
  }
  chain.first_fragment = sample.fragments.size();
  chain.fragments = fragments.size();
  for (std::size_t p = 0; p < fragments.size(); ++p) {
    const auto device = std::find_if(sample.devices.begin(), sample.devices.end(),
                                     [&](const DeviceNode& d) { return d.name == fragments[p].host; });
    if (device == sample.devices.end())
      throw RuntimeError(
          fmt::format("placement policy {} chose unknown host \"{}\"", chain.placement, fragments[p].host));
    const auto d = static_cast<std::size_t>(device - sample.devices.begin());
    const double need = fragment_memory_bytes(profile, fragments[p]);
    if (ram_left[d] < need)
      return false;
    ram_left[d] -= need;
    FragmentNode node;
    node.chain = chain_index;
    node.position = p;
    node.first_layer = fragments[p].first_layer;
    node.last_layer = fragments[p].last_layer;
    node.device = d;
    sample.fragments.push_back(node);
  }
  return true;
}

/// Links have no buffer: a link loaded beyond its bandwidth does not lose requests, it
/// piles them up in flight without bound (and SimGrid then shares it between ever more
/// transfers). Scales every chain's arrival rate down so that no link carries more than
/// kMaxLinkUtilization of its bandwidth, counting every chain's transfers across it.
void limit_link_utilization(Sample& sample, const DatasetSpec& spec) {
  std::vector<double> busy(sample.links.size(), 0.0); // seconds of transfer per second
  auto add_hop = [&](std::size_t a, std::size_t b, double bytes_per_second) {
    if (a == b)
      return;
    for (std::size_t l = 0; l < sample.links.size(); ++l) {
      const LinkNode& link = sample.links[l];
      const bool crossed = spec.topology == Topology::Star
                               ? (link.a == a || link.a == b)
                               : ((link.a == a && link.b == b) || (link.a == b && link.b == a));
      if (crossed)
        busy[l] += bytes_per_second / link.bandwidth;
    }
  };
  for (const ChainNode& chain : sample.chains) {
    std::size_t from = chain.source;
    for (std::size_t f = chain.first_fragment; f < chain.first_fragment + chain.fragments; ++f) {
      const FragmentNode& fragment = sample.fragments[f];
      add_hop(from, fragment.device, chain.arrival_rate * fragment.reach_prob * fragment.bytes_in);
      from = fragment.device;
    }
  }
  const double peak = busy.empty() ? 0.0 : *std::max_element(busy.begin(), busy.end());
  if (peak > kMaxLinkUtilization)
    for (ChainNode& chain : sample.chains)
      chain.arrival_rate *= kMaxLinkUtilization / peak;
}

/// One window for all chains, so every chain's throughput is measured while the others
/// load the devices too: long enough for `requests` arrivals per chain on average and,
/// within four times that budget, for requests / 5 arrivals of the slowest chain.
double simulated_duration(const Sample& sample, const DatasetSpec& spec) {
  double total_rate = 0;
  double slowest = std::numeric_limits<double>::infinity();
  for (const ChainNode& chain : sample.chains) {
    total_rate += chain.arrival_rate;
    slowest = std::min(slowest, chain.arrival_rate);
  }
  const auto budget = static_cast<double>(spec.requests * sample.chains.size());
  const double even = budget / total_rate;
  const double for_slowest = static_cast<double>(spec.requests) / 5 / slowest;
  return std::min(std::max(even, for_slowest), 4 * even);
}

/// One attempt at a whole sample; false when some chain did not fit in RAM (or, with
/// devices.all_used, some device holds no fragment).
bool try_draw(Rng& rng, Sample& sample, const DatasetSpec& spec, const std::vector<DeviceKind>& library,
              const std::vector<DatasetModel>& models) {
  sample.devices.clear();
  sample.links.clear();
  sample.chains.clear();
  sample.fragments.clear();
  const auto device_count = static_cast<std::size_t>(draw_int(rng, spec.device_count));
  std::vector<double> ram_left;
  for (std::size_t d = 0; d < device_count; ++d) {
    DeviceNode device;
    device.kind = rng.below(library.size());
    device.name = fmt::format("dev{:02}", d);
    device.buffer = draw_int(rng, spec.buffer);
    device.shared_station = pick_if_choice(rng, spec.stations) == "shared";
    device.processor_sharing = pick_if_choice(rng, spec.disciplines) == "ps";
    const double ram = library[device.kind].ram_bytes;
    ram_left.push_back(ram > 0 ? ram : std::numeric_limits<double>::infinity());
    sample.devices.push_back(std::move(device));
  }
  if (spec.topology == Topology::Star) {
    for (std::size_t d = 0; d < device_count; ++d) {
      LinkNode link{
          .a = d, .b = d, .bandwidth = draw_real(rng, spec.bandwidth), .latency = draw_real(rng, spec.latency)};
      sample.devices[d].access_bandwidth = link.bandwidth;
      sample.devices[d].access_latency = link.latency;
      sample.links.push_back(link);
    }
  } else {
    for (std::size_t a = 0; a < device_count; ++a)
      for (std::size_t b = a + 1; b < device_count; ++b)
        sample.links.push_back(LinkNode{
            .a = a, .b = b, .bandwidth = draw_real(rng, spec.bandwidth), .latency = draw_real(rng, spec.latency)});
  }

  const auto chain_count = static_cast<std::size_t>(draw_int(rng, spec.chain_count));
  std::vector<bool> used(device_count, false); // devices holding a fragment so far
  for (std::size_t c = 0; c < chain_count; ++c) {
    ChainNode chain;
    chain.model = rng.below(models.size());
    const ModelProfile& profile = models[chain.model].profile;
    chain.source = rng.below(device_count);
    chain.input_bytes = profile.input_bytes;
    chain.work = pick(rng, spec.work);
    chain.work_scv = spec.work_scv.at(chain.work);
    chain.exit_policy = profile.exits.empty() ? "none" : pick(rng, spec.exit_policies);
    if (chain.exit_policy == "probabilities") {
      // Uniform on the simplex of (exit 1 .. exit n, final): normalised exponentials.
      double total = 0;
      for (std::size_t e = 0; e <= profile.exits.size(); ++e) {
        chain.exit_parameters.push_back(-std::log(rng.uniform()));
        total += chain.exit_parameters.back();
      }
      for (double& q : chain.exit_parameters)
        q /= total;
    } else if (chain.exit_policy == "threshold") {
      for (std::size_t e = 0; e < profile.exits.size(); ++e)
        chain.exit_parameters.push_back(draw_real(rng, spec.threshold));
    }
    chain.placement = pick(rng, spec.placements);
    // Drawn before placing: a placement policy sees the rate (arrival_rate mode; with
    // `load` the rate follows from the placement and the policy sees 0, "unknown").
    const double draw = draw_real(rng, spec.arrival);
    chain.arrival_rate = spec.rate_mode == RateMode::Rate ? draw : 0.0;
    if (!place_chain(rng, sample, chain, c, models[chain.model], spec, library, ram_left, used))
      return false;
    sample.chains.push_back(chain);
    describe_fragments(sample, sample.chains.back(), models[chain.model], library);
    if (spec.rate_mode == RateMode::Load) {
      // The slowest resource of the chain alone: a fragment's compute, or the transfer of
      // an activation (bandwidth-bound; links have no buffer, so an overloaded link would
      // only pile up requests in flight).
      double bottleneck = 0;
      std::size_t from = chain.source;
      for (std::size_t f = chain.first_fragment; f < chain.first_fragment + chain.fragments; ++f) {
        const FragmentNode& fragment = sample.fragments[f];
        bottleneck = std::max(bottleneck, fragment.service_time * fragment.reach_prob);
        if (from != fragment.device)
          bottleneck = std::max(bottleneck, fragment.reach_prob * fragment.bytes_in /
                                                route_between(sample, spec, from, fragment.device).bandwidth);
        from = fragment.device;
      }
      sample.chains.back().arrival_rate = draw / std::max(bottleneck, 1e-9);
    }
  }
  if (spec.all_used) {
    std::vector<bool> holds(device_count, false);
    for (const FragmentNode& f : sample.fragments)
      holds[f.device] = true;
    if (std::find(holds.begin(), holds.end(), false) != holds.end())
      return false; // redrawn: fewer fragments than devices, or a policy left one idle
  }
  limit_link_utilization(sample, spec);
  sample.duration = simulated_duration(sample, spec);
  sample.warmup = spec.warmup_fraction * sample.duration;
  return true;
}

} // namespace

std::vector<DatasetModel> load_dataset_models(const DatasetSpec& spec) {
  std::vector<DatasetModel> models;
  std::set<std::string> references;
  for (const auto& file : spec.models) {
    DatasetModel model;
    model.file = file;
    model.profile = load_model_file(file);
    if (!model.profile.trace.empty())
      throw InputError(fmt::format("{}: chains.models: expected models with synthetic confidence (a dataset stores "
                                   "model files, not exit traces), {} has a trace",
                                   spec.file, file));
    model.reference = "models/" + std::filesystem::path(file).filename().string();
    if (!references.insert(model.reference).second)
      throw InputError(
          fmt::format("{}: chains.models: expected distinct file names, {} appears twice", spec.file, model.reference));
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    model.text = text.str();
    models.push_back(std::move(model));
  }
  return models;
}

Route route_between(const Sample& sample, const DatasetSpec& spec, std::size_t a, std::size_t b) {
  if (spec.topology == Topology::Star) {
    const DeviceNode& x = sample.devices[a];
    const DeviceNode& y = sample.devices[b];
    return Route{std::min(x.access_bandwidth, y.access_bandwidth), x.access_latency + y.access_latency};
  }
  for (const LinkNode& link : sample.links)
    if ((link.a == a && link.b == b) || (link.a == b && link.b == a))
      return Route{link.bandwidth, link.latency};
  return Route{};
}

Sample draw_sample(const DatasetSpec& spec, const std::vector<DeviceKind>& library,
                   const std::vector<DatasetModel>& models, std::uint64_t index) {
  Sample sample;
  sample.index = index;
  // TOML integers are signed 64-bit: keep the seed below 2^62.
  sample.seed = stream_seed(spec.seed, "dataset-simulation", index) >> 2U;
  Rng rng(stream_seed(spec.seed, "dataset-sample", index));
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt)
    if (try_draw(rng, sample, spec, library, models))
      return sample;
  throw InputError(fmt::format("{}: sample {}: no placement fitting the devices' RAM{} in {} draws; allow more or "
                               "larger devices (devices.count, devices.kinds) or smaller models",
                               spec.file, index, spec.all_used ? " and using every device (devices.all_used)" : "",
                               kMaxAttempts));
}

std::string platform_file_name(std::uint64_t index) {
  return fmt::format("s{:07}.xml", index);
}

std::string scenario_file_name(std::uint64_t index) {
  return fmt::format("s{:07}.toml", index);
}

std::string platform_xml(const Sample& sample, const std::vector<DeviceKind>& library, const DatasetSpec& spec) {
  std::string xml = "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n";
  xml += fmt::format("<!-- edgesim dataset sample {}: device kinds copied from {} -->\n", sample.index,
                     xml_escape(std::filesystem::path(spec.library_file).filename().string()));
  xml += "<platform version=\"4.1\">\n  <zone id=\"sample\" routing=\"Full\">\n";
  for (const DeviceNode& device : sample.devices) {
    const DeviceKind& kind = library[device.kind];
    std::string speeds;
    for (double s : kind.pstate_speeds)
      speeds += (speeds.empty() ? "" : ",") + number(s) + "f";
    xml += fmt::format("    <host id=\"{}\" speed=\"{}\" core=\"{}\">\n", device.name, speeds, kind.cores);
    for (const auto& [key, value] : kind.properties)
      xml += fmt::format("      <prop id=\"{}\" value=\"{}\"/>\n", xml_escape(key), xml_escape(value));
    xml += "    </host>\n";
  }
  auto link_id = [&](const LinkNode& link) {
    return link.a == link.b ? fmt::format("l-{}", sample.devices[link.a].name)
                            : fmt::format("l-{}-{}", sample.devices[link.a].name, sample.devices[link.b].name);
  };
  for (const LinkNode& link : sample.links)
    xml += fmt::format("    <link id=\"{}\" bandwidth=\"{}Bps\" latency=\"{}s\"/>\n", link_id(link),
                       number(link.bandwidth), number(link.latency));
  for (std::size_t a = 0; a < sample.devices.size(); ++a) {
    for (std::size_t b = a + 1; b < sample.devices.size(); ++b) {
      const std::string& src = sample.devices[a].name;
      const std::string& dst = sample.devices[b].name;
      if (spec.topology == Topology::Star)
        xml += fmt::format(
            "    <route src=\"{0}\" dst=\"{1}\"><link_ctn id=\"l-{0}\"/><link_ctn id=\"l-{1}\"/></route>\n", src, dst);
      else
        xml += fmt::format("    <route src=\"{0}\" dst=\"{1}\"><link_ctn id=\"l-{0}-{1}\"/></route>\n", src, dst);
    }
  }
  xml += "  </zone>\n</platform>\n";
  return xml;
}

std::string scenario_toml(const Sample& sample, const std::vector<DatasetModel>& models, const DatasetSpec& spec) {
  std::string toml = fmt::format("# edgesim dataset sample {} of {}\n", sample.index,
                                 std::filesystem::path(spec.file).filename().string());
  toml += fmt::format("[simulation]\nseed = {}\nduration = {}\nwarmup = {}\nsample_every = 1e9\n"
                      "network_model = \"{}\"\ntrace_requests = false\n\n",
                      sample.seed, number(sample.duration), number(sample.warmup), spec.network_model);
  toml += fmt::format("[platform]\nfile = \"{}\"\n\n", platform_file_name(sample.index));
  for (const DeviceNode& device : sample.devices) {
    toml += fmt::format("[hosts.{}]\nbuffer = {}\n", device.name, device.buffer);
    if (device.shared_station)
      toml += "station = \"shared\"\n";
    if (device.processor_sharing)
      toml += "discipline = \"ps\"\n";
    toml += "\n";
  }
  for (std::size_t c = 0; c < sample.chains.size(); ++c) {
    const ChainNode& chain = sample.chains[c];
    toml += fmt::format("[[tenants]]\nname = \"c{}\"\nmodel = \"{}\"\nsource = \"{}\"\n", c,
                        models[chain.model].reference, sample.devices[chain.source].name);
    toml += fmt::format("arrival = {{ process = \"poisson\", rate = {} }}\nwork = \"{}\"\n", number(chain.arrival_rate),
                        chain.work);
    toml += "placement = { policy = \"manual\", fragments = [";
    for (std::size_t f = chain.first_fragment; f < chain.first_fragment + chain.fragments; ++f) {
      const FragmentNode& fragment = sample.fragments[f];
      toml += fmt::format("{} {{ layers = \"{}-{}\", host = \"{}\" }}", f == chain.first_fragment ? "" : ",",
                          fragment.first_layer, fragment.last_layer, sample.devices[fragment.device].name);
    }
    toml += " ] }\n";
    std::string parameters;
    for (double p : chain.exit_parameters)
      parameters += (parameters.empty() ? "" : ", ") + number(p);
    if (chain.exit_policy == "probabilities")
      toml += fmt::format("exits = {{ policy = \"probabilities\", probabilities = [{}] }}\n", parameters);
    else if (chain.exit_policy == "threshold")
      toml += fmt::format("exits = {{ policy = \"threshold\", thresholds = [{}] }}\n", parameters);
    else
      toml += "exits = { policy = \"none\" }\n";
    toml += "\n";
  }
  return toml;
}

} // namespace edgesim::dataset
