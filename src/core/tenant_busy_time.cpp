#include "core/tenant_busy_time.hpp"

namespace edgesim {

void TenantBusyTime::advance(double now) {
  if (active_ > 0 && now > last_) {
    const double share = (now - last_) / static_cast<double>(active_);
    for (std::size_t t = 0; t < running_.size(); ++t)
      if (running_[t] > 0)
        busy_[t] += share;
  }
  last_ = now;
}

void TenantBusyTime::exec_started(std::size_t tenant, double now) {
  advance(now);
  if (running_[tenant]++ == 0)
    ++active_;
}

void TenantBusyTime::exec_finished(std::size_t tenant, double now) {
  advance(now);
  if (--running_[tenant] == 0)
    --active_;
}

std::vector<double> TenantBusyTime::busy(double now) const {
  TenantBusyTime copy = *this;
  copy.advance(now);
  return copy.busy_;
}

} // namespace edgesim
