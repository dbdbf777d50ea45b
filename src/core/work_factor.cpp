#include "core/work_factor.hpp"

#include <cmath>

namespace edgesim {

double draw_work_factor(const WorkSpec& work, Rng& rng) {
  switch (work.kind) {
  case WorkSpec::Kind::Deterministic:
    return 1.0;
  case WorkSpec::Kind::Exponential:
    return rng.exponential(1.0);
  case WorkSpec::Kind::Erlang: {
    double sum = 0;
    for (int i = 0; i < work.stages; ++i)
      sum += rng.exponential(static_cast<double>(work.stages));
    return sum;
  }
  case WorkSpec::Kind::Hyperexponential: {
    // Balanced means: p/mu1 = (1-p)/mu2, overall mean 1, given squared CV.
    const double p = 0.5 * (1.0 + std::sqrt((work.h2_scv - 1.0) / (work.h2_scv + 1.0)));
    const double mean1 = 1.0 / (2.0 * p);
    const double mean2 = 1.0 / (2.0 * (1.0 - p));
    return rng.uniform() < p ? rng.exponential(1.0 / mean1) : rng.exponential(1.0 / mean2);
  }
  }
  return 1.0;
}

} // namespace edgesim
