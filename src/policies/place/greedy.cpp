// `greedy`: walks the chain from the source host. Before each layer it compares the
// estimated finish time of running the rest of the model where the request is against
// sending the activation to another host it has not used yet and running the rest
// there, and moves when that is strictly sooner, or when the current host has no RAM
// left for the layer. Estimates use the cost model and the probed routes
// (chain_placement.hpp); RAM is checked for the fragment as it grows. A baseline: one
// move at a time, no look-ahead beyond "finish here".
#include "policies/builtin.hpp"
#include "policies/place/chain_placement.hpp"

#include <algorithm>
#include <limits>

namespace edgesim::place {
namespace {

class GreedyPlacement final : public PlacementPolicy {
public:
  explicit GreedyPlacement(const ConfigView& config)
      : host_names_(host_names(config)), where_(config.where("policy")), hosts_where_(config.where("hosts")) {}

  std::vector<Fragment> place(const PlacementProblem& problem) override {
    const auto candidates = candidate_hosts(problem, host_names_, hosts_where_);
    const ModelProfile& model = problem.model;
    const std::size_t layers = model.layers.size();
    std::vector<Fragment> fragments;
    std::vector<bool> used(problem.hosts.size(), false);
    std::string_view position = problem.source_host; // where the activation is
    for (std::size_t l = 0; l < layers; ++l) {
      double best_finish = std::numeric_limits<double>::infinity();
      std::size_t best_host = problem.hosts.size(); // == stay
      const bool can_stay =
          !fragments.empty() && fits_ram(model, fragments.back().first_layer, l, *problem.host(position));
      if (can_stay)
        best_finish = compute_seconds(model, l, layers - 1, *problem.host(position));
      // The source host is tried first so that, on a tie, a layer stays on the device.
      std::vector<std::size_t> order = candidates;
      std::stable_partition(order.begin(), order.end(),
                            [&](std::size_t h) { return problem.hosts[h].name == problem.source_host; });
      for (std::size_t h : order) {
        const HostInfo& host = problem.hosts[h];
        if (used[h] || !fits_ram(model, l, l, host))
          continue;
        const auto transfer = transfer_time(problem, position, host.name, cut_bytes(problem, l));
        if (!transfer)
          continue;
        const double finish = *transfer + compute_seconds(model, l, layers - 1, host);
        if (finish < best_finish) {
          best_finish = finish;
          best_host = h;
        }
      }
      if (best_host == problem.hosts.size()) {
        if (!can_stay)
          throw_infeasible(problem, "greedy", where_, candidates);
        fragments.back().last_layer = l;
        continue;
      }
      used[best_host] = true;
      position = problem.hosts[best_host].name;
      fragments.push_back(Fragment{l, l, problem.hosts[best_host].name});
    }
    return fragments;
  }

private:
  std::vector<std::string> host_names_;
  std::string where_;
  std::string hosts_where_;
};

} // namespace
} // namespace edgesim::place

namespace edgesim {

void register_place_greedy(Registry& registry) {
  registry.add_placement_policy(
      "greedy",
      "walk the chain from the source; move to another host when finishing the model there is sooner (or RAM "
      "is full)",
      [](const PlacementPolicyArgs& args) -> std::unique_ptr<PlacementPolicy> {
        args.config.require_only({"policy", "hosts"});
        return std::make_unique<place::GreedyPlacement>(args.config);
      });
}

} // namespace edgesim
