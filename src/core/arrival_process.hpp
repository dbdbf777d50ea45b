#pragma once
// Generates a tenant's arrival times one at a time (poisson, periodic, mmpp2, trace).
#include "scenario/scenario.hpp"
#include <edgesim/random.hpp>

#include <limits>

namespace edgesim {

class ArrivalProcess {
public:
  ArrivalProcess(const ArrivalSpec& spec, std::uint64_t seed);
  /// Time of the next arrival (absolute, seconds); infinity when a trace is exhausted.
  double next();

private:
  const ArrivalSpec* spec_;
  Rng rng_;
  double now_ = 0;
  std::size_t trace_index_ = 0;
  int mmpp_state_ = 0;
  double mmpp_switch_at_ = 0;
};

} // namespace edgesim
