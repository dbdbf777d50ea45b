#include "queueing/service_distribution.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace edgesim::queueing {
namespace {

// Truncating an infinite tail sum stops once the bound on what is left falls below this
// fraction of what has been summed: well under double rounding, so truncation never
// limits the accuracy of the blocking probabilities derived from the tails.
constexpr double kTailTruncationTolerance = 1e-18;

void require(bool condition, const std::string& message) {
  if (!condition)
    throw std::invalid_argument(message);
}

bool is_positive_finite(double value) {
  return std::isfinite(value) && value > 0;
}

double component_second_moment(const ServiceComponent& component) {
  const double mean_squared = component.mean * component.mean;
  switch (component.kind) {
  case ServiceComponent::Kind::Deterministic:
    return mean_squared;
  case ServiceComponent::Kind::Exponential:
    return 2 * mean_squared;
  case ServiceComponent::Kind::Erlang:
    return mean_squared * (1 + 1 / static_cast<double>(component.stages));
  }
  return mean_squared;
}

// Tails of a count law that are not available in closed form.
struct TailAtEnd {
  double mass;   // P(A > n_max)
  double excess; // E[(A - n_max - 1)^+]
};

// Accumulates weight * (pmf, tail, excess) of a log-concave law on {0, 1, ...} (Poisson,
// negative binomial) into `out`. The pmf is evaluated in log space term by term, so no
// intermediate overflows or underflows even when the mean is in the thousands.
//
// The tail beyond n_max is obtained in one of two ways, whichever has no cancellation:
//  * head mass <= 1/2: the tail is large, so 1 - head and the mean minus the head's
//    contribution are accurate;
//  * otherwise n_max lies past the median, so the remaining terms decay and are summed
//    directly until a geometric bound on the rest (valid because a log-concave pmf has
//    non-increasing ratios a_{k+1}/a_k) is negligible. Small tails keep full relative
//    accuracy this way, which is what tiny loss probabilities depend on.
template <typename LogPmf>
void add_log_concave_law(const LogPmf& log_pmf, double law_mean, double law_mode, double weight,
                         ArrivalCountDistribution& out) {
  const std::size_t n_max = out.pmf.size() - 1;
  std::vector<double> pmf(n_max + 1);
  double head_mass = 0;
  double head_shortfall = 0; // sum_{k <= n_max} (n_max + 1 - k) a_k
  for (std::size_t k = 0; k <= n_max; ++k) {
    pmf[k] = std::exp(log_pmf(static_cast<double>(k)));
    head_mass += pmf[k];
    head_shortfall += static_cast<double>(n_max + 1 - k) * pmf[k];
  }

  TailAtEnd end{0, 0};
  if (head_mass <= 0.5) {
    end.mass = 1 - head_mass;
    // E[(A - n - 1)^+] = E[A] - (n + 1) + E[(n + 1 - A)^+]
    end.excess = std::max(0.0, law_mean - static_cast<double>(n_max + 1) + head_shortfall);
  } else {
    const auto first = static_cast<double>(n_max + 1);
    for (double k = first;; k += 1) {
      const double log_term = log_pmf(k);
      const double term = std::exp(log_term);
      end.mass += term;
      end.excess += (k - first) * term;
      if (k < law_mode)
        continue;
      if (term == 0) // past the mode and already below the smallest double
        break;
      const double ratio = std::exp(log_pmf(k + 1) - log_term);
      if (ratio >= 1)
        continue;
      const double geometric = ratio / (1 - ratio);
      const double rest_mass = term * geometric;
      const double rest_excess = term * ((k - first) * geometric + geometric / (1 - ratio));
      if (rest_mass <= kTailTruncationTolerance * end.mass && rest_excess <= kTailTruncationTolerance * end.excess)
        break;
    }
  }

  // Backward recursions: every step adds positive terms, so no cancellation.
  double tail = end.mass;
  double excess = end.excess;
  for (std::size_t m = n_max + 1; m-- > 0;) {
    out.pmf[m] += weight * pmf[m];
    out.tail[m] += weight * tail;
    out.excess[m] += weight * excess;
    if (m > 0) {
      excess += tail;
      tail += pmf[m];
    }
  }
}

// Exponential service of mean m: A is geometric with ratio q = x / (1 + x), x = lambda m,
// and every tail quantity has a closed form.
void add_geometric_law(double arrivals_per_service, double weight, ArrivalCountDistribution& out) {
  const double x = arrivals_per_service;
  const double log_q = -std::log1p(1 / x);
  const double one_plus_x = 1 + x;
  for (std::size_t k = 0; k < out.pmf.size(); ++k) {
    const auto kd = static_cast<double>(k);
    out.pmf[k] += weight * std::exp(kd * log_q) / one_plus_x;
    out.tail[k] += weight * std::exp((kd + 1) * log_q);
    out.excess[k] += weight * std::exp((kd + 2) * log_q) * one_plus_x;
  }
}

// log of sum_i exp(terms_i), without overflow or total underflow.
double log_sum_exp(const std::vector<double>& terms) {
  const double largest = *std::max_element(terms.begin(), terms.end());
  if (!std::isfinite(largest))
    return largest;
  double sum = 0;
  for (double term : terms)
    sum += std::exp(term - largest);
  return largest + std::log(sum);
}

} // namespace

ServiceDistribution::ServiceDistribution(std::vector<ServiceComponent> components)
    : components_(std::move(components)) {
  require(!components_.empty(), "ServiceDistribution: at least one component is required");
  double total_weight = 0;
  for (const auto& component : components_) {
    require(is_positive_finite(component.weight), "ServiceDistribution: component weights must be finite and > 0");
    require(is_positive_finite(component.mean), "ServiceDistribution: component means must be finite and > 0");
    require(component.kind != ServiceComponent::Kind::Erlang || component.stages >= 1,
            "ServiceDistribution: an Erlang component needs at least one stage");
    total_weight += component.weight;
  }
  for (auto& component : components_)
    component.weight /= total_weight;
}

ServiceDistribution ServiceDistribution::deterministic(double mean) {
  return ServiceDistribution({{ServiceComponent::Kind::Deterministic, 1.0, mean}});
}

ServiceDistribution ServiceDistribution::exponential(double mean) {
  return ServiceDistribution({{ServiceComponent::Kind::Exponential, 1.0, mean}});
}

ServiceDistribution ServiceDistribution::erlang(int stages, double mean) {
  return ServiceDistribution({{ServiceComponent::Kind::Erlang, 1.0, mean, stages}});
}

ServiceDistribution ServiceDistribution::hyperexponential2(double p, double mean1, double mean2) {
  require(std::isfinite(p) && p >= 0 && p <= 1, "hyperexponential2: branch probability p must lie in [0, 1]");
  std::vector<ServiceComponent> components;
  if (p > 0)
    components.push_back({ServiceComponent::Kind::Exponential, p, mean1});
  if (p < 1)
    components.push_back({ServiceComponent::Kind::Exponential, 1 - p, mean2});
  return ServiceDistribution(std::move(components));
}

ServiceDistribution ServiceDistribution::mixture_of_deterministic(std::span<const double> exit_probabilities,
                                                                  std::span<const double> segment_times) {
  require(!exit_probabilities.empty(), "mixture_of_deterministic: at least one exit is required");
  require(exit_probabilities.size() == segment_times.size(),
          "mixture_of_deterministic: one segment time per exit probability is required");
  std::vector<ServiceComponent> components;
  double time_to_exit = 0;
  for (std::size_t exit = 0; exit < exit_probabilities.size(); ++exit) {
    const double probability = exit_probabilities[exit];
    require(std::isfinite(probability) && probability >= 0,
            "mixture_of_deterministic: exit probabilities must be finite and >= 0");
    require(std::isfinite(segment_times[exit]) && segment_times[exit] >= 0,
            "mixture_of_deterministic: segment times must be finite and >= 0");
    time_to_exit += segment_times[exit];
    if (probability > 0)
      components.push_back({ServiceComponent::Kind::Deterministic, probability, time_to_exit});
  }
  require(!components.empty(), "mixture_of_deterministic: exit probabilities must not all be 0");
  return ServiceDistribution(std::move(components));
}

double ServiceDistribution::mean() const noexcept {
  double total = 0;
  for (const auto& component : components_)
    total += component.weight * component.mean;
  return total;
}

double ServiceDistribution::second_moment() const noexcept {
  double total = 0;
  for (const auto& component : components_)
    total += component.weight * component_second_moment(component);
  return total;
}

double ServiceDistribution::scv() const noexcept {
  const double m = mean();
  // Var / m^2 = E[S^2] / m^2 - 1; clamp the rounding residue of a deterministic law.
  return std::max(0.0, second_moment() / (m * m) - 1);
}

std::vector<double> ServiceDistribution::arrivals_during_service_pmf(double lambda, int n_max) const {
  return arrivals_during_service(lambda, n_max).pmf;
}

ArrivalCountDistribution ServiceDistribution::arrivals_during_service(double lambda, int n_max) const {
  require(is_positive_finite(lambda), "arrivals_during_service: arrival rate must be finite and > 0");
  require(n_max >= 0, "arrivals_during_service: n_max must be >= 0");
  const auto size = static_cast<std::size_t>(n_max) + 1;
  ArrivalCountDistribution out{std::vector<double>(size, 0.0), std::vector<double>(size, 0.0),
                               std::vector<double>(size, 0.0), 0.0};
  std::vector<double> log_weighted_pmf_zero;

  for (const auto& component : components_) {
    const double arrivals_per_service = lambda * component.mean; // E[A] for this component
    require(std::isfinite(arrivals_per_service), "arrivals_during_service: lambda * mean service time overflows");
    const double log_weight = std::log(component.weight);
    switch (component.kind) {
    case ServiceComponent::Kind::Deterministic: {
      const double mu = arrivals_per_service;
      const double log_mu = std::log(mu);
      auto log_poisson = [mu, log_mu](double k) { return k * log_mu - mu - std::lgamma(k + 1); };
      add_log_concave_law(log_poisson, mu, std::floor(mu), component.weight, out);
      log_weighted_pmf_zero.push_back(log_weight - mu);
      break;
    }
    case ServiceComponent::Kind::Exponential:
      add_geometric_law(arrivals_per_service, component.weight, out);
      log_weighted_pmf_zero.push_back(log_weight - std::log1p(arrivals_per_service));
      break;
    case ServiceComponent::Kind::Erlang: {
      // Negative binomial: r = stages successes, each stage ends before the next arrival
      // with probability p = 1 / (1 + x), x = lambda * mean / r.
      const auto r = static_cast<double>(component.stages);
      const double x = arrivals_per_service / r;
      const double log_p = -std::log1p(x);
      const double log_one_minus_p = -std::log1p(1 / x);
      const double lgamma_r = std::lgamma(r);
      auto log_negative_binomial = [=](double k) {
        return std::lgamma(k + r) - lgamma_r - std::lgamma(k + 1) + r * log_p + k * log_one_minus_p;
      };
      add_log_concave_law(log_negative_binomial, arrivals_per_service, std::floor((r - 1) * x), component.weight, out);
      log_weighted_pmf_zero.push_back(log_weight + r * log_p);
      break;
    }
    }
  }
  out.log_pmf_zero = log_sum_exp(log_weighted_pmf_zero);
  return out;
}

} // namespace edgesim::queueing
