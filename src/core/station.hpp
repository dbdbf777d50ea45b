#pragma once
// A finite-buffer station: K = capacity counts requests in system, including those in
// service; `servers` run in parallel (processor sharing: servers = K, every admitted
// request in service at once); FCFS queue of request slots. A station is one fragment's
// (tenant >= 0) or shared by every fragment on its host (tenant = -1), which then counts
// its requests per tenant. It also integrates the number in system over time for the
// mean queue length.
#include <cstdint>
#include <deque>
#include <vector>

namespace edgesim {

struct Station {
  int host = 0;
  int tenant = 0;
  int capacity = 1;
  int servers = 1;
  int in_system = 0;
  int busy = 0;
  std::deque<std::uint32_t> queue;
  std::vector<int> tenant_in_system; // shared station: requests in system per tenant

  void enter(double now, std::size_t request_tenant) {
    advance(now);
    ++in_system;
    if (!tenant_in_system.empty())
      ++tenant_in_system[request_tenant];
  }
  void leave(double now, std::size_t request_tenant) {
    advance(now);
    --in_system;
    if (!tenant_in_system.empty())
      --tenant_in_system[request_tenant];
  }
  void reset(double now) {
    advance(now);
    in_system = 0;
    for (int& n : tenant_in_system)
      n = 0;
  }
  /// Whether tenant `t` has a request here.
  [[nodiscard]] bool holds_tenant(std::size_t t) const {
    return tenant_in_system.empty() ? in_system > 0 && tenant == static_cast<int>(t) : tenant_in_system[t] > 0;
  }
  [[nodiscard]] double area(double now) const { return area_ + in_system * (now - last_change_); }

private:
  void advance(double now) {
    area_ += in_system * (now - last_change_);
    last_change_ = now;
  }
  double area_ = 0;
  double last_change_ = 0;
};

} // namespace edgesim
