#include "core/arrival_process.hpp"

namespace edgesim {

ArrivalProcess::ArrivalProcess(const ArrivalSpec& spec, std::uint64_t seed) : spec_(&spec), rng_(seed) {
  if (spec.kind == ArrivalSpec::Kind::Mmpp2)
    mmpp_switch_at_ = rng_.exponential(1.0 / spec.sojourn[0]);
}

double ArrivalProcess::next() {
  switch (spec_->kind) {
  case ArrivalSpec::Kind::Poisson:
    now_ += rng_.exponential(spec_->rate);
    return now_;
  case ArrivalSpec::Kind::Periodic:
    now_ += 1.0 / spec_->rate;
    return now_;
  case ArrivalSpec::Kind::Mmpp2:
    // Memorylessness lets us redraw the inter-arrival after each state switch.
    while (true) {
      const double rate = spec_->rates[static_cast<std::size_t>(mmpp_state_)];
      const double candidate = rate > 0 ? now_ + rng_.exponential(rate) : std::numeric_limits<double>::infinity();
      if (candidate <= mmpp_switch_at_) {
        now_ = candidate;
        return now_;
      }
      now_ = mmpp_switch_at_;
      mmpp_state_ = 1 - mmpp_state_;
      mmpp_switch_at_ = now_ + rng_.exponential(1.0 / spec_->sojourn[static_cast<std::size_t>(mmpp_state_)]);
    }
  case ArrivalSpec::Kind::Trace:
    if (trace_index_ >= spec_->trace_times.size())
      return std::numeric_limits<double>::infinity();
    return spec_->trace_times[trace_index_++];
  }
  return std::numeric_limits<double>::infinity();
}

} // namespace edgesim
