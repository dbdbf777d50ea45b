#pragma once
// How long each tenant keeps a host busy, for sharing the host's static (idle) energy
// among the tenants that used it (docs/energy.md). While several tenants have execs
// running on the host, the time is split equally among them, so the tenants' busy times
// add up to the host's busy time and never exceed the time the host was up.
#include <cstddef>
#include <vector>

namespace edgesim {

class TenantBusyTime {
public:
  explicit TenantBusyTime(std::size_t tenants = 0) : running_(tenants, 0), busy_(tenants, 0.0) {}

  void exec_started(std::size_t tenant, double now);
  void exec_finished(std::size_t tenant, double now);
  /// Busy time of each tenant up to `now` (no earlier than the last event).
  [[nodiscard]] std::vector<double> busy(double now) const;

private:
  void advance(double now);

  std::vector<int> running_; // execs running per tenant
  std::vector<double> busy_;
  std::size_t active_ = 0; // tenants with an exec running
  double last_ = 0;
};

} // namespace edgesim
