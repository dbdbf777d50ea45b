// ContextualBandit: untried arms first, then UCB1 per context; contexts learn apart.
#include "policies/place/contextual_bandit.hpp"

#include <gtest/gtest.h>

namespace {

using edgesim::ContextualBandit;

TEST(ContextualBandit, TriesEveryArmThenExploitsTheBetter) {
  ContextualBandit bandit(1, 2, 0.1, 7);
  EXPECT_EQ(bandit.choose(0), 0U);
  bandit.reward(0, 0, 0.2);
  EXPECT_EQ(bandit.choose(0), 1U);
  bandit.reward(0, 1, 0.8);
  int second = 0;
  for (int i = 0; i < 100; ++i) {
    const std::size_t arm = bandit.choose(0);
    bandit.reward(0, arm, arm == 1 ? 0.8 : 0.2);
    second += arm == 1 ? 1 : 0;
  }
  EXPECT_GE(second, 95);
  EXPECT_NEAR(bandit.mean(0, 1), 0.8, 1e-12);
}

TEST(ContextualBandit, ContextsAreIndependent) {
  ContextualBandit bandit(2, 2, 0.1, 7);
  for (int i = 0; i < 50; ++i) {
    const std::size_t a = bandit.choose(0);
    bandit.reward(0, a, a == 0 ? 1.0 : 0.0);
    const std::size_t b = bandit.choose(1);
    bandit.reward(1, b, b == 1 ? 1.0 : 0.0);
  }
  EXPECT_EQ(bandit.choose(0), 0U);
  EXPECT_EQ(bandit.choose(1), 1U);
  EXPECT_GT(bandit.pulls(0, 0), bandit.pulls(0, 1));
  EXPECT_GT(bandit.pulls(1, 1), bandit.pulls(1, 0));
}

TEST(ContextualBandit, TiesAreBrokenDeterministicallyBySeed) {
  const auto sequence = [](std::uint64_t seed) {
    ContextualBandit bandit(1, 3, 0.0, seed);
    std::vector<std::size_t> arms;
    for (int i = 0; i < 20; ++i) {
      const std::size_t arm = bandit.choose(0);
      bandit.reward(0, arm, 0.5);
      arms.push_back(arm);
    }
    return arms;
  };
  EXPECT_EQ(sequence(3), sequence(3));
}

} // namespace
