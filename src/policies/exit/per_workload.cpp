// `per-workload`: one exit per tenant, chosen offline from the model's profiled accuracy:
// the first intermediate exit whose accuracy reaches `target_accuracy` (the final
// classifier when none does). Dělen's per-workload baseline: every request of the
// workload leaves there, whatever its own confidence; earlier classifiers are skipped.
#include "policies/builtin.hpp"

#include <fmt/format.h>

namespace edgesim {
namespace {

class PerWorkloadPolicy final : public ExitPolicy {
public:
  explicit PerWorkloadPolicy(std::size_t exit) : exit_(exit) {}
  ExitDecision decide(const ExitContext& ctx) override {
    return ctx.exit_index == exit_ ? ExitDecision::Exit : ExitDecision::Continue;
  }
  [[nodiscard]] bool evaluates_exit(std::size_t exit) const override { return exit == exit_; }

private:
  std::size_t exit_;
};

std::size_t per_workload_exit(const ModelProfile& model, double target_accuracy) {
  for (std::size_t e = 0; e < model.exits.size(); ++e)
    if (model.exit_accuracy(e) >= target_accuracy)
      return e;
  return model.exits.size();
}

} // namespace

void register_exit_per_workload(Registry& registry) {
  registry.add_exit_policy(
      "per-workload",
      "one exit per tenant: the first whose profiled accuracy reaches target_accuracy (else the final classifier)",
      [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
        args.config.require_only({"policy", "target_accuracy"});
        const double target = args.config.get_double("target_accuracy");
        if (!(target > 0 && target <= 1))
          args.config.fail("target_accuracy", "an accuracy in (0, 1]");
        return std::make_unique<PerWorkloadPolicy>(per_workload_exit(args.model, target));
      });
}

} // namespace edgesim
