#pragma once
// The `threshold` rule as a class, shared by the policies that end up applying
// per-exit confidence thresholds (`threshold` itself, `bayesopt` once tuned).
#include <edgesim/policy.hpp>

#include <vector>

namespace edgesim {

/// Leaves at the first exit whose confidence reaches its threshold; a tenant with a CPU
/// share below 1 (cooperative multi-tenancy) uses t' = 1 - (1 - t) / share.
class ThresholdPolicy final : public ExitPolicy {
public:
  explicit ThresholdPolicy(std::vector<double> thresholds);
  ExitDecision decide(const ExitContext& ctx) override;
  /// The thresholds, once at t = 0 (they do not change).
  void trace_state(double now) override;
  /// The relaxed thresholds t' the new share gives on that host.
  void on_cpu_share(const CpuShareChange& change) override;

private:
  std::vector<double> thresholds_;
};

} // namespace edgesim
