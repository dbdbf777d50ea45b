// queueing/loss_tandem and queueing/phase_type: the exact Markov chain of a tandem of
// finite-buffer loss stations against closed forms it must reduce to, and the two
// decompositions where they are exact.
#include "queueing/loss_tandem.hpp"
#include "queueing/mg1k.hpp"
#include "queueing/mm1k.hpp"
#include "queueing/multiclass_fcfs.hpp"
#include "queueing/phase_type.hpp"
#include "queueing/tandem.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace edgesim::queueing {
namespace {

using SD = ServiceDistribution;

LossTandem tandem(std::vector<double> rates, std::vector<std::vector<SD>> service, std::vector<int> K) {
  return LossTandem{std::move(rates), std::move(service), std::move(K)};
}

TEST(PhaseType, ErlangAndMixturesBecomePhasesDeterministicDoesNot) {
  const auto e3 = as_phase_type(SD::erlang(3, 0.3));
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->phases(), 3U);
  EXPECT_EQ(e3->initial[0], 1.0);
  EXPECT_DOUBLE_EQ(e3->next[0][0].second, 10.0);
  EXPECT_DOUBLE_EQ(e3->completion[2], 10.0);
  const auto h2 = as_phase_type(SD::hyperexponential2(0.25, 1.0, 2.0));
  ASSERT_TRUE(h2);
  EXPECT_DOUBLE_EQ(h2->initial[0], 0.25);
  EXPECT_DOUBLE_EQ(h2->completion[1], 0.5);
  EXPECT_FALSE(as_phase_type(SD::deterministic(1.0)));
}

TEST(PhaseType, LawWithScvHasTheAskedMeanAndScv) {
  for (double scv : {0.0, 0.3, 1.0, 4.0}) {
    const SD law = law_with_scv(0.02, scv);
    EXPECT_NEAR(law.mean(), 0.02, 1e-15) << scv;
    EXPECT_NEAR(law.scv(), scv, 1e-12) << scv;
  }
  EXPECT_THROW((void)law_with_scv(0.0, 1.0), std::invalid_argument);
}

TEST(LossTandemCtmc, OneExponentialStationIsMM1K) {
  const auto exact = solve_loss_tandem_ctmc(tandem({3.0}, {{SD::exponential(0.25)}}, {4}));
  ASSERT_TRUE(exact);
  const QueueMetrics mm1k = solve_mm1k(3.0, 4.0, 4);
  EXPECT_NEAR(exact->loss, mm1k.loss_probability, 1e-12);
  EXPECT_NEAR(exact->stations[0].mean_in_system, mm1k.mean_in_system, 1e-12);
  EXPECT_NEAR(exact->response, mm1k.mean_response_time, 1e-12);
}

TEST(LossTandemCtmc, OneErlangStationIsMG1K) {
  const SD law = SD::erlang(3, 0.1);
  const auto exact = solve_loss_tandem_ctmc(tandem({12.0}, {{law}}, {5}));
  ASSERT_TRUE(exact);
  const QueueMetrics mg1k = solve_mg1k(12.0, law, 5);
  EXPECT_NEAR(exact->loss, mg1k.loss_probability, 1e-10);
  EXPECT_NEAR(exact->response, mg1k.mean_response_time, 1e-10);
}

TEST(LossTandemCtmc, TwoClassesOnOneStationAreTheMulticlassChain) {
  const std::vector<double> rates{4.0, 3.0};
  const auto exact = solve_loss_tandem_ctmc(tandem(rates, {{SD::exponential(0.05), SD::exponential(0.2)}}, {4}));
  ASSERT_TRUE(exact);
  const std::vector<double> mu{20.0, 5.0};
  const auto reference = solve_multiclass_fcfs(rates, mu, 4);
  EXPECT_NEAR(exact->loss, reference.loss, 1e-12);
  EXPECT_NEAR(exact->stations[0].mean_in_system, reference.mean_in_system[0] + reference.mean_in_system[1], 1e-12);
}

TEST(LossTandemCtmc, LargeBuffersApproachTheJacksonTandem) {
  // K = 40 at loads 0.5 and 0.6: losses below 1e-8, so Burke's product form holds.
  const std::vector<double> mu{10.0, 25.0 / 3.0};
  const auto exact =
      solve_loss_tandem_ctmc(tandem({5.0}, {{SD::exponential(1 / mu[0])}, {SD::exponential(1 / mu[1])}}, {40, 40}));
  ASSERT_TRUE(exact);
  EXPECT_LT(exact->loss, 1e-8);
  const auto jackson = jackson_tandem_mean_in_system(5.0, mu);
  EXPECT_NEAR(exact->stations[0].mean_in_system, jackson[0], 1e-6);
  EXPECT_NEAR(exact->stations[1].mean_in_system, jackson[1], 1e-6);
  EXPECT_NEAR(exact->response, jackson_tandem_mean_response(5.0, mu), 1e-6);
}

TEST(LossTandemCtmc, LossAtTheSecondStationIsRateWeighted) {
  // A fast first station feeding a slow K = 1 second one: most of the loss is there, and
  // flow is conserved: lambda (1 - L0) (1 - L1) = throughput.
  const auto exact = solve_loss_tandem_ctmc(tandem({5.0}, {{SD::exponential(0.05)}, {SD::exponential(0.3)}}, {3, 1}));
  ASSERT_TRUE(exact);
  const auto& s = exact->stations;
  EXPECT_GT(s[1].loss, 0.5);
  EXPECT_NEAR(5.0 * (1 - s[0].loss) * (1 - s[1].loss), exact->throughput, 1e-12);
  EXPECT_NEAR(s[1].arrival_rate, s[0].throughput, 1e-12);
  // The first station sees Poisson input and no blocking: exactly M/M/1/3.
  EXPECT_NEAR(s[0].loss, solve_mm1k(5.0, 20.0, 3).loss_probability, 1e-12);
}

TEST(LossTandemCtmc, LargeChainsSolvedIterativelyKeepTheClosedForms) {
  // 21^3 = 9261 states: past the direct solver's limit.
  const LossTandem net =
      tandem({60.0}, {{SD::exponential(0.0125)}, {SD::exponential(0.015)}, {SD::exponential(0.01)}}, {20, 20, 20});
  const auto exact = solve_loss_tandem_ctmc(net);
  ASSERT_TRUE(exact);
  EXPECT_NEAR(exact->stations[0].loss, solve_mm1k(60.0, 80.0, 20).loss_probability, 1e-10);
  EXPECT_NEAR(exact->stations[0].mean_in_system, solve_mm1k(60.0, 80.0, 20).mean_in_system, 1e-8);
  const auto& s = exact->stations;
  EXPECT_NEAR(60.0 * (1 - s[0].loss) * (1 - s[1].loss) * (1 - s[2].loss), exact->throughput, 1e-9);
}

TEST(LossTandemCtmc, DeterministicServiceOrTooManyStatesHasNoChain) {
  EXPECT_FALSE(solve_loss_tandem_ctmc(tandem({1.0}, {{SD::deterministic(0.1)}}, {3})));
  EXPECT_FALSE(
      solve_loss_tandem_ctmc(tandem({1.0}, {{SD::exponential(0.1)}, {SD::exponential(0.1)}}, {500, 500}), 1000));
  EXPECT_THROW((void)solve_loss_tandem_ctmc(tandem({1.0}, {{SD::exponential(0.1)}}, {0})), std::invalid_argument);
}

TEST(LossNetworkCtmc, RevisitingAStationRejoinsItsTail) {
  // K = 1, two visits to the same station in a row: an M/G/1/1 whose service is the sum
  // of the visits (it rejoins the empty station at once), so the loss is insensitive:
  // rho / (1 + rho), rho = lambda (E[S1] + E[S2]).
  LossNetwork net;
  net.capacity = {1};
  net.classes.push_back({.arrival_rate = 3.0, .route = {0, 0}, .service = {SD::exponential(0.1), SD::erlang(2, 0.2)}});
  const auto exact = solve_loss_network_ctmc(net);
  ASSERT_TRUE(exact);
  const double rho = 3.0 * 0.3;
  EXPECT_NEAR(exact->classes[0].loss, rho / (1 + rho), 1e-12);
  EXPECT_NEAR(exact->classes[0].response, 0.3, 1e-12); // no waiting with K = 1
  EXPECT_NEAR(exact->stations[0].loss * exact->stations[0].arrival_rate, 3.0 * rho / (1 + rho), 1e-12);
}

TEST(LossNetworkCtmc, CrossingRoutesConserveFlowAndTandemsAreUnchanged) {
  LossNetwork net;
  net.capacity = {3, 2};
  net.classes.push_back(
      {.arrival_rate = 15.0, .route = {0, 1}, .service = {SD::exponential(0.02), SD::exponential(0.03)}});
  net.classes.push_back(
      {.arrival_rate = 8.0, .route = {1, 0}, .service = {SD::exponential(0.04), SD::erlang(2, 0.01)}});
  const auto exact = solve_loss_network_ctmc(net);
  ASSERT_TRUE(exact);
  for (const auto& c : exact->classes)
    EXPECT_NEAR(c.throughput, c.arrival_rate * (1 - c.loss), 1e-12);
  // Each station's input is the first visits arriving there plus the other class's first
  // station's output.
  EXPECT_NEAR(exact->stations[0].arrival_rate, 15.0 + exact->stations[1].throughput - exact->classes[0].throughput,
              1e-9);
  // The tandem entry points are the network functions on routes 0..N-1.
  const LossTandem tandem{{5.0}, {{SD::exponential(0.05)}, {SD::exponential(0.3)}}, {3, 1}};
  const auto t = solve_loss_tandem_ctmc(tandem);
  const auto n = solve_loss_network_ctmc(as_network(tandem));
  ASSERT_TRUE(t && n);
  EXPECT_EQ(t->stations[1].loss, n->stations[1].loss);
  EXPECT_EQ(t->throughput, n->classes[0].throughput);
}

TEST(LossTandemDecomposition, ExponentialTandemsLookPoissonToBoth) {
  // Whitt's departure scv keeps 1 for exponential service, so the two-moment
  // decomposition is the Poisson one there.
  const LossTandem net = tandem({8.0}, {{SD::exponential(0.1)}, {SD::exponential(0.125)}}, {2, 2});
  const TandemMetrics poisson = decompose_poisson(net);
  const TandemMetrics two_moment = decompose_two_moment(net);
  EXPECT_NEAR(two_moment.stations[1].loss, poisson.stations[1].loss, 1e-9);
  EXPECT_NEAR(two_moment.response, poisson.response, 1e-9);
}

TEST(LossTandemDecomposition, FirstStationIsExactAndDownstreamDiffers) {
  const LossTandem net = tandem({8.0}, {{SD::erlang(4, 0.1)}, {SD::erlang(4, 0.125)}}, {2, 2});
  const auto exact = solve_loss_tandem_ctmc(net);
  ASSERT_TRUE(exact);
  const TandemMetrics poisson = decompose_poisson(net);
  const TandemMetrics two_moment = decompose_two_moment(net);
  EXPECT_NEAR(poisson.stations[0].loss, exact->stations[0].loss, 1e-12);
  // Departures of a loss station with Erlang service are smoother than Poisson: the
  // Poisson decomposition over-estimates the second station's loss, the two-moment one
  // (departure scv below 1) moves towards the chain.
  EXPECT_GT(poisson.stations[1].loss, exact->stations[1].loss);
  EXPECT_LT(std::abs(two_moment.stations[1].loss - exact->stations[1].loss),
            std::abs(poisson.stations[1].loss - exact->stations[1].loss));
}

} // namespace
} // namespace edgesim::queueing
