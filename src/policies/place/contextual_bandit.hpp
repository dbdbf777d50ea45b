#pragma once
// A contextual multi-armed bandit: one UCB1 learner per discrete context. Rewards are
// in [0, 1]; an arm never tried in a context is tried first (lowest index first), then
// the arm with the highest mean + exploration x sqrt(2 ln N / n) is chosen, ties broken
// by a seeded generator, so a run is deterministic with its seed.
#include <edgesim/random.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgesim {

class ContextualBandit {
public:
  ContextualBandit(std::size_t contexts, std::size_t arms, double exploration, std::uint64_t seed);

  [[nodiscard]] std::size_t choose(std::size_t context);
  void reward(std::size_t context, std::size_t arm, double value);

  [[nodiscard]] double mean(std::size_t context, std::size_t arm) const;
  [[nodiscard]] std::uint64_t pulls(std::size_t context, std::size_t arm) const;

private:
  struct Stats {
    std::uint64_t n = 0;
    double sum = 0;
  };
  [[nodiscard]] Stats& at(std::size_t context, std::size_t arm) { return stats_[context * arms_ + arm]; }
  [[nodiscard]] const Stats& at(std::size_t context, std::size_t arm) const { return stats_[context * arms_ + arm]; }

  std::size_t arms_;
  double exploration_;
  std::vector<Stats> stats_;
  Rng rng_;
};

} // namespace edgesim
