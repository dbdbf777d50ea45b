#pragma once
// The `rate` key of the processes that have one (poisson, periodic).
#include <edgesim/config_view.hpp>

#include <string_view>

namespace edgesim {

inline double positive_arrival_rate(const ConfigView& view, std::string_view key) {
  const double rate = view.get_double(key);
  if (!(rate > 0))
    view.fail(key, "a positive arrival rate (requests per second)");
  return rate;
}

} // namespace edgesim
