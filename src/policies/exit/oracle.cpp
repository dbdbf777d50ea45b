// `oracle`: a request leaves at the first intermediate exit whose answer is right for it
// (the exit trace's or the synthetic model's ground truth, ExitContext::correct_here),
// and runs to the final classifier when none is. Dělen's upper bound: no deployable
// policy leaves earlier at the same accuracy, since leaving at a wrong exit costs
// accuracy and leaving after a right one costs time and energy.
#include "policies/builtin.hpp"

namespace edgesim {
namespace {

class OraclePolicy final : public ExitPolicy {
public:
  ExitDecision decide(const ExitContext& ctx) override {
    return ctx.correct_here ? ExitDecision::Exit : ExitDecision::Continue;
  }
};

} // namespace

void register_exit_oracle(Registry& registry) {
  registry.add_exit_policy("oracle",
                           "leave at the first exit that is right for this request (ground truth; an upper bound)",
                           [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
                             args.config.require_only({"policy"});
                             return std::make_unique<OraclePolicy>();
                           });
}

} // namespace edgesim
