#pragma once
// The offline half of the `pareto` exit policy (Dělen, Liang et al., IoTDI 2023):
// profile a multi-exit model's per-request exit behaviour, score every threshold
// vector of a grid on it (expected accuracy, compute latency, energy), keep the
// non-dominated ones and pick the point a tenant's objective asks for. Kept apart from
// the policy so that the frontier and the selection can be tested on their own.
#include <edgesim/model.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace edgesim::pareto {

/// One operating point: higher accuracy is better, lower latency and energy are better.
struct Metrics {
  double accuracy = 0; // expected top-1 accuracy, 0..1
  double latency = 0;  // expected compute time to the exit taken, s
  double energy = 0;   // expected energy, in units of Gflop executed (see exit_energy)
};

/// True when `a` is at least as good as `b` on every axis and strictly better on one.
[[nodiscard]] bool dominates(const Metrics& a, const Metrics& b) noexcept;

/// Indices of the non-dominated points, ordered by increasing latency (then energy,
/// then decreasing accuracy). Points with identical metrics are collapsed into the one
/// with the lowest index, so every point left out is dominated by, or equal to, a
/// point returned.
[[nodiscard]] std::vector<std::size_t> frontier(std::span<const Metrics> points);

/// What the exit classifiers say about `samples` requests: confidence and correctness
/// of request s at exit i (i = exits is the final classifier) at s * (exits + 1) + i.
struct ExitProfile {
  std::size_t exits = 0;
  std::size_t samples = 0;
  std::vector<double> confidence;
  std::vector<std::uint8_t> correct;
};

/// Draws `samples` requests from the model's exit behaviour (an ExitOracle seeded with
/// `seed`: synthetic, or the model's trace).
[[nodiscard]] ExitProfile profile_exits(const ModelProfile& model, std::uint64_t seed, std::size_t samples);

/// Energy of a request leaving at exit i, i = 0..exits, as the Gflop it executed up to
/// there (layers plus every classifier met). On one host the dynamic energy is
/// proportional to executed work, so any constant J/Gflop factor leaves the frontier
/// and every objective's choice unchanged.
[[nodiscard]] std::vector<double> exit_energy(const ModelProfile& model);

struct Candidate {
  std::vector<double> thresholds; // one per intermediate exit; > 1 never leaves there
  Metrics metrics;
};

/// Scores every threshold vector of the grid (the Cartesian product of grid[i], one list
/// per intermediate exit) on the profile: a request leaves at the first exit whose
/// confidence >= its threshold, else at the final classifier.
[[nodiscard]] std::vector<Candidate> evaluate_grid(const ExitProfile& profile,
                                                   const std::vector<std::vector<double>>& grid,
                                                   std::span<const double> exit_times,
                                                   std::span<const double> exit_energies);

enum class Objective { MaxAccuracy, MinEnergy, Balanced };

[[nodiscard]] std::optional<Objective> parse_objective(std::string_view name);

struct Goal {
  Objective objective = Objective::MaxAccuracy;
  double latency_budget = std::numeric_limits<double>::infinity(); // max-accuracy, balanced
  double min_accuracy = 0;                                         // min-energy
};

/// Index (into `points`, normally a frontier) of the point that serves the goal:
///  - max-accuracy: the most accurate point whose latency fits the budget; if none
///    fits, the fastest point.
///  - min-energy: the least energy among points with accuracy >= min_accuracy; if none
///    reaches it, the most accurate point.
///  - balanced: among points within the latency budget (all, if none is), the one
///    nearest the utopia point (best accuracy, latency and energy seen) once each axis
///    is scaled to [0, 1].
/// Ties go to higher accuracy, then lower latency, then lower energy. Requires a
/// non-empty span.
[[nodiscard]] std::size_t select(std::span<const Metrics> points, const Goal& goal);

} // namespace edgesim::pareto
