#include "core/engine/progress_reporter.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace edgesim {

void ProgressReporter::report(double simulated, std::uint64_t requests, bool final_line) {
  if (!enabled_)
    return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(2) || (!final_line && now - last_ < std::chrono::seconds(1)))
    return;
  last_ = now;
  const double wall = std::chrono::duration<double>(now - start_).count();
  std::string line;
  if (std::isfinite(duration_)) {
    const double fraction = std::min(1.0, simulated / duration_);
    const double eta = fraction > 0 ? wall * (1 - fraction) / fraction : 0;
    line = fmt::format("[edgesim] {:5.1f}%  simulated {:.1f}/{:.1f} s  requests {}  elapsed {:.1f} s  ETA {:.1f} s",
                       100 * fraction, simulated, duration_, requests, wall, eta);
  } else {
    line = fmt::format("[edgesim] simulated {:.1f} s  requests {}  elapsed {:.1f} s", simulated, requests, wall);
  }
  const bool tty = isatty(STDERR_FILENO) != 0;
  std::fputs(tty ? ("\r" + line + (final_line ? "\n" : "")).c_str() : (line + "\n").c_str(), stderr);
  std::fflush(stderr);
}

} // namespace edgesim
