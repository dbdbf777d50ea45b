#include <edgesim/model.hpp>

#include <algorithm>

namespace edgesim {

double LatencyMeasurement::speedup(int n) const {
  n = std::max(1, n);
  if (scaling.empty())
    return static_cast<double>(n);
  // (1, 1) is implied: a point at n = 1 may only restate it.
  int lo_n = 1;
  double lo_s = 1.0;
  for (const auto& [points_n, points_s] : scaling) {
    if (n <= points_n) {
      if (points_n == lo_n)
        return points_s;
      const double w = static_cast<double>(n - lo_n) / static_cast<double>(points_n - lo_n);
      return lo_s + w * (points_s - lo_s);
    }
    lo_n = points_n;
    lo_s = points_s;
  }
  // Past the last point: Amdahl's law S(n) = 1 / ((1 - p) + p / n) through it. A last
  // point with no gain (S <= 1) or a super-linear one (p >= 1) extrapolates flat or
  // linearly instead, so the curve stays finite and monotone.
  if (lo_n <= 1 || lo_s <= 1.0)
    return lo_s;
  const double p = (1.0 - 1.0 / lo_s) / (1.0 - 1.0 / static_cast<double>(lo_n));
  if (p >= 1.0)
    return lo_s * static_cast<double>(n) / static_cast<double>(lo_n);
  return 1.0 / ((1.0 - p) + p / static_cast<double>(n));
}

double measured_work_per_thread(const LatencyMeasurement& m, double latency, std::span<const double> pstate_speeds,
                                int threads) {
  return latency * m.thread_factor(threads) * pstate_speeds[static_cast<std::size_t>(m.pstate)];
}

} // namespace edgesim
