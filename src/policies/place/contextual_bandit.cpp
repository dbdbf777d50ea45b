#include "policies/place/contextual_bandit.hpp"

#include <cmath>

namespace edgesim {

ContextualBandit::ContextualBandit(std::size_t contexts, std::size_t arms, double exploration, std::uint64_t seed)
    : arms_(arms), exploration_(exploration), stats_(contexts * arms), rng_(seed) {}

std::size_t ContextualBandit::choose(std::size_t context) {
  std::uint64_t total = 0;
  for (std::size_t a = 0; a < arms_; ++a) {
    if (at(context, a).n == 0)
      return a;
    total += at(context, a).n;
  }
  std::vector<std::size_t> best;
  double best_score = -1;
  for (std::size_t a = 0; a < arms_; ++a) {
    const Stats& s = at(context, a);
    const double score =
        s.sum / static_cast<double>(s.n) +
        exploration_ * std::sqrt(2.0 * std::log(static_cast<double>(total)) / static_cast<double>(s.n));
    if (score > best_score + 1e-12) {
      best_score = score;
      best.assign(1, a);
    } else if (std::abs(score - best_score) <= 1e-12) {
      best.push_back(a);
    }
  }
  return best.size() == 1 ? best.front() : best[rng_.below(best.size())];
}

void ContextualBandit::reward(std::size_t context, std::size_t arm, double value) {
  Stats& s = at(context, arm);
  s.n++;
  s.sum += value;
}

double ContextualBandit::mean(std::size_t context, std::size_t arm) const {
  const Stats& s = at(context, arm);
  return s.n > 0 ? s.sum / static_cast<double>(s.n) : 0.0;
}

std::uint64_t ContextualBandit::pulls(std::size_t context, std::size_t arm) const {
  return at(context, arm).n;
}

} // namespace edgesim
