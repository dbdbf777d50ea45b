// `source-only`: the whole model runs on the tenant's source host (no offloading).
#include "policies/builtin.hpp"

namespace edgesim {
namespace {

class SourceOnlyPlacement final : public PlacementPolicy {
public:
  std::vector<Fragment> place(const PlacementProblem& problem) override {
    return {Fragment{0, problem.model.layers.size() - 1, problem.source_host}};
  }
};

} // namespace

void register_place_source_only(Registry& registry) {
  registry.add_placement_policy("source-only", "the whole model on the tenant's source host",
                                [](const PlacementPolicyArgs& args) -> std::unique_ptr<PlacementPolicy> {
                                  args.config.require_only({"policy"});
                                  return std::make_unique<SourceOnlyPlacement>();
                                });
}

} // namespace edgesim
