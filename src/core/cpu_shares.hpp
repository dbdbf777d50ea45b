#pragma once
// The CPU shares of multi-tenant hosts (docs/multitenancy.md): what each tenant is
// entitled to on each host over time (`tenants[].share`, then `[[dynamics.shares]]`
// steps), and the effective share its exit policy is told.
//
// Non-cooperative, the effective share is the entitlement: the tenant's execs are capped
// at it. Cooperative, the entitlements are weights of a work-conserving division, so
// what a tenant can count on depends on the others' load: every `epoch` the effective
// share of tenant j on host h is recomputed as what a weighted max-min fair division
// leaves j if it wanted the whole host while every other tenant k placed on h asks for
// d_k, the host-seconds of work k started on h per second of the last epoch. A tenant
// that is idle or gone leaves its share to the others; one under its fair part keeps
// just what it uses. Until the first epoch ends every tenant counts as busy.
//
// Pure bookkeeping, no SimGrid: the engine feeds it work and placements and applies
// what it returns (exec priorities, policy callbacks).
#include "scenario/scenario.hpp"

#include <cstddef>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

namespace edgesim {

/// One entitlement step of a (tenant, host) pair; host -1 = every host.
struct ShareStep {
  double at = 0;
  std::size_t tenant = 0;
  int host = -1;
  double share = 1;
};

/// A tenant's share on a host moved: its entitlement (`entitlement`, the engine
/// re-weights its execs) and/or its effective share (`notify`, its policy is told).
struct ShareUpdate {
  std::size_t tenant = 0;
  int host = 0;
  double share = 1;    // effective share now
  double previous = 1; // effective share told before
  bool entitlement = false;
  bool notify = false;
};

/// What a weighted max-min fair division of one host leaves tenant `j` if it asks for
/// the whole host while each other tenant k asks for demands[k] (a fraction of the host;
/// 0 = absent, infinity = busy). weights are the entitlements; at most 1.
[[nodiscard]] double share_left_for(std::size_t j, std::span<const double> weights, std::span<const double> demands);

class CpuShares {
public:
  /// `base` is each tenant's `share`; steps at the same time keep the given order.
  CpuShares(MultitenantPolicy policy, std::span<const double> base, std::size_t hosts, std::vector<ShareStep> steps,
            double epoch, double tolerance);

  [[nodiscard]] double entitled(std::size_t tenant, int host) const { return entitled_[index(tenant, host)]; }
  [[nodiscard]] double effective(std::size_t tenant, int host) const { return effective_[index(tenant, host)]; }
  [[nodiscard]] bool present(std::size_t tenant, int host) const { return present_[index(tenant, host)]; }

  /// The tenant's placement now runs on `hosts` (indices); it counts as busy on a host
  /// it was not on until the next epoch measures it.
  void set_placement(std::size_t tenant, std::span<const int> hosts);
  /// Work of `host_seconds` (seconds the whole host needs for it) started on the host.
  void add_work(std::size_t tenant, int host, double host_seconds);

  /// Next entitlement step or (cooperative) epoch end; infinity when none.
  [[nodiscard]] double next_time() const;
  /// Applies the steps due by `now` and, cooperative, ends the epoch if due; returns
  /// the (tenant, host) pairs whose entitlement or told share moved, in host-major
  /// order. Also recomputes after set_placement when called with the current time.
  std::vector<ShareUpdate> advance(double now);

private:
  [[nodiscard]] std::size_t index(std::size_t tenant, int host) const {
    return static_cast<std::size_t>(host) * tenants_ + tenant;
  }
  [[nodiscard]] double compute_effective(std::size_t tenant, int host) const;

  MultitenantPolicy policy_;
  std::size_t tenants_;
  std::size_t hosts_;
  std::vector<ShareStep> steps_;
  std::size_t next_step_ = 0;
  double epoch_;
  double tolerance_;
  double epoch_start_ = 0;
  double next_epoch_ = std::numeric_limits<double>::infinity(); // cooperative only
  // Per (host, tenant), host-major.
  std::vector<double> entitled_;
  std::vector<double> effective_;
  std::vector<bool> present_;
  std::vector<double> epoch_work_; // host-seconds started in the current epoch
  std::vector<double> demand_;     // of the last full epoch; infinity = not measured yet
};

/// The `[[dynamics.shares]]` profiles of a scenario as steps on host indices, time
/// order (scenario order at equal times); `host_names[i]` names host i.
[[nodiscard]] std::vector<ShareStep> share_steps(const Scenario& scenario, std::span<const std::string> host_names);

} // namespace edgesim
