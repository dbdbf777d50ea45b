// The multi-class FCFS/K chain reduces to M/M/1/K where it must: one class, or classes
// with the same service rate (then classes are indistinguishable in the total count).
#include "queueing/mm1k.hpp"
#include "queueing/multiclass_fcfs.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace {

using namespace edgesim::queueing;

TEST(MulticlassFcfs, OneClassIsMM1K) {
  const std::vector<double> lambda{8.0}, mu{10.0};
  const auto result = solve_multiclass_fcfs(lambda, mu, 5);
  const auto exact = solve_mm1k(8.0, 10.0, 5);
  EXPECT_NEAR(result.loss, exact.loss_probability, 1e-12);
  EXPECT_NEAR(result.response_time[0], exact.mean_response_time, 1e-12);
}

TEST(MulticlassFcfs, EqualServiceRatesAggregateToMM1K) {
  const std::vector<double> lambda{3.0, 6.0}, mu{10.0, 10.0};
  const auto result = solve_multiclass_fcfs(lambda, mu, 4);
  const auto exact = solve_mm1k(9.0, 10.0, 4);
  EXPECT_NEAR(result.loss, exact.loss_probability, 1e-12);
  for (std::size_t c = 0; c < 2; ++c)
    EXPECT_NEAR(result.response_time[c], exact.mean_response_time, 1e-12);
  EXPECT_NEAR(result.mean_in_system[1] / result.mean_in_system[0], 2.0, 1e-12);
}

TEST(MulticlassFcfs, SlowClassRaisesEveryonesResponseTime) {
  // FCFS: a class waits behind the other's work, so the fast class's response time is
  // above its M/M/1/K value at the same total load in its own units.
  const std::vector<double> lambda{4.0, 3.0}, mu{20.0, 5.0};
  const auto result = solve_multiclass_fcfs(lambda, mu, 6);
  EXPECT_GT(result.loss, 0.0);
  EXPECT_LT(result.loss, 1.0);
  EXPECT_GT(result.response_time[0], 1.0 / 20.0);
  EXPECT_GT(result.response_time[1], result.response_time[0]); // same wait, longer service
  EXPECT_NEAR(result.response_time[1] - result.response_time[0], 1.0 / 5.0 - 1.0 / 20.0, 1e-9);
  EXPECT_THROW((void)solve_multiclass_fcfs(lambda, mu, 20, 1000), std::invalid_argument);
}

} // namespace
