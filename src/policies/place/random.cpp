// `random`: a baseline of random contiguous cuts on random hosts. Each draw picks a
// number of fragments, the cut points and distinct hosts uniformly; the first draw that
// fits RAM and routes is the placement. The generator is seeded from the placement seed
// (scenario seed, tenant), so a scenario always gets the same placement.
#include "policies/builtin.hpp"
#include "policies/place/chain_placement.hpp"

#include <edgesim/random.hpp>

#include <algorithm>

namespace edgesim::place {
namespace {

constexpr int kDraws = 10000;

class RandomPlacement final : public PlacementPolicy {
public:
  RandomPlacement(const ConfigView& config, std::uint64_t seed)
      : host_names_(host_names(config)), where_(config.where("policy")), hosts_where_(config.where("hosts")),
        seed_(seed) {}

  std::vector<Fragment> place(const PlacementProblem& problem) override {
    const auto candidates = candidate_hosts(problem, host_names_, hosts_where_);
    const std::size_t layers = problem.model.layers.size();
    // Re-planning at a later time draws again, from a stream of its own.
    Rng rng(stream_seed(seed_, "random-placement", static_cast<std::uint64_t>(problem.now_s * 1e6)));
    for (int draw = 0; draw < kDraws && !candidates.empty(); ++draw) {
      const std::size_t count = 1 + rng.below(std::min(layers, candidates.size()));
      // Cut points: a random subset of size count-1 of 1..layers-1 (partial shuffle).
      std::vector<std::size_t> cuts(layers - 1);
      for (std::size_t i = 0; i < cuts.size(); ++i)
        cuts[i] = i + 1;
      for (std::size_t i = 0; i + 1 < count; ++i)
        std::swap(cuts[i], cuts[i + rng.below(cuts.size() - i)]);
      cuts.resize(count - 1);
      std::sort(cuts.begin(), cuts.end());
      std::vector<std::size_t> hosts = candidates;
      for (std::size_t i = 0; i < count; ++i)
        std::swap(hosts[i], hosts[i + rng.below(hosts.size() - i)]);
      std::vector<Fragment> fragments;
      std::size_t first = 0;
      for (std::size_t f = 0; f < count; ++f) {
        const std::size_t end = f + 1 < count ? cuts[f] : layers;
        fragments.push_back(Fragment{first, end - 1, problem.hosts[hosts[f]].name});
        first = end;
      }
      if (evaluate_chain(problem, fragments))
        return fragments;
    }
    throw_infeasible(problem, "random", where_, candidates);
  }

private:
  std::vector<std::string> host_names_;
  std::string where_;
  std::string hosts_where_;
  std::uint64_t seed_;
};

} // namespace
} // namespace edgesim::place

namespace edgesim {

void register_place_random(Registry& registry) {
  registry.add_placement_policy(
      "random", "random contiguous cuts on random distinct hosts that fit RAM (seeded by the scenario seed)",
      [](const PlacementPolicyArgs& args) -> std::unique_ptr<PlacementPolicy> {
        args.config.require_only({"policy", "hosts"});
        return std::make_unique<place::RandomPlacement>(args.config, args.seed);
      });
}

} // namespace edgesim
