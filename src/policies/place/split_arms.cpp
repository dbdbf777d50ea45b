#include "policies/place/split_arms.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgesim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool fits(const HostInfo& host, double bytes) {
  return host.ram_bytes <= 0 || bytes <= host.ram_bytes;
}

// Seconds to move `bytes` from one host to another (0 on the same host, infinity
// without a route).
double move_seconds(const PlacementProblem& problem, const std::string& from, const std::string& to, double bytes) {
  if (from == to || bytes <= 0)
    return 0;
  const RouteInfo* route = problem.route(from, to);
  return route == nullptr ? kInf : transfer_seconds(*route, bytes);
}

double range_seconds(const PlacementProblem& problem, const HostInfo& host, std::size_t first, std::size_t last) {
  double seconds = 0;
  for (std::size_t l = first; l <= last; ++l)
    seconds += layer_seconds(problem.model, l, host);
  return seconds;
}

// One of k semantic branches runs every layer at the [semantic] flops share; a measured
// layer's latency scales by the same share (as the engine charges it).
double branch_compute_seconds(const ModelProfile& model, const HostInfo& host, std::size_t k) {
  if (model.measurement_on(host.device_class) == nullptr)
    return model.total_flops() * model.semantic.flops_share(k) / model_flops_per_second(model, host);
  return edgesim::range_seconds(model, 0, model.layers.size() - 1, host) * model.semantic.flops_share(k);
}

} // namespace

std::optional<ArmPlacement> best_chain_split(const PlacementProblem& problem) {
  const ModelProfile& model = problem.model;
  const std::size_t n = model.layers.size();
  const HostInfo* source = problem.host(problem.source_host);
  if (source == nullptr || !source->available)
    return std::nullopt;
  std::optional<ArmPlacement> best;
  const auto consider = [&](std::vector<Fragment> fragments, double latency) {
    if (!best || latency < best->predicted_latency)
      best = ArmPlacement{std::move(fragments), latency};
  };
  if (fits(*source, fragment_memory_bytes(model, 0, n - 1)))
    consider({Fragment{0, n - 1, source->name}}, range_seconds(problem, *source, 0, n - 1));
  for (const HostInfo& other : problem.hosts) {
    if (other.name == source->name || !other.available)
      continue;
    // cut = number of layers kept on the source (0: everything offloaded).
    for (std::size_t cut = 0; cut < n; ++cut) {
      if (!fits(other, fragment_memory_bytes(model, cut, n - 1)) ||
          (cut > 0 && !fits(*source, fragment_memory_bytes(model, 0, cut - 1))))
        continue;
      const double bytes = cut == 0 ? problem.workload.input_bytes : model.layers[cut - 1].out_bytes;
      const double latency = (cut > 0 ? range_seconds(problem, *source, 0, cut - 1) : 0.0) +
                             move_seconds(problem, source->name, other.name, bytes) +
                             range_seconds(problem, other, cut, n - 1);
      if (!std::isfinite(latency))
        continue;
      std::vector<Fragment> fragments;
      if (cut > 0)
        fragments.push_back(Fragment{0, cut - 1, source->name});
      fragments.push_back(Fragment{cut, n - 1, other.name});
      consider(std::move(fragments), latency);
    }
  }
  return best;
}

std::optional<ArmPlacement> fastest_semantic_split(const PlacementProblem& problem, std::size_t branches) {
  const ModelProfile& model = problem.model;
  const std::size_t n = model.layers.size();
  branches = std::min(branches, model.semantic.max_branches());
  if (branches < 2)
    return std::nullopt;
  std::vector<const HostInfo*> candidates;
  for (const HostInfo& host : problem.hosts)
    if (host.available && (host.name == problem.source_host || problem.route(problem.source_host, host.name)))
      candidates.push_back(&host);
  // Fastest first; names break ties so the choice is deterministic.
  std::sort(candidates.begin(), candidates.end(), [&](const HostInfo* a, const HostInfo* b) {
    const double sa = model_flops_per_second(model, *a);
    const double sb = model_flops_per_second(model, *b);
    return sa != sb ? sa > sb : a->name < b->name;
  });
  for (std::size_t k = branches; k >= 2; --k) {
    std::vector<const HostInfo*> chosen;
    for (const HostInfo* host : candidates) {
      const double params = model.total_param_bytes() * model.semantic.param_share(k);
      const double bytes = fragment_memory_bytes(model, 0, n - 1) - model.total_param_bytes() + params;
      if (fits(*host, bytes))
        chosen.push_back(host);
      if (chosen.size() == k)
        break;
    }
    if (chosen.size() < k)
      continue;
    ArmPlacement arm;
    const HostInfo& merge = *chosen.front();
    double slowest = 0;
    for (std::size_t b = 0; b < k; ++b) {
      const HostInfo& host = *chosen[b];
      arm.fragments.push_back(Fragment{0, n - 1, host.name, b, k});
      const double branch = move_seconds(problem, problem.source_host, host.name, problem.workload.input_bytes) +
                            branch_compute_seconds(model, host, k) +
                            move_seconds(problem, host.name, merge.name, model.semantic.merge_bytes);
      slowest = std::max(slowest, branch);
    }
    arm.predicted_latency = slowest + model.semantic.merge_flops / model_flops_per_second(model, merge);
    if (std::isfinite(arm.predicted_latency))
      return arm;
  }
  return std::nullopt;
}

} // namespace edgesim
