#include "policies/exit/pareto_frontier.hpp"

#include <edgesim/exit_oracle.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace edgesim::pareto {

bool dominates(const Metrics& a, const Metrics& b) noexcept {
  const bool no_worse = a.accuracy >= b.accuracy && a.latency <= b.latency && a.energy <= b.energy;
  const bool better = a.accuracy > b.accuracy || a.latency < b.latency || a.energy < b.energy;
  return no_worse && better;
}

namespace {

bool same(const Metrics& a, const Metrics& b) noexcept {
  return a.accuracy == b.accuracy && a.latency == b.latency && a.energy == b.energy;
}

// Preference among points that an objective cannot tell apart.
bool preferred(const Metrics& a, const Metrics& b) noexcept {
  if (a.accuracy != b.accuracy)
    return a.accuracy > b.accuracy;
  if (a.latency != b.latency)
    return a.latency < b.latency;
  return a.energy < b.energy;
}

} // namespace

std::vector<std::size_t> frontier(std::span<const Metrics> points) {
  // In this order a point can only be dominated by points before it, so one sweep that
  // compares each point with the frontier kept so far suffices (a point dominated by a
  // dropped point is, by transitivity, dominated by the kept point that dropped it).
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Metrics& p = points[a];
    const Metrics& q = points[b];
    if (p.latency != q.latency)
      return p.latency < q.latency;
    if (p.energy != q.energy)
      return p.energy < q.energy;
    return p.accuracy > q.accuracy;
  });
  std::vector<std::size_t> kept;
  for (std::size_t index : order) {
    const Metrics& p = points[index];
    const bool covered = std::any_of(kept.begin(), kept.end(),
                                     [&](std::size_t k) { return dominates(points[k], p) || same(points[k], p); });
    if (!covered)
      kept.push_back(index);
  }
  return kept;
}

ExitProfile profile_exits(const ModelProfile& model, std::uint64_t seed, std::size_t samples) {
  ExitProfile profile;
  profile.exits = model.exits.size();
  profile.samples = samples;
  const std::size_t per_sample = profile.exits + 1;
  profile.confidence.reserve(samples * per_sample);
  profile.correct.reserve(samples * per_sample);
  ExitOracle oracle(model, seed);
  for (std::size_t s = 0; s < samples; ++s) {
    double difficulty = 0;
    std::uint64_t sample = 0;
    oracle.begin_request(difficulty, sample);
    for (std::size_t i = 0; i < per_sample; ++i) {
      const ExitOutcomeDraw draw = oracle.at_exit(i, difficulty, sample);
      profile.confidence.push_back(draw.confidence);
      profile.correct.push_back(draw.correct ? 1 : 0);
    }
  }
  return profile;
}

std::vector<double> exit_energy(const ModelProfile& model) {
  std::vector<double> energy;
  double flops = 0;
  std::size_t next_exit = 0;
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    flops += model.layers[l].flops;
    for (; next_exit < model.exits.size() && model.exits[next_exit].after_layer == l; ++next_exit) {
      flops += model.exits[next_exit].flops;
      energy.push_back(flops * 1e-9);
    }
  }
  energy.push_back(flops * 1e-9);
  return energy;
}

std::vector<Candidate> evaluate_grid(const ExitProfile& profile, const std::vector<std::vector<double>>& grid,
                                     std::span<const double> exit_times, std::span<const double> exit_energies) {
  const std::size_t n = profile.exits;
  if (grid.size() != n)
    throw std::invalid_argument("pareto: one threshold list per intermediate exit is required");
  if (exit_times.size() != n + 1 || exit_energies.size() != n + 1)
    throw std::invalid_argument("pareto: one time and one energy per exit (final included) are required");
  if (profile.samples == 0)
    throw std::invalid_argument("pareto: the profile has no samples");
  for (const auto& list : grid)
    if (list.empty())
      throw std::invalid_argument("pareto: every exit needs at least one candidate threshold");

  std::vector<Candidate> candidates;
  std::vector<std::size_t> digit(n, 0); // odometer over the Cartesian product
  const double per_sample = 1.0 / static_cast<double>(profile.samples);
  while (true) {
    Candidate candidate;
    for (std::size_t i = 0; i < n; ++i)
      candidate.thresholds.push_back(grid[i][digit[i]]);
    std::size_t correct = 0;
    double time = 0;
    double energy = 0;
    for (std::size_t s = 0; s < profile.samples; ++s) {
      const std::size_t row = s * (n + 1);
      std::size_t exit = 0;
      while (exit < n && profile.confidence[row + exit] < candidate.thresholds[exit])
        ++exit;
      correct += profile.correct[row + exit];
      time += exit_times[exit];
      energy += exit_energies[exit];
    }
    candidate.metrics = {static_cast<double>(correct) * per_sample, time * per_sample, energy * per_sample};
    candidates.push_back(std::move(candidate));
    std::size_t i = 0;
    while (i < n && ++digit[i] == grid[i].size())
      digit[i++] = 0;
    if (i == n)
      break;
  }
  return candidates;
}

std::optional<Objective> parse_objective(std::string_view name) {
  if (name == "max-accuracy")
    return Objective::MaxAccuracy;
  if (name == "min-energy")
    return Objective::MinEnergy;
  if (name == "balanced")
    return Objective::Balanced;
  return std::nullopt;
}

std::size_t select(std::span<const Metrics> points, const Goal& goal) {
  if (points.empty())
    throw std::invalid_argument("pareto: nothing to select from");
  // The best index among those `eligible`, by `better` then the tie preference.
  auto best_of = [&](auto eligible, auto better) -> std::optional<std::size_t> {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!eligible(points[i]))
        continue;
      if (!best || better(points[i], points[*best]) ||
          (!better(points[*best], points[i]) && preferred(points[i], points[*best])))
        best = i;
    }
    return best;
  };
  auto any = [](const Metrics&) { return true; };
  auto within_budget = [&](const Metrics& m) { return m.latency <= goal.latency_budget; };
  auto more_accurate = [](const Metrics& a, const Metrics& b) { return a.accuracy > b.accuracy; };
  auto faster = [](const Metrics& a, const Metrics& b) { return a.latency < b.latency; };
  auto cheaper = [](const Metrics& a, const Metrics& b) { return a.energy < b.energy; };

  switch (goal.objective) {
  case Objective::MaxAccuracy:
    if (auto best = best_of(within_budget, more_accurate))
      return *best;
    return *best_of(any, faster);
  case Objective::MinEnergy:
    if (auto best = best_of([&](const Metrics& m) { return m.accuracy >= goal.min_accuracy; }, cheaper))
      return *best;
    return *best_of(any, more_accurate);
  case Objective::Balanced: {
    const bool some_fit = std::any_of(points.begin(), points.end(), within_budget);
    auto eligible = [&](const Metrics& m) { return !some_fit || within_budget(m); };
    constexpr double inf = std::numeric_limits<double>::infinity();
    Metrics low{inf, inf, inf};
    Metrics high{-inf, -inf, -inf};
    for (const Metrics& m : points) {
      if (!eligible(m))
        continue;
      low = {std::min(low.accuracy, m.accuracy), std::min(low.latency, m.latency), std::min(low.energy, m.energy)};
      high = {std::max(high.accuracy, m.accuracy), std::max(high.latency, m.latency), std::max(high.energy, m.energy)};
    }
    // Axes on which every point agrees carry no trade-off and are left out.
    auto scaled = [](double gap, double range) { return range > 0 ? gap / range : 0.0; };
    auto distance = [&](const Metrics& m) {
      const double a = scaled(high.accuracy - m.accuracy, high.accuracy - low.accuracy);
      const double l = scaled(m.latency - low.latency, high.latency - low.latency);
      const double e = scaled(m.energy - low.energy, high.energy - low.energy);
      return a * a + l * l + e * e;
    };
    return *best_of(eligible, [&](const Metrics& a, const Metrics& b) { return distance(a) < distance(b); });
  }
  }
  throw std::logic_error("pareto: unknown objective");
}

} // namespace edgesim::pareto
