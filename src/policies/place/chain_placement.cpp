#include "policies/place/chain_placement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace edgesim::place {

ChainObjective chain_objective(const ConfigView& config) {
  const std::string objective = config.get_string("objective", "latency");
  if (objective == "latency")
    return ChainObjective::Latency;
  if (objective == "throughput")
    return ChainObjective::Throughput;
  config.fail("objective", "\"latency\" or \"throughput\"");
}

std::vector<std::string> host_names(const ConfigView& config) {
  if (!config.has("hosts"))
    return {};
  return config.get_string_array("hosts", "a non-empty list of host names (strings)");
}

std::vector<std::size_t> candidate_hosts(const PlacementProblem& problem, std::span<const std::string> names,
                                         std::string_view where) {
  for (const auto& name : names)
    if (problem.host(name) == nullptr)
      throw InputError(fmt::format("{}: no host named \"{}\" in the platform", where, name));
  std::vector<std::size_t> candidates;
  for (std::size_t h = 0; h < problem.hosts.size(); ++h) {
    const HostInfo& host = problem.hosts[h];
    if (host.available && (names.empty() || std::find(names.begin(), names.end(), host.name) != names.end()))
      candidates.push_back(h);
  }
  return candidates;
}

std::vector<std::size_t> all_hosts(const PlacementProblem& problem) {
  std::vector<std::size_t> all(problem.hosts.size());
  for (std::size_t h = 0; h < all.size(); ++h)
    all[h] = h;
  return all;
}

double cut_bytes(const PlacementProblem& problem, std::size_t k) {
  return k == 0 ? problem.workload.input_bytes : problem.model.layers[k - 1].out_bytes;
}

double compute_seconds(const ModelProfile& model, std::size_t first, std::size_t last, const HostInfo& host) {
  return range_seconds(model, first, last, host);
}

bool fits_ram(const ModelProfile& model, std::size_t first, std::size_t last, const HostInfo& host, double used) {
  return host.ram_bytes <= 0 || used + fragment_memory_bytes(model, first, last) <= host.ram_bytes;
}

std::optional<double> transfer_time(const PlacementProblem& problem, std::string_view from, std::string_view to,
                                    double bytes, bool with_latency) {
  if (from == to)
    return 0.0;
  const RouteInfo* route = problem.route(from, to);
  if (route == nullptr)
    return std::nullopt;
  return with_latency ? transfer_seconds(*route, bytes) : bytes / route->bandwidth_Bps;
}

std::optional<ChainCost> evaluate_chain(const PlacementProblem& problem, std::span<const Fragment> fragments) {
  const ModelProfile& model = problem.model;
  if (fragments.empty() || fragments.front().first_layer != 0 || fragments.back().last_layer + 1 != model.layers.size())
    return std::nullopt;
  ChainCost cost;
  std::string_view previous = problem.source_host;
  for (std::size_t f = 0; f < fragments.size(); ++f) {
    const Fragment& fragment = fragments[f];
    if (fragment.last_layer < fragment.first_layer ||
        (f > 0 && fragment.first_layer != fragments[f - 1].last_layer + 1))
      return std::nullopt;
    for (std::size_t g = 0; g < f; ++g)
      if (fragments[g].host == fragment.host)
        return std::nullopt;
    const HostInfo* host = problem.host(fragment.host);
    if (host == nullptr || !host->available || !fits_ram(model, fragment.first_layer, fragment.last_layer, *host))
      return std::nullopt;
    const double bytes = cut_bytes(problem, fragment.first_layer);
    const auto transfer = transfer_time(problem, previous, fragment.host, bytes);
    if (!transfer)
      return std::nullopt;
    const double compute = compute_seconds(model, fragment.first_layer, fragment.last_layer, *host);
    cost.latency_s += *transfer + compute;
    cost.bottleneck_s =
        std::max({cost.bottleneck_s, compute, *transfer_time(problem, previous, fragment.host, bytes, false)});
    previous = fragment.host;
  }
  return cost;
}

namespace {

// The first reason found why no chain placement exists.
std::string infeasibility_reason(const PlacementProblem& problem, std::span<const std::size_t> candidates) {
  const ModelProfile& model = problem.model;
  if (candidates.empty())
    return "no available host to place it on";
  // A layer that fits nowhere (with its input and output activations) dooms every plan.
  double largest_ram = 0;
  for (std::size_t h : candidates)
    largest_ram = problem.hosts[h].ram_bytes <= 0 ? std::numeric_limits<double>::infinity()
                                                  : std::max(largest_ram, problem.hosts[h].ram_bytes);
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const double need = fragment_memory_bytes(model, l, l);
    if (need > largest_ram)
      return fmt::format("layer {} ({}) needs {:.1f} MB of RAM (parameters and activations) and the largest host "
                         "has {:.1f} MB (ram_bytes)",
                         l, model.layers[l].name, need / 1e6, largest_ram / 1e6);
  }
  // Hosts reachable from the source over routes between candidates (and the source).
  std::vector<std::size_t> reached;
  std::vector<std::string_view> frontier{problem.source_host};
  std::vector<bool> seen(problem.hosts.size(), false);
  while (!frontier.empty()) {
    const std::string_view from = frontier.back();
    frontier.pop_back();
    for (std::size_t h : candidates) {
      if (!seen[h] && transfer_time(problem, from, problem.hosts[h].name, 0.0)) {
        seen[h] = true;
        reached.push_back(h);
        frontier.push_back(problem.hosts[h].name);
      }
    }
  }
  if (reached.empty())
    return fmt::format("no route from the source host {} to any candidate host", problem.source_host);
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const bool fits_reached = std::any_of(reached.begin(), reached.end(),
                                          [&](std::size_t h) { return fits_ram(model, l, l, problem.hosts[h]); });
    if (!fits_reached)
      return fmt::format("layer {} ({}) fits only on hosts with no route from the source host {}", l,
                         model.layers[l].name, problem.source_host);
  }
  return fmt::format("the whole model needs {:.1f} MB of RAM and no chain of distinct, connected hosts has room for "
                     "it (ram_bytes, routes)",
                     fragment_memory_bytes(model, 0, model.layers.size() - 1) / 1e6);
}

} // namespace

void throw_infeasible(const PlacementProblem& problem, std::string_view policy, std::string_view where,
                      std::span<const std::size_t> candidates) {
  throw InputError(fmt::format("{}: {} found no feasible placement of model {} for tenant {}: {}", where, policy,
                               problem.model.name, problem.tenant, infeasibility_reason(problem, candidates)));
}

} // namespace edgesim::place
