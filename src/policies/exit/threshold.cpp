// `threshold`: leave at the first exit whose confidence reaches its threshold
// (BranchyNet-style); `thresholds` has one value per intermediate exit, or one value
// used for all of them.
#include "policies/exit/threshold_policy.hpp"

#include "policies/builtin.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace edgesim {

namespace {

// A tenant holding a fraction of the CPU accepts proportionally more doubt, so it
// keeps up when a host is shared: t' = 1 - (1 - t) / share.
double relaxed(double threshold, double share) {
  return share < 1 ? std::max(0.0, 1.0 - (1.0 - threshold) / share) : threshold;
}

} // namespace

ThresholdPolicy::ThresholdPolicy(std::vector<double> thresholds) : thresholds_(std::move(thresholds)) {}

ExitDecision ThresholdPolicy::decide(const ExitContext& ctx) {
  if (ctx.exit_index >= ctx.num_exits || ctx.exit_index >= thresholds_.size())
    return ExitDecision::Exit;
  return ctx.confidence >= relaxed(thresholds_[ctx.exit_index], ctx.cpu_share) ? ExitDecision::Exit
                                                                               : ExitDecision::Continue;
}

void ThresholdPolicy::on_cpu_share(const CpuShareChange& change) {
  for (std::size_t e = 0; e < thresholds_.size(); ++e)
    trace(change.now,
          {{fmt::format("effective_threshold_{}:{}", e, change.host), relaxed(thresholds_[e], change.share)}});
}

void ThresholdPolicy::trace_state(double now) {
  for (std::size_t e = 0; e < thresholds_.size(); ++e)
    trace(now, {{fmt::format("threshold_{}", e), thresholds_[e]}});
}

void register_exit_threshold(Registry& registry) {
  registry.add_exit_policy(
      "threshold", "leave at the first exit whose confidence >= its threshold",
      [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
        args.config.require_only({"policy", "thresholds"});
        const std::size_t n = args.model.exits.size();
        std::vector<double> thresholds;
        const ConfigKind kind = args.config.kind("thresholds");
        if (kind == ConfigKind::Integer || kind == ConfigKind::Float)
          thresholds.assign(n, args.config.get_double("thresholds"));
        else
          thresholds = args.config.get_double_array("thresholds");
        if (thresholds.size() != n)
          args.config.fail("thresholds", fmt::format("{} thresholds (one per intermediate exit) or one number", n));
        for (double t : thresholds)
          if (!(t >= 0 && t <= 1))
            args.config.fail("thresholds", "confidence thresholds in [0, 1]");
        return std::make_unique<ThresholdPolicy>(std::move(thresholds));
      });
}

} // namespace edgesim
