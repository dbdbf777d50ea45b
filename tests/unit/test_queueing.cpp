// Analytical queueing models: checked against closed forms, against an independent
// solution of the same Markov chain, and against limiting cases (K = 1, K -> infinity,
// heavy load).
#include "queueing/mg1k.hpp"
#include "queueing/mm1k.hpp"
#include "queueing/service_distribution.hpp"
#include "queueing/smith_approx.hpp"
#include "queueing/tandem.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace {

using edgesim::queueing::QueueMetrics;
using edgesim::queueing::ServiceComponent;
using edgesim::queueing::ServiceDistribution;
using edgesim::queueing::solve_mg1k;
using edgesim::queueing::solve_mm1k;

void expect_relative_near(double actual, double expected, double tolerance) {
  EXPECT_NEAR(actual, expected, tolerance * std::abs(expected)) << "expected " << expected << ", got " << actual;
}

void expect_valid_occupancy(const QueueMetrics& metrics) {
  double total = 0;
  for (double p : metrics.occupancy) {
    EXPECT_TRUE(std::isfinite(p));
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
    total += p;
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_TRUE(std::isfinite(metrics.mean_response_time));
  EXPECT_TRUE(std::isfinite(metrics.throughput));
}

// The service laws used across tests, all with mean 1 so that rho = lambda.
std::vector<ServiceDistribution> unit_mean_services() {
  const std::array<double, 3> exit_probabilities{0.5, 0.3, 0.2};
  const std::array<double, 3> segment_times{0.5, 0.5, 1.25}; // exits at 0.5, 1.0, 2.25 -> mean 1.0
  return {ServiceDistribution::deterministic(1.0), ServiceDistribution::exponential(1.0),
          ServiceDistribution::erlang(4, 1.0), ServiceDistribution::hyperexponential2(0.2, 4.0, 0.25),
          ServiceDistribution::mixture_of_deterministic(exit_probabilities, segment_times)};
}

// ---------------------------------------------------------------- service distribution

TEST(ServiceDistribution, MomentsOfEachLaw) {
  EXPECT_DOUBLE_EQ(ServiceDistribution::deterministic(2.0).mean(), 2.0);
  EXPECT_DOUBLE_EQ(ServiceDistribution::deterministic(2.0).scv(), 0.0);
  EXPECT_DOUBLE_EQ(ServiceDistribution::exponential(2.0).second_moment(), 8.0);
  EXPECT_DOUBLE_EQ(ServiceDistribution::exponential(2.0).scv(), 1.0);
  EXPECT_DOUBLE_EQ(ServiceDistribution::erlang(4, 2.0).scv(), 0.25);
  // H2: E[S] = 0.2*4 + 0.8*0.25 = 1, E[S^2] = 2 (0.2*16 + 0.8*0.0625) = 6.5
  const auto h2 = ServiceDistribution::hyperexponential2(0.2, 4.0, 0.25);
  EXPECT_DOUBLE_EQ(h2.mean(), 1.0);
  EXPECT_DOUBLE_EQ(h2.second_moment(), 6.5);
  EXPECT_DOUBLE_EQ(h2.scv(), 5.5);
}

TEST(ServiceDistribution, ExitMixtureUsesCumulativeTimes) {
  const std::array<double, 3> probabilities{0.5, 0.0, 0.5};
  const std::array<double, 3> segments{1.0, 2.0, 3.0};
  const auto service = ServiceDistribution::mixture_of_deterministic(probabilities, segments);
  ASSERT_EQ(service.components().size(), 2u); // the zero-probability exit is dropped
  EXPECT_DOUBLE_EQ(service.components()[0].mean, 1.0);
  EXPECT_DOUBLE_EQ(service.components()[1].mean, 6.0);
  EXPECT_DOUBLE_EQ(service.mean(), 3.5);
  EXPECT_DOUBLE_EQ(service.second_moment(), 0.5 * 1.0 + 0.5 * 36.0);
}

TEST(ServiceDistribution, WeightsAreNormalised) {
  const ServiceDistribution service(
      {{ServiceComponent::Kind::Deterministic, 3.0, 1.0}, {ServiceComponent::Kind::Exponential, 1.0, 5.0}});
  EXPECT_DOUBLE_EQ(service.components()[0].weight, 0.75);
  EXPECT_DOUBLE_EQ(service.mean(), 0.75 + 1.25);
}

TEST(ServiceDistribution, ArrivalPmfMatchesPoissonGeometricNegativeBinomial) {
  const double lambda = 1.5;
  const auto poisson = ServiceDistribution::deterministic(2.0).arrivals_during_service_pmf(lambda, 30);
  double expected = std::exp(-3.0);
  for (int k = 0; k <= 30; ++k) {
    expect_relative_near(poisson[k], expected, 1e-12);
    expected *= 3.0 / (k + 1);
  }
  const auto geometric = ServiceDistribution::exponential(2.0).arrivals_during_service_pmf(lambda, 30);
  for (int k = 0; k <= 30; ++k)
    expect_relative_near(geometric[k], 0.25 * std::pow(0.75, k), 1e-12);
  // Erlang-2 of mean 2: stage rate 1, p = 1 / (1 + 1.5): a_k = (k + 1) p^2 (1 - p)^k
  const auto negative_binomial = ServiceDistribution::erlang(2, 2.0).arrivals_during_service_pmf(lambda, 30);
  for (int k = 0; k <= 30; ++k)
    expect_relative_near(negative_binomial[k], (k + 1) * 0.16 * std::pow(0.6, k), 1e-12);
}

TEST(ServiceDistribution, ArrivalTailsAreConsistentAndAccurate) {
  for (const auto& service : unit_mean_services()) {
    const auto law = service.arrivals_during_service(2.0, 40);
    double head = 0;
    for (std::size_t m = 0; m < law.pmf.size(); ++m) {
      head += law.pmf[m];
      EXPECT_NEAR(head + law.tail[m], 1.0, 1e-13);
    }
    EXPECT_NEAR(law.excess[0], 2.0 - law.tail[0], 1e-12); // E[(A-1)^+] = E[A] - P(A >= 1)
    EXPECT_NEAR(std::log(law.pmf[0]), law.log_pmf_zero, 1e-12);
  }
  // A far tail of a Poisson law keeps its relative accuracy: P(A > 20), A ~ Poisson(1).
  const auto law = ServiceDistribution::deterministic(1.0).arrivals_during_service(1.0, 20);
  double expected_tail = 0;
  double term = std::exp(-1.0);
  for (int k = 1; k <= 60; ++k) {
    term /= k;
    if (k > 20)
      expected_tail += term;
  }
  expect_relative_near(law.tail[20], expected_tail, 1e-12);
}

TEST(ServiceDistribution, ArrivalPmfStableForLargeLoad) {
  const auto pmf = ServiceDistribution::deterministic(1.0).arrivals_during_service_pmf(500.0, 1000);
  double total = 0;
  for (double a : pmf) {
    ASSERT_TRUE(std::isfinite(a));
    total += a;
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  // Mode of Poisson(500): 500^500 e^-500 / 500! = 0.017838...
  expect_relative_near(pmf[500], std::exp(500 * std::log(500.0) - 500 - std::lgamma(501.0)), 1e-10);
  EXPECT_NEAR(pmf[500], 0.0178390, 1e-6);
  // Erlang-3 of mean 1 with lambda = 2000: A <= 100 essentially needs S < 0.05, whose
  // probability is 1 - e^{-0.15} (1 + 0.15 + 0.15^2 / 2) = 5.4e-4 (Poisson fluctuations of
  // the count around lambda S move it by a few percent).
  const auto erlang = ServiceDistribution::erlang(3, 1.0).arrivals_during_service(2000.0, 100);
  const double head = std::accumulate(erlang.pmf.begin(), erlang.pmf.end(), 0.0);
  EXPECT_NEAR(erlang.tail[100], 1 - head, 1e-15);
  EXPECT_NEAR(head, 1 - std::exp(-0.15) * (1 + 0.15 + 0.15 * 0.15 / 2), 0.1 * 5.4e-4);
  EXPECT_NEAR(erlang.log_pmf_zero, -3 * std::log1p(2000.0 / 3), 1e-12);
}

// ---------------------------------------------------------------- M/M/1/K closed form

TEST(MM1K, KnownValues) {
  // rho = 0.5, K = 2: p = (4, 2, 1) / 7
  const auto metrics = solve_mm1k(1.0, 2.0, 2);
  EXPECT_NEAR(metrics.loss_probability, 1.0 / 7, 1e-15);
  EXPECT_NEAR(metrics.mean_in_system, 4.0 / 7, 1e-15);
  EXPECT_NEAR(metrics.throughput, 6.0 / 7, 1e-15);
  EXPECT_NEAR(metrics.mean_response_time, (4.0 / 7) / (6.0 / 7), 1e-15);
  EXPECT_NEAR(metrics.utilisation, 3.0 / 7, 1e-15);
  // rho = 1: uniform over 0..K
  const auto critical = solve_mm1k(3.0, 3.0, 4);
  for (double p : critical.occupancy)
    EXPECT_DOUBLE_EQ(p, 0.2);
  EXPECT_DOUBLE_EQ(critical.mean_in_system, 2.0);
  // Close to rho = 1 the closed form is continuous.
  EXPECT_NEAR(solve_mm1k(1.0 + 1e-9, 1.0, 4).loss_probability, 0.2, 1e-9);
  // Overload with a large buffer: no overflow, loss -> 1 - 1/rho.
  const auto overload = solve_mm1k(3.0, 1.0, 2000);
  expect_valid_occupancy(overload);
  EXPECT_NEAR(overload.loss_probability, 2.0 / 3, 1e-12);
}

// ---------------------------------------------------------------- M/G/1/K

TEST(MG1K, ExponentialServiceEqualsMM1K) {
  for (int K : {1, 2, 5, 10, 50}) {
    for (double rho : {0.3, 0.5, 0.9, 1.0, 1.2, 1.5, 3.0}) {
      SCOPED_TRACE("K = " + std::to_string(K) + ", rho = " + std::to_string(rho));
      const double mu = 2.0;
      const double lambda = rho * mu;
      const auto exact = solve_mm1k(lambda, mu, K);
      const auto embedded = solve_mg1k(lambda, ServiceDistribution::exponential(1 / mu), K);
      expect_relative_near(embedded.loss_probability, exact.loss_probability, 1e-9);
      expect_relative_near(embedded.mean_response_time, exact.mean_response_time, 1e-9);
      expect_relative_near(embedded.mean_in_system, exact.mean_in_system, 1e-9);
      expect_relative_near(embedded.throughput, exact.throughput, 1e-9);
      ASSERT_EQ(embedded.occupancy.size(), exact.occupancy.size());
      for (std::size_t n = 0; n < exact.occupancy.size(); ++n)
        expect_relative_near(embedded.occupancy[n], exact.occupancy[n], 1e-9);
      expect_valid_occupancy(embedded);
    }
  }
}

TEST(MG1K, SingleSlotLossIsInsensitiveToServiceLaw) {
  for (const auto& service : unit_mean_services()) {
    for (double rho : {0.2, 1.0, 4.0}) {
      const auto metrics = solve_mg1k(rho, service, 1);
      EXPECT_NEAR(metrics.loss_probability, rho / (1 + rho), 1e-15);
      EXPECT_NEAR(metrics.mean_response_time, service.mean(), 1e-12); // no waiting with one slot
    }
  }
}

// Independent solution of the M/D/1/K departure chain: the full K x K transition matrix
// from Poisson probabilities, solved as pi P = pi, sum pi = 1 by Gaussian elimination
// with partial pivoting, then p_K = 1 - 1/(pi_0 + rho). Extended precision, because that
// last subtraction cancels when the loss is small.
struct BruteForceResult {
  double loss;
  double mean_in_system;
};

BruteForceResult brute_force_md1k(double rho, int K) {
  const auto size = static_cast<std::size_t>(K);
  std::vector<long double> a(size + 1);
  a[0] = std::exp(-static_cast<long double>(rho));
  for (std::size_t k = 1; k <= size; ++k)
    a[k] = a[k - 1] * rho / static_cast<long double>(k);
  // transition[i][j] = P(departure leaves j | previous left i)
  std::vector<std::vector<long double>> transition(size, std::vector<long double>(size, 0.0L));
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t base = i == 0 ? 0 : i - 1; // the next service starts with max(i - 1, 0) waiting
    long double row = 0;
    for (std::size_t j = base; j + 1 < size; ++j) {
      transition[i][j] = a[j - base];
      row += transition[i][j];
    }
    transition[i][size - 1] = 1 - row;
  }
  // Equations: sum_i pi_i (P_ij - delta_ij) = 0 for j < K-1, and sum_i pi_i = 1.
  std::vector<std::vector<long double>> system(size, std::vector<long double>(size + 1, 0.0L));
  for (std::size_t j = 0; j < size; ++j) {
    for (std::size_t i = 0; i < size; ++i)
      system[j][i] = (j + 1 < size) ? transition[i][j] - (i == j ? 1.0L : 0.0L) : 1.0;
    system[j][size] = (j + 1 < size) ? 0.0L : 1.0L;
  }
  for (std::size_t col = 0; col < size; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < size; ++r)
      if (std::abs(system[r][col]) > std::abs(system[pivot][col]))
        pivot = r;
    std::swap(system[col], system[pivot]);
    for (std::size_t r = 0; r < size; ++r) {
      if (r == col)
        continue;
      const long double factor = system[r][col] / system[col][col];
      for (std::size_t c = col; c <= size; ++c)
        system[r][c] -= factor * system[col][c];
    }
  }
  std::vector<long double> pi(size);
  for (std::size_t i = 0; i < size; ++i)
    pi[i] = system[i][size] / system[i][i];
  const long double denominator = pi[0] + rho;
  long double mean_in_system = static_cast<long double>(K) * (1 - 1 / denominator);
  for (std::size_t n = 0; n < size; ++n)
    mean_in_system += static_cast<long double>(n) * pi[n] / denominator;
  return {static_cast<double>(1 - 1 / denominator), static_cast<double>(mean_in_system)};
}

TEST(MG1K, DeterministicServiceMatchesIndependentChainSolution) {
  for (int K : {2, 3, 5, 10, 20}) {
    for (double rho : {0.6, 0.95, 1.0, 1.3, 2.5}) {
      SCOPED_TRACE("K = " + std::to_string(K) + ", rho = " + std::to_string(rho));
      const auto reference = brute_force_md1k(rho, K);
      const auto metrics = solve_mg1k(rho, ServiceDistribution::deterministic(1.0), K);
      expect_relative_near(metrics.loss_probability, reference.loss, 1e-9);
      expect_relative_near(metrics.mean_in_system, reference.mean_in_system, 1e-9);
    }
  }
}

TEST(MG1K, DeterministicServiceKnownValues) {
  // K = 2: pi_0 = a_0 = e^{-rho}, so p_2 = 1 - 1/(e^{-rho} + rho).
  for (double rho : {0.1, 0.7, 1.0, 3.0}) {
    const double expected = 1 - 1 / (std::exp(-rho) + rho);
    expect_relative_near(solve_mg1k(2 * rho, ServiceDistribution::deterministic(0.5), 2).loss_probability, expected,
                         1e-12);
  }
  // Values computed for shared/reference/REFERENCE.md section 5.1 (4 decimals).
  EXPECT_NEAR(solve_mg1k(0.95, ServiceDistribution::deterministic(1.0), 5).loss_probability, 0.0828, 5e-5);
  EXPECT_NEAR(solve_mg1k(0.5, ServiceDistribution::deterministic(1.0), 5).loss_probability, 0.0022, 5e-5);
}

TEST(MG1K, LargeBufferApproachesPollaczekKhinchine) {
  const double lambda = 0.5;
  for (const auto& service : unit_mean_services()) {
    const auto metrics = solve_mg1k(lambda, service, 200);
    const double rho = lambda * service.mean();
    const double pollaczek_khinchine = service.mean() + lambda * service.second_moment() / (2 * (1 - rho));
    EXPECT_LT(metrics.loss_probability, 1e-9);
    expect_relative_near(metrics.mean_response_time, pollaczek_khinchine, 1e-6);
    expect_valid_occupancy(metrics);
  }
}

TEST(MG1K, HeavyLoadSaturatesServer) {
  for (const auto& service : unit_mean_services()) {
    const auto metrics = solve_mg1k(5.0, service, 20);
    expect_valid_occupancy(metrics);
    expect_relative_near(metrics.throughput, 1 / service.mean(), 1e-6);
    expect_relative_near(metrics.loss_probability, 0.8, 1e-6);
    EXPECT_NEAR(metrics.utilisation, 1.0, 1e-6);
  }
}

TEST(MG1K, ExtremeLoadWhereNoArrivalFreeServiceUnderflows) {
  // lambda * d = 800: P(no arrival during a service) = e^-800 is below the double range.
  const auto metrics = solve_mg1k(800.0, ServiceDistribution::deterministic(1.0), 30);
  expect_valid_occupancy(metrics);
  EXPECT_NEAR(metrics.loss_probability, 1 - 1.0 / 800, 1e-12);
  EXPECT_NEAR(metrics.throughput, 1.0, 1e-12);
  EXPECT_GT(metrics.mean_in_system, 29.99); // full except for about 1/800 of the time
}

TEST(MG1K, LessVariableServiceLosesLess) {
  // At a fixed mean the loss grows with service variability (D < E4 < M < H2).
  std::vector<double> losses;
  for (const auto& service :
       {ServiceDistribution::deterministic(1.0), ServiceDistribution::erlang(4, 1.0),
        ServiceDistribution::exponential(1.0), ServiceDistribution::hyperexponential2(0.2, 4.0, 0.25)})
    losses.push_back(solve_mg1k(0.8, service, 8).loss_probability);
  for (std::size_t i = 1; i < losses.size(); ++i)
    EXPECT_LT(losses[i - 1], losses[i]);
}

// ---------------------------------------------------------------- Smith approximation

TEST(SmithApproximation, ExactForExponentialService) {
  for (int K : {1, 2, 5, 10, 50}) {
    for (double rho : {0.3, 0.5, 0.9, 1.0, 1.2, 1.5, 3.0}) {
      SCOPED_TRACE("K = " + std::to_string(K) + ", rho = " + std::to_string(rho));
      const double exact = solve_mm1k(rho, 1.0, K).loss_probability;
      expect_relative_near(edgesim::queueing::smith_loss_probability(rho, 1.0, K), exact, 1e-9);
    }
  }
}

TEST(SmithApproximation, MatchesWrittenFormula) {
  // Literal transcription of the formula for a case away from rho = 1.
  const double rho = 0.7;
  const double scv = 0.25;
  const int K = 6;
  const double sr = std::sqrt(rho);
  const double d = 2 + sr * scv - sr;
  const double literal =
      std::pow(rho, (sr * scv - sr + 2 * K) / d) * (rho - 1) / (std::pow(rho, 2 * (1 + sr * scv - sr + K) / d) - 1);
  expect_relative_near(edgesim::queueing::smith_loss_probability(rho, scv, K), literal, 1e-12);
  // The rho = 1 limit 1 / (e + 1), e = (scv - 1 + 2K) / (1 + scv), is continuous.
  const double at_one = edgesim::queueing::smith_loss_probability(1.0, scv, K);
  EXPECT_NEAR(at_one, 1 / ((scv - 1 + 2 * K) / (1 + scv) + 1), 1e-15);
  EXPECT_NEAR(edgesim::queueing::smith_loss_probability(1.0 + 1e-7, scv, K), at_one, 1e-7);
}

TEST(SmithApproximation, CloseToExactDeterministicService) {
  // Published comparison (REFERENCE.md 5.1): rho = 0.95, K = 5: exact 0.0828, Smith 0.0806;
  // rho = 0.5, K = 5: exact 0.0022, Smith 0.0034.
  EXPECT_NEAR(edgesim::queueing::smith_loss_probability(0.95, 0.0, 5), 0.0806, 5e-5);
  EXPECT_NEAR(edgesim::queueing::smith_loss_probability(0.5, 0.0, 5), 0.0034, 5e-5);
  for (int K : {3, 5, 10}) {
    for (double rho : {0.8, 0.95, 1.2}) {
      const double exact = solve_mg1k(rho, ServiceDistribution::deterministic(1.0), K).loss_probability;
      const double approximate = edgesim::queueing::smith_loss_probability(rho, 0.0, K);
      EXPECT_NEAR(approximate, exact, 0.25 * exact) << "K = " << K << ", rho = " << rho;
    }
  }
}

TEST(SmithApproximation, RejectsOutsideDomain) {
  EXPECT_TRUE(edgesim::queueing::smith_formula_applicable(3.9, 0.0));
  EXPECT_FALSE(edgesim::queueing::smith_formula_applicable(4.0, 0.0));
  EXPECT_THROW((void)edgesim::queueing::smith_loss_probability(5.0, 0.0, 10), std::domain_error);
  EXPECT_THROW((void)edgesim::queueing::smith_loss_probability(0.0, 1.0, 10), std::invalid_argument);
  EXPECT_THROW((void)edgesim::queueing::smith_loss_probability(0.5, -1.0, 10), std::invalid_argument);
  EXPECT_THROW((void)edgesim::queueing::smith_loss_probability(0.5, 1.0, 0), std::invalid_argument);
}

// ---------------------------------------------------------------- Jackson tandem

TEST(JacksonTandem, SumsStationSojourns) {
  const std::array<double, 3> rates{2.0, 4.0, 1.5};
  // 1/(2-1) + 1/(4-1) + 1/(1.5-1) + 0.25
  EXPECT_DOUBLE_EQ(edgesim::queueing::jackson_tandem_mean_response(1.0, rates, 0.25), 1.0 + 1.0 / 3 + 2.0 + 0.25);
  const auto in_system = edgesim::queueing::jackson_tandem_mean_in_system(1.0, rates);
  ASSERT_EQ(in_system.size(), 3u);
  EXPECT_DOUBLE_EQ(in_system[0], 1.0);
  EXPECT_DOUBLE_EQ(in_system[1], 1.0 / 3);
  EXPECT_DOUBLE_EQ(in_system[2], 2.0);
  // One station agrees with M/M/1/K for a large buffer.
  const std::array<double, 1> single{2.0};
  EXPECT_NEAR(edgesim::queueing::jackson_tandem_mean_response(1.0, single),
              solve_mm1k(1.0, 2.0, 200).mean_response_time, 1e-12);
}

// ---------------------------------------------------------------- invalid input

TEST(QueueingValidation, RejectsInvalidInputs) {
  const auto service = ServiceDistribution::exponential(1.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(solve_mg1k(0.0, service, 5), std::invalid_argument);
  EXPECT_THROW(solve_mg1k(-1.0, service, 5), std::invalid_argument);
  EXPECT_THROW(solve_mg1k(nan, service, 5), std::invalid_argument);
  EXPECT_THROW(solve_mg1k(inf, service, 5), std::invalid_argument);
  EXPECT_THROW(solve_mg1k(1.0, service, 0), std::invalid_argument);
  EXPECT_THROW(solve_mm1k(1.0, 0.0, 5), std::invalid_argument);
  EXPECT_THROW(solve_mm1k(1.0, 1.0, 0), std::invalid_argument);
  EXPECT_THROW(ServiceDistribution::deterministic(0.0), std::invalid_argument);
  EXPECT_THROW(ServiceDistribution::exponential(nan), std::invalid_argument);
  EXPECT_THROW(ServiceDistribution::erlang(0, 1.0), std::invalid_argument);
  EXPECT_THROW(ServiceDistribution::hyperexponential2(1.5, 1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(ServiceDistribution(std::vector<edgesim::queueing::ServiceComponent>{}), std::invalid_argument);
  EXPECT_THROW(ServiceDistribution({{edgesim::queueing::ServiceComponent::Kind::Exponential, 0.0, 1.0}}),
               std::invalid_argument);
  const std::array<double, 2> probabilities{0.5, 0.5};
  const std::array<double, 1> too_few_times{1.0};
  EXPECT_THROW(ServiceDistribution::mixture_of_deterministic(probabilities, too_few_times), std::invalid_argument);
  const std::array<double, 2> negative{-0.5, 1.5};
  const std::array<double, 2> times{1.0, 1.0};
  EXPECT_THROW(ServiceDistribution::mixture_of_deterministic(negative, times), std::invalid_argument);
  EXPECT_THROW((void)service.arrivals_during_service_pmf(0.0, 5), std::invalid_argument);
  EXPECT_THROW((void)service.arrivals_during_service_pmf(1.0, -1), std::invalid_argument);
  const std::array<double, 2> unstable{2.0, 1.0};
  EXPECT_THROW((void)edgesim::queueing::jackson_tandem_mean_response(1.0, unstable), std::invalid_argument);
  const std::array<double, 1> stable{2.0};
  EXPECT_THROW((void)edgesim::queueing::jackson_tandem_mean_response(1.0, stable, -1.0), std::invalid_argument);
  EXPECT_THROW((void)edgesim::queueing::jackson_tandem_mean_response(0.0, stable), std::invalid_argument);
}

} // namespace
