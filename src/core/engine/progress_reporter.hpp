#pragma once
// Progress lines on stderr for long runs (edgesim run without -q): nothing for runs
// shorter than 2 s of wall time, then a line a second and a last one at the end; on a
// terminal the line is rewritten in place.
#include <chrono>
#include <cstdint>

namespace edgesim {

class ProgressReporter {
public:
  ProgressReporter(bool enabled, double duration) : enabled_(enabled), duration_(duration) {}

  void report(double simulated, std::uint64_t requests, bool final_line);

private:
  bool enabled_;
  double duration_; // simulated seconds the run lasts, infinity when unknown
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

} // namespace edgesim
