#pragma once
// A service law as a continuous phase-type distribution: where the exact Markov chain of a
// queueing network needs it, each station's service is a small absorbing chain over
// phases. A ServiceDistribution without deterministic components is one (a mixture of
// exponential and Erlang components: each Erlang-k contributes k phases in sequence).
#include "queueing/service_distribution.hpp"

#include <optional>
#include <utility>
#include <vector>

namespace edgesim::queueing {

struct PhaseType {
  std::vector<double> initial;                           // P(service starts in phase j)
  std::vector<std::vector<std::pair<int, double>>> next; // phase j -> (phase j', rate)
  std::vector<double> completion;                        // rate of finishing from phase j

  [[nodiscard]] std::size_t phases() const noexcept { return initial.size(); }
};

/// The law as a phase-type distribution, or nullopt when it has a deterministic component
/// (a fixed time is no finite phase-type law).
[[nodiscard]] std::optional<PhaseType> as_phase_type(const ServiceDistribution& law);

/// A law with the given mean and squared coefficient of variation from the family the
/// engine can also draw: deterministic (scv 0), a deterministic/exponential mixture of
/// equal means (0 < scv <= 1: exponential with probability scv), balanced-means H2 (scv > 1).
[[nodiscard]] ServiceDistribution law_with_scv(double mean, double scv);

} // namespace edgesim::queueing
