#include "queueing/phase_type.hpp"

#include <cmath>
#include <stdexcept>

namespace edgesim::queueing {

std::optional<PhaseType> as_phase_type(const ServiceDistribution& law) {
  PhaseType ph;
  double total_weight = 0;
  for (const auto& c : law.components())
    total_weight += c.weight;
  for (const auto& c : law.components()) {
    if (c.kind == ServiceComponent::Kind::Deterministic)
      return std::nullopt;
    const int stages = c.kind == ServiceComponent::Kind::Erlang ? c.stages : 1;
    const double rate = stages / c.mean;
    const auto first = static_cast<int>(ph.initial.size());
    for (int s = 0; s < stages; ++s) {
      ph.initial.push_back(s == 0 ? c.weight / total_weight : 0.0);
      ph.next.emplace_back();
      if (s + 1 < stages) {
        ph.next.back().emplace_back(first + s + 1, rate);
        ph.completion.push_back(0.0);
      } else {
        ph.completion.push_back(rate);
      }
    }
  }
  return ph;
}

ServiceDistribution law_with_scv(double mean, double scv) {
  if (!(mean > 0) || !(scv >= 0) || !std::isfinite(scv))
    throw std::invalid_argument("law_with_scv: mean > 0 and a finite scv >= 0");
  if (scv == 0)
    return ServiceDistribution::deterministic(mean);
  if (scv <= 1) {
    // Deterministic(m) w.p. 1 - w, exponential(m) w.p. w: E[S^2] = (1 + w) m^2, scv = w.
    if (scv == 1)
      return ServiceDistribution::exponential(mean);
    return ServiceDistribution(
        {{ServiceComponent::Kind::Deterministic, 1 - scv, mean}, {ServiceComponent::Kind::Exponential, scv, mean}});
  }
  const double p = 0.5 * (1.0 + std::sqrt((scv - 1.0) / (scv + 1.0)));
  return ServiceDistribution::hyperexponential2(p, mean / (2.0 * p), mean / (2.0 * (1.0 - p)));
}

} // namespace edgesim::queueing
