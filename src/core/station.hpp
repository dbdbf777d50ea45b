#pragma once
// A finite-buffer station: K = capacity counts requests in system, including those in
// service; `servers` run in parallel; FCFS queue of request slots. It also integrates
// the number in system over time for the mean queue length.
#include <cstdint>
#include <deque>

namespace edgesim {

struct Station {
  int host = 0;
  int tenant = 0;
  int capacity = 1;
  int servers = 1;
  int in_system = 0;
  int busy = 0;
  std::deque<std::uint32_t> queue;

  void enter(double now) {
    advance(now);
    ++in_system;
  }
  void leave(double now) {
    advance(now);
    --in_system;
  }
  void reset(double now) {
    advance(now);
    in_system = 0;
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
