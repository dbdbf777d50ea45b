// `queueing-lp`: stochastic single-exit scheduling in the style of Casale & Roveri. The
// policy chooses exit probabilities q_0..q_n (n intermediate exits plus the final
// classifier) that maximise the expected accuracy sum_i q_i acc_i while the tenant's
// first station, seen as an M/G/1/K queue whose service time is the mixture of the
// cumulative exit times, loses at most `max_loss` of the arrivals. It re-plans every
// `epoch` from the arrival rate measured over the last epoch, raised by `rate_margin`
// standard errors of that estimate, and at once when its CPU share changes.
//
// Loss is nonlinear in q, so the problem is not an LP. It is solved as a family of LPs
// (GLPK) parameterised by the service-time moments, each LP optimum checked against the
// loss model; see docs/exit-policies-queueing-pareto.md for the formulation.
#include "policies/exit/queueing_lp.hpp"

#include "policies/builtin.hpp"

#include "queueing/mg1k.hpp"
#include "queueing/service_distribution.hpp"
#include "queueing/smith_approx.hpp"
#include "util/glpk_support.hpp"

#include <edgesim/random.hpp>

#include <fmt/format.h>

#include <glpk.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

namespace edgesim::queueing_lp {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Mean-service-time levels scanned between the fastest and the slowest exit (the exit
// times themselves are always added): fine enough that the bisection below only polishes.
constexpr int kMeanLevels = 64;
// Caps on E[S^2] / level^2, one LP family each besides the uncapped one: for the same
// mean, a law with a lighter tail loses less.
constexpr std::array<double, 7> kSecondMomentCaps{1.5, 1.2, 1.1, 1.05, 1.02, 1.01, 1.0};
constexpr int kBisectionSteps = 40;
// Probabilities below this are LP round-off, not a decision.
constexpr double kProbabilityFloor = 1e-12;

// Exit times made usable by the service-distribution code: cumulative times must not
// decrease (an exit cannot be reached before an earlier one) and must be > 0 (a
// deterministic component needs a positive mean).
std::vector<double> sanitised_times(std::span<const double> exit_times) {
  if (exit_times.empty())
    throw std::invalid_argument("queueing-lp: at least one exit time is required");
  double largest = 0;
  for (double t : exit_times) {
    if (!std::isfinite(t) || t < 0)
      throw std::invalid_argument("queueing-lp: exit times must be finite and >= 0");
    largest = std::max(largest, t);
  }
  const double floor = largest > 0 ? 1e-9 * largest : 1e-12;
  std::vector<double> times;
  double running = floor;
  for (double t : exit_times) {
    running = std::max(running, t);
    times.push_back(running);
  }
  return times;
}

/// max sum_i acc_i q_i  s.t.  sum_i q_i = 1,  sum_i t_i q_i <= mean_bound,
///                              sum_i t_i^2 q_i <= second_moment_bound,  q >= 0.
/// One GLPK problem reused across bounds: the previous basis warm-starts the next solve.
class AccuracyLp {
public:
  AccuracyLp(std::span<const double> times, std::span<const double> accuracies)
      : scale_(*std::max_element(times.begin(), times.end())), size_(times.size()) {
    problem_.reset(glp_create_prob());
    glp_prob* lp = problem_.get();
    glp_set_obj_dir(lp, GLP_MAX);
    const int n = static_cast<int>(size_);
    glp_add_cols(lp, n);
    glp_add_rows(lp, 3);
    // Times are scaled by the slowest exit so every coefficient is O(1) whatever the
    // model's speed; the tiny time penalty breaks accuracy ties toward faster exits,
    // which lose less for the same accuracy.
    std::vector<int> index(size_ + 1);
    std::vector<double> ones(size_ + 1, 1.0);
    std::vector<double> mean_row(size_ + 1);
    std::vector<double> m2_row(size_ + 1);
    for (int i = 1; i <= n; ++i) {
      const double tau = times[static_cast<std::size_t>(i - 1)] / scale_;
      glp_set_col_bnds(lp, i, GLP_LO, 0.0, 0.0);
      glp_set_obj_coef(lp, i, accuracies[static_cast<std::size_t>(i - 1)] - 1e-9 * tau);
      index[static_cast<std::size_t>(i)] = i;
      mean_row[static_cast<std::size_t>(i)] = tau;
      m2_row[static_cast<std::size_t>(i)] = tau * tau;
    }
    glp_set_mat_row(lp, 1, n, index.data(), ones.data());
    glp_set_mat_row(lp, 2, n, index.data(), mean_row.data());
    glp_set_mat_row(lp, 3, n, index.data(), m2_row.data());
    glp_set_row_bnds(lp, 1, GLP_FX, 1.0, 1.0);
    glp_init_smcp(&params_);
    params_.msg_lev = GLP_MSG_OFF;
    params_.presolve = GLP_OFF; // keeps the basis between solves
    glp_std_basis(lp);
  }

  /// The optimal q, or nothing when the bounds leave no feasible q.
  std::optional<std::vector<double>> solve(double mean_bound, double second_moment_bound) {
    glp_prob* lp = problem_.get();
    glp_set_row_bnds(lp, 2, GLP_UP, 0.0, mean_bound / scale_);
    if (std::isfinite(second_moment_bound))
      glp_set_row_bnds(lp, 3, GLP_UP, 0.0, second_moment_bound / (scale_ * scale_));
    else
      glp_set_row_bnds(lp, 3, GLP_FR, 0.0, 0.0);
    const GlpQuiet quiet;
    if (glp_simplex(lp, &params_) != 0) {
      // A warm start can leave a singular basis after large bound changes: restart cold.
      glp_std_basis(lp);
      if (glp_simplex(lp, &params_) != 0)
        return std::nullopt;
    }
    if (glp_get_status(lp) != GLP_OPT)
      return std::nullopt;
    std::vector<double> q(size_);
    double total = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      const double value = glp_get_col_prim(lp, static_cast<int>(i + 1));
      q[i] = value > kProbabilityFloor ? value : 0.0;
      total += q[i];
    }
    if (!(total > 0))
      return std::nullopt;
    for (double& value : q)
      value /= total;
    return q;
  }

private:
  GlpProblem problem_;
  glp_smcp params_{};
  double scale_;
  std::size_t size_;
};

double expected_accuracy(std::span<const double> q, std::span<const double> accuracies) {
  double total = 0;
  for (std::size_t i = 0; i < q.size(); ++i)
    total += q[i] * accuracies[i];
  return total;
}

std::vector<double> single_exit(std::size_t size, std::size_t exit) {
  std::vector<double> q(size, 0.0);
  q[exit] = 1.0;
  return q;
}

} // namespace

std::vector<double> max_accuracy_lp(std::span<const double> exit_times, std::span<const double> accuracies,
                                    double mean_bound, double second_moment_bound) {
  if (exit_times.size() != accuracies.size())
    throw std::invalid_argument("queueing-lp: one accuracy per exit time is required");
  const auto times = sanitised_times(exit_times);
  AccuracyLp lp(times, accuracies);
  return lp.solve(mean_bound, second_moment_bound).value_or(std::vector<double>{});
}

double station_loss(std::span<const double> exit_times, std::span<const double> q, double lambda, int K, bool exact) {
  if (!(lambda > 0))
    return 0.0; // no arrivals, nothing to lose
  const auto times = sanitised_times(exit_times);
  // mixture_of_deterministic takes the time of each segment between consecutive exits.
  std::vector<double> segments(times.size());
  for (std::size_t i = 0; i < times.size(); ++i)
    segments[i] = i == 0 ? times[0] : times[i] - times[i - 1];
  const auto service = queueing::ServiceDistribution::mixture_of_deterministic(q, segments);
  if (!exact) {
    const double rho = lambda * service.mean();
    const double scv = service.scv();
    // Outside its domain (low-variance service at rho >= 4) Smith's expression is no
    // probability; the exact solver answers there instead.
    if (queueing::smith_formula_applicable(rho, scv))
      return queueing::smith_loss_probability(rho, scv, K);
  }
  return queueing::solve_mg1k(lambda, service, K).loss_probability;
}

std::vector<double> optimal_exit_probabilities(std::span<const double> exit_times, std::span<const double> accuracies,
                                               double lambda, int K, double max_loss, bool exact) {
  if (exit_times.size() != accuracies.size())
    throw std::invalid_argument("queueing-lp: one accuracy per exit time is required");
  const auto times = sanitised_times(exit_times);
  const std::size_t size = times.size();
  const double t_min = *std::min_element(times.begin(), times.end());
  const double t_max = *std::max_element(times.begin(), times.end());
  AccuracyLp lp(times, accuracies);

  // Without arrivals nothing is lost: the unconstrained optimum (best accuracy).
  if (!(lambda > 0))
    return lp.solve(t_max, kInf).value_or(single_exit(size, size - 1));

  struct Best {
    std::vector<double> q;
    double accuracy = -kInf;
    double loss = kInf;
  } best;
  auto feasible = [&](const std::vector<double>& q) {
    const double loss = station_loss(times, q, lambda, K, exact);
    if (loss > max_loss)
      return false;
    const double accuracy = expected_accuracy(q, accuracies);
    if (accuracy > best.accuracy + 1e-12 || (accuracy > best.accuracy - 1e-12 && loss < best.loss))
      best = {q, accuracy, loss};
    return true;
  };

  // Mean-time levels, from the slowest down. U(s), the accuracy of LP(s, inf), does not
  // decrease with s and bounds every LP at level s, so once U(s) cannot beat the best
  // feasible answer, no lower level can either.
  std::vector<double> levels(times.begin(), times.end());
  for (int j = 0; j < kMeanLevels; ++j)
    levels.push_back(t_min + (t_max - t_min) * j / (kMeanLevels - 1));
  std::sort(levels.begin(), levels.end(), std::greater<>());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  std::vector<double> upper(levels.size(), -kInf);
  for (std::size_t k = 0; k < levels.size(); ++k)
    if (auto q = lp.solve(levels[k], kInf))
      upper[k] = expected_accuracy(*q, accuracies);

  // One family of LPs per second-moment cap (infinity first: no cap). Within a family,
  // accuracy falls and so does loss as the level s falls, so the family's best answer
  // is where its loss crosses the bound: the highest feasible level, refined by
  // bisection toward the infeasible level above it. A cap trades a little accuracy for a
  // lighter tail, which for the same mean loses less.
  std::vector<double> families{kInf};
  families.insert(families.end(), kSecondMomentCaps.begin(), kSecondMomentCaps.end());
  for (double cap : families) {
    auto bound = [cap](double level) { return std::isfinite(cap) ? cap * level * level : kInf; };
    std::optional<double> infeasible_above; // lowest level whose optimum lost too much
    std::optional<double> feasible_level;   // highest level whose optimum met the bound
    for (std::size_t k = 0; k < levels.size(); ++k) {
      if (upper[k] <= best.accuracy + 1e-12)
        break;
      auto q = lp.solve(levels[k], bound(levels[k]));
      if (!q)
        continue;
      if (feasible(*q)) {
        feasible_level = levels[k];
        break;
      }
      infeasible_above = levels[k];
    }
    if (!feasible_level || !infeasible_above)
      continue;
    double lo = *feasible_level;
    double hi = *infeasible_above;
    for (int step = 0; step < kBisectionSteps && hi - lo > 1e-12 * t_max; ++step) {
      const double mid = 0.5 * (lo + hi);
      auto q = lp.solve(mid, bound(mid));
      if (q && feasible(*q))
        lo = mid;
      else
        hi = mid;
    }
  }

  if (best.q.empty()) {
    // Even the cheapest law loses too much: a deterministic service at the fastest exit
    // is stochastically the shortest, hence the least lossy choice. Among equally fast
    // exits, the most accurate.
    std::size_t fastest = 0;
    for (std::size_t i = 1; i < size; ++i)
      if (times[i] < times[fastest] || (times[i] == times[fastest] && accuracies[i] > accuracies[fastest]))
        fastest = i;
    return single_exit(size, fastest);
  }
  return best.q;
}

namespace {

struct Settings {
  double max_loss = 0.01;
  double epoch = 10.0;
  bool exact = true;
  // Standard errors of the epoch's rate estimate added before planning (see plan()).
  double rate_margin = 1.0;
  // End an epoch early when its arrivals so far exceed the planned rate's by this many
  // standard deviations (a burst); 0 = never.
  double burst_sigmas = 3.0;
};

// Arrivals an epoch must have seen before it may end early as a burst: fewer give too
// rough a rate to re-plan for.
constexpr double kMinBurstArrivals = 10;

class QueueingLpPolicy final : public ExitPolicy {
public:
  QueueingLpPolicy(Settings settings, std::vector<double> exit_times, std::vector<double> accuracies, int capacity,
                   double initial_rate, std::uint64_t seed)
      : settings_(settings), times_(std::move(exit_times)), accuracies_(std::move(accuracies)), capacity_(capacity),
        rng_(seed), measured_rate_(initial_rate) {
    plan(initial_rate);
  }

  ExitDecision decide(const ExitContext& ctx) override {
    roll_epoch(ctx.now);
    if (ctx.exit_index >= conditional_.size())
      return ExitDecision::Exit;
    return rng_.uniform() < conditional_[ctx.exit_index] ? ExitDecision::Exit : ExitDecision::Continue;
  }

  void trace_state(double now) override {
    if (!traced())
      return;
    // The loss is derived here, not kept by plan(): only a traced run pays the solve.
    const double predicted_loss = station_loss(scaled_times(), q_, rate_, capacity_, settings_.exact);
    trace(now, {{"arrival_rate", measured_rate_}, {"planned_rate", rate_}, {"predicted_loss", predicted_loss}});
    for (std::size_t i = 0; i < q_.size(); ++i)
      trace(now, {{fmt::format("q_{}", i), q_[i]}});
  }

  void on_outcome(const ExitOutcome& outcome) override {
    roll_epoch(outcome.now);
    // Every arrival ends in exactly one outcome (served or lost), so outcomes per epoch
    // measure the offered rate, losses included; decide() calls would miss the requests
    // the station turned away.
    ++arrivals_in_epoch_;
    if (settings_.burst_sigmas > 0) {
      // A burst: a Poisson count of mean m = rate x elapsed has a standard deviation of
      // sqrt(m); far more arrivals than the plan's rate allows means the rate went up,
      // and waiting for the epoch's end would lose requests all along.
      const double expected = rate_ * (outcome.now - epoch_start_);
      const auto n = static_cast<double>(arrivals_in_epoch_);
      if (n >= kMinBurstArrivals && n > expected + settings_.burst_sigmas * std::sqrt(std::max(expected, 1.0)))
        end_epoch(outcome.now);
    }
  }

  // A new share of the first station's host stretches every service time by 1/share:
  // re-plan at once for the rate of the current plan.
  void on_cpu_share(const CpuShareChange& change) override {
    if (!change.first_host || change.share == share_)
      return;
    share_ = change.share;
    plan(rate_);
    trace_state(change.now);
  }

private:
  [[nodiscard]] std::vector<double> scaled_times() const {
    std::vector<double> times = times_;
    for (double& t : times)
      t /= share_;
    return times;
  }

  void roll_epoch(double now) {
    if (now >= epoch_start_ + settings_.epoch)
      end_epoch(now);
  }

  void end_epoch(double now) {
    if (!(now > epoch_start_))
      return;
    // The loss is convex in the rate, so planning for the noisy estimate itself loses
    // more than max_loss on average (Jensen); planning for its upper bound at
    // rate_margin standard errors (a Poisson count n has one of sqrt(n)) keeps the
    // average at or below the bound.
    const auto n = static_cast<double>(arrivals_in_epoch_);
    const double length = now - epoch_start_;
    measured_rate_ = n / length;
    plan((n + settings_.rate_margin * std::sqrt(n)) / length);
    epoch_start_ = now;
    arrivals_in_epoch_ = 0;
    trace_state(now);
  }

  void plan(double rate) {
    const auto q =
        optimal_exit_probabilities(scaled_times(), accuracies_, rate, capacity_, settings_.max_loss, settings_.exact);
    rate_ = rate;
    q_ = q;
    // decide() runs at each exit reached, so store P(leave here | reached here).
    conditional_.clear();
    double remaining = 1.0;
    for (std::size_t i = 0; i + 1 < q.size(); ++i) {
      conditional_.push_back(remaining > kProbabilityFloor ? std::min(1.0, q[i] / remaining) : 1.0);
      remaining -= q[i];
    }
  }

  Settings settings_;
  std::vector<double> times_;
  std::vector<double> accuracies_;
  int capacity_;
  Rng rng_;
  std::vector<double> conditional_; // one per intermediate exit
  std::vector<double> q_;           // the plan: P(leave at exit i), final included
  double rate_ = 0;                 // the arrival rate it was made for
  double measured_rate_ = 0;        // the last epoch's (the scenario's mean at first)
  double share_ = 1;                // CPU share of the first station's host
  double epoch_start_ = 0;
  std::uint64_t arrivals_in_epoch_ = 0;
};

} // namespace
} // namespace edgesim::queueing_lp

namespace edgesim {

void register_exit_queueing_lp(Registry& registry) {
  registry.add_exit_policy(
      "queueing-lp",
      "exit probabilities maximising accuracy subject to the first station's M/G/1/K loss <= max_loss "
      "(re-planned every epoch)",
      [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
        const ConfigView& config = args.config;
        config.require_only({"policy", "max_loss", "epoch", "loss_model", "rate_margin", "burst_sigmas"});
        queueing_lp::Settings settings;
        settings.max_loss = config.get_double("max_loss", settings.max_loss);
        if (!(settings.max_loss > 0 && settings.max_loss < 1))
          config.fail("max_loss", "a loss probability in (0, 1)");
        settings.epoch = config.get_seconds("epoch", settings.epoch);
        if (!(settings.epoch > 0 && std::isfinite(settings.epoch)))
          config.fail("epoch", "a positive duration");
        const std::string loss_model = config.get_string("loss_model", "exact");
        if (loss_model != "exact" && loss_model != "approx")
          config.fail("loss_model", "\"exact\" (M/G/1/K) or \"approx\" (Smith's closed form)");
        settings.exact = loss_model == "exact";
        settings.burst_sigmas = config.get_double("burst_sigmas", settings.burst_sigmas);
        if (!(settings.burst_sigmas >= 0 && std::isfinite(settings.burst_sigmas)))
          config.fail("burst_sigmas", "a number of standard deviations >= 0 (0 re-plans at epoch ends only)");
        settings.rate_margin = config.get_double("rate_margin", settings.rate_margin);
        if (!(settings.rate_margin >= 0 && std::isfinite(settings.rate_margin)))
          config.fail("rate_margin", "a number of standard errors >= 0 (0 plans for the measured rate itself)");

        const std::size_t n = args.model.exits.size();
        if (args.exit_times.size() != n + 1)
          throw InputError(fmt::format("{}: the placement gives {} exit times for a model with {} exits",
                                       config.where("policy"), args.exit_times.size(), n));
        if (args.station_capacity < 1)
          throw InputError(
              fmt::format("{}: station capacity {} (expected >= 1)", config.where("policy"), args.station_capacity));
        std::vector<double> accuracies;
        for (std::size_t i = 0; i <= n; ++i)
          accuracies.push_back(args.model.exit_accuracy(i));
        return std::make_unique<queueing_lp::QueueingLpPolicy>(
            settings, args.exit_times, std::move(accuracies), args.station_capacity, args.mean_arrival_rate, args.seed);
      });
}

} // namespace edgesim
