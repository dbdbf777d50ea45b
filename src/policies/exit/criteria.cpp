// `criteria`: user-written exit conditions, after the conditional-execution rules of
// Dělen (Q. Liang et al., "Dělen: Enabling Flexible and Adaptive Model-serving for
// Multi-tenant Edge AI", IoTDI 2023). A request leaves at an exit when the rule holds
// there, e.g.
//   rule = "confidence > 0.8 OR response_time > 50ms"
//   rule = "confidence > 0.6 OR (battery < 30% AND accuracy >= 0.65)"
// Metrics: confidence, response_time (time since arrival), accuracy (the exit's
// calibrated accuracy), energy (J spent on the request so far), flops (executed so far),
// battery (local state of charge, 0..1 or a percentage), queue (requests in the local
// station), exit (0-based exit index). Since the rule can read `battery`, a tenant can
// trade accuracy for battery life. The language is in criteria_expression.hpp.
//
// Keys: `policy`, `rule` (required).
#include "policies/builtin.hpp"
#include "policies/exit/criteria_expression.hpp"

namespace edgesim {
namespace {

class CriteriaPolicy final : public ExitPolicy {
public:
  explicit CriteriaPolicy(criteria::Expression rule) : rule_(std::move(rule)) {}
  ExitDecision decide(const ExitContext& ctx) override {
    if (ctx.exit_index >= ctx.num_exits)
      return ExitDecision::Exit;
    return rule_.evaluate(ctx) ? ExitDecision::Exit : ExitDecision::Continue;
  }

private:
  criteria::Expression rule_;
};

} // namespace

void register_exit_criteria(Registry& registry) {
  registry.add_exit_policy(
      "criteria", "leave where a rule such as \"confidence > 0.8 OR response_time > 50ms\" holds (Dělen, IoTDI 2023)",
      [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
        args.config.require_only({"policy", "rule"});
        const std::string rule = args.config.get_string("rule");
        try {
          return std::make_unique<CriteriaPolicy>(criteria::Expression::parse(rule));
        } catch (const criteria::ParseError& error) {
          args.config.fail("rule", error.what());
        }
      });
}

} // namespace edgesim
