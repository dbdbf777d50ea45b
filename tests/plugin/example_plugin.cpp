// An edgesim policy plugin built outside the simulator, through the public headers only
// (docs/plugins.md). Build it as a shared library; load it with `--plugin lib.so` or
// `[plugins] load = ["lib.so"]`.
//
//   example-every-other  exit policy: a request with an even id leaves at the first
//                        exit; the others run to the final classifier.
//   example-last-host    placement policy: the whole model on the host whose name sorts
//                        last.
//
// Symbols such as edgesim::Registry::add_exit_policy and edgesim::ConfigView's methods
// are not linked into this library: they are resolved against the edgesim executable
// (built with ENABLE_EXPORTS, i.e. -rdynamic) when edgesim dlopens the plugin.
#include <edgesim/policy.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace {

class EveryOtherExit final : public edgesim::ExitPolicy {
public:
  // Only the first exit is ever taken, so later classifiers are skipped at no cost.
  [[nodiscard]] bool evaluates_exit(std::size_t exit) const override { return exit == 0; }

  edgesim::ExitDecision decide(const edgesim::ExitContext& ctx) override {
    return ctx.exit_index == 0 && ctx.request_id % 2 == 0 ? edgesim::ExitDecision::Exit
                                                          : edgesim::ExitDecision::Continue;
  }
};

class LastHostPlacement final : public edgesim::PlacementPolicy {
public:
  std::vector<edgesim::Fragment> place(const edgesim::PlacementProblem& problem) override {
    const auto last = std::max_element(problem.hosts.begin(), problem.hosts.end(),
                                       [](const auto& a, const auto& b) { return a.name < b.name; });
    return {edgesim::Fragment{0, problem.model.layers.size() - 1, last->name}};
  }
};

} // namespace

extern "C" void edgesim_register(edgesim::Registry& registry) {
  registry.add_exit_policy("example-every-other", "leave at the first exit for even request ids",
                           [](const edgesim::ExitPolicyArgs& args) -> std::unique_ptr<edgesim::ExitPolicy> {
                             // Rejects unknown keys with the scenario's file, key path and line.
                             args.config.require_only({"policy"});
                             if (args.model.exits.empty())
                               args.config.fail("policy", "a model with at least one early exit");
                             return std::make_unique<EveryOtherExit>();
                           });
  registry.add_placement_policy(
      "example-last-host", "whole model on the last host by name",
      [](const edgesim::PlacementPolicyArgs& args) -> std::unique_ptr<edgesim::PlacementPolicy> {
        args.config.require_only({"policy"});
        return std::make_unique<LastHostPlacement>();
      });
}
