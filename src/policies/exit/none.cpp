// `none`: the whole model runs; exit classifiers are not evaluated (and cost nothing).
#include "policies/builtin.hpp"

namespace edgesim {
namespace {

class NoExitPolicy final : public ExitPolicy {
public:
  [[nodiscard]] bool evaluates_exit(std::size_t /*exit*/) const override { return false; }
  ExitDecision decide(const ExitContext& /*ctx*/) override { return ExitDecision::Continue; }
};

} // namespace

void register_exit_none(Registry& registry) {
  registry.add_exit_policy("none", "run the whole model; exit classifiers are skipped",
                           [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
                             args.config.require_only({"policy"});
                             return std::make_unique<NoExitPolicy>();
                           });
}

} // namespace edgesim
