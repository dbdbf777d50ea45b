#include "scenario/scenario.hpp"

namespace edgesim {

double ArrivalSpec::mean_rate() const {
  switch (kind) {
  case Kind::Poisson:
  case Kind::Periodic:
    return rate;
  case Kind::Mmpp2:
    return (rates[0] * sojourn[0] + rates[1] * sojourn[1]) / (sojourn[0] + sojourn[1]);
  case Kind::Trace:
    if (trace_times.size() < 2 || trace_times.back() <= trace_times.front())
      return 0;
    return static_cast<double>(trace_times.size() - 1) / (trace_times.back() - trace_times.front());
  }
  return 0;
}

const HostSettings& Scenario::host_settings(std::string_view host) const {
  auto it = host_overrides.find(host);
  return it == host_overrides.end() ? default_host : it->second;
}

} // namespace edgesim
