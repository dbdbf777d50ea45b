// `ucb`: confidence thresholds learned online by a multi-armed bandit, after AdaEE
// (R. G. Pacheco, M. Shifrin, R. S. Couto, D. S. Menasché, M. K. Hanawal, M. E. M.
// Campista, "AdaEE: Adaptive Early-Exit DNN Inference Through Multi-Armed Bandits",
// IEEE ICC 2023, doi:10.1109/ICC45041.2023.10279243). AdaEE has one side branch and
// offloads to the cloud when the branch is not confident enough; here every intermediate
// exit has its own bandit and "offloading" is continuing to deeper layers.
//
// Arms: the thresholds α_1..α_m (key `thresholds`). For each request, the bandit of exit i
// picks an arm when the request first reaches exit i, and the request leaves there iff
// its confidence c_i ≥ α. The choice is UCB1: arms without feedback first (fewest pulls
// first), then the arm maximising
//   mean_reward(a) + exploration · sqrt(ln N_i / n_i(a))
// (n_i(a): rewards received by arm a of exit i, N_i their sum; exploration = √2 is
// Auer et al.'s UCB1). Ties are broken with the policy's seeded generator.
//
// Reward (AdaEE: the confidence gained by offloading minus μ times its overhead, and 0
// when the sample is classified at the branch), given to exit i's arm once the request
// finishes:
//   r_i = 0                                                    if it left at exit i
//   r_i = (c_leave − c_i) − cost · (T_leave − T_i) / T_final   if it continued
// with T_j = args.exit_times[j] and c_leave the confidence where it left. The final
// classifier's confidence is not reported to exit policies, so there c_leave is the
// correctness of the answer (1 or 0), which a calibrated classifier's confidence equals
// in expectation. The overhead is normalised by the whole model's compute time, as
// AdaEE's overhead lies in [0, 1]; `cost` is therefore dimensionless. A lost request
// answered nothing: c_leave = 0 and T_leave = the deepest exit it was seen at.
//
// Keys: `policy`, `thresholds` (values in [0, 1], default [0.5, 0.6, 0.7, 0.8, 0.9,
// 0.95]), `exploration` (≥ 0, default √2), `cost` (μ ≥ 0, default 0.1).
//
// A repeated decide() for the same request and exit reuses the arm drawn at the first
// call (comparing it with the confidence it is given) and keeps the first call's
// confidence for the reward, so re-asking never pulls an arm twice. Per-request state
// lives from the first decision to the outcome: it is bounded by the requests in flight.
#include "policies/builtin.hpp"

#include <edgesim/error.hpp>
#include <edgesim/random.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace edgesim {
namespace {

/// UCB1 over the thresholds of one exit.
class ThresholdBandit {
public:
  explicit ThresholdBandit(std::size_t arms) : pulls_(arms, 0), rewards_(arms, 0), sums_(arms, 0.0) {}

  std::size_t choose(double exploration, Rng& rng) {
    const std::size_t arm = rewarded_ < pulls_.size() ? least_tried(rng) : best_bound(exploration, rng);
    ++pulls_[arm];
    return arm;
  }

  void reward(std::size_t arm, double value) {
    if (rewards_[arm]++ == 0)
      ++rewarded_;
    sums_[arm] += value;
    ++total_;
  }

  [[nodiscard]] std::size_t arms() const { return pulls_.size(); }
  [[nodiscard]] double mean(std::size_t arm) const {
    return rewards_[arm] > 0 ? sums_[arm] / static_cast<double>(rewards_[arm]) : 0.0;
  }
  [[nodiscard]] std::uint64_t count(std::size_t arm) const { return rewards_[arm]; }

private:
  // Until every arm has feedback, spread pulls evenly: requests in flight have not been
  // rewarded yet, so counting pulls (not rewards) keeps them from piling on one arm.
  std::size_t least_tried(Rng& rng) const {
    std::uint64_t fewest = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t a = 0; a < pulls_.size(); ++a)
      if (rewards_[a] == 0)
        fewest = std::min(fewest, pulls_[a]);
    return pick_tied(rng, [&](std::size_t a) { return rewards_[a] == 0 && pulls_[a] == fewest; });
  }

  std::size_t best_bound(double exploration, Rng& rng) const {
    const double log_total = std::log(static_cast<double>(total_));
    std::vector<double> bound(pulls_.size());
    for (std::size_t a = 0; a < pulls_.size(); ++a) {
      const auto n = static_cast<double>(rewards_[a]);
      bound[a] = sums_[a] / n + exploration * std::sqrt(log_total / n);
    }
    const double top = *std::max_element(bound.begin(), bound.end());
    return pick_tied(rng, [&](std::size_t a) { return bound[a] == top; });
  }

  // Uniform among the arms satisfying `tied`, one draw at most.
  template <typename Pred> std::size_t pick_tied(Rng& rng, Pred tied) const {
    std::vector<std::size_t> candidates;
    for (std::size_t a = 0; a < pulls_.size(); ++a)
      if (tied(a))
        candidates.push_back(a);
    return candidates.size() == 1 ? candidates.front() : candidates[rng.below(candidates.size())];
  }

  std::vector<std::uint64_t> pulls_;   // arms chosen, rewarded or not
  std::vector<std::uint64_t> rewards_; // rewards received
  std::vector<double> sums_;
  std::size_t rewarded_ = 0; // arms with at least one reward
  std::uint64_t total_ = 0;  // rewards received by all arms
};

class UcbPolicy final : public ExitPolicy {
public:
  UcbPolicy(std::vector<double> thresholds, double exploration, double cost, std::vector<double> exit_times,
            std::uint64_t seed)
      : thresholds_(std::move(thresholds)), exploration_(exploration), cost_(cost), exit_times_(std::move(exit_times)),
        rng_(seed) {
    const std::size_t exits = exit_times_.size() - 1;
    bandits_.assign(exits, ThresholdBandit(thresholds_.size()));
    const double whole = exit_times_.back();
    time_scale_ = whole > 0 ? 1.0 / whole : 0.0;
  }

  ExitDecision decide(const ExitContext& ctx) override {
    if (ctx.exit_index >= bandits_.size())
      return ExitDecision::Exit;
    auto& visits = in_flight_[ctx.request_id];
    auto visit = std::find_if(visits.begin(), visits.end(), [&](const Visit& v) { return v.exit == ctx.exit_index; });
    if (visit == visits.end()) {
      visits.push_back({ctx.exit_index, bandits_[ctx.exit_index].choose(exploration_, rng_), ctx.confidence});
      visit = visits.end() - 1;
    }
    return ctx.confidence >= thresholds_[visit->arm] ? ExitDecision::Exit : ExitDecision::Continue;
  }

  void on_outcome(const ExitOutcome& outcome) override {
    auto it = in_flight_.find(outcome.request_id);
    if (it == in_flight_.end())
      return; // lost before its first exit: no arm was pulled
    const std::vector<Visit>& visits = it->second;
    const std::size_t final_exit = bandits_.size();

    double leave_confidence = 0;
    double leave_time = 0;
    std::size_t leave_exit = final_exit + 1; // no exit: lost
    if (outcome.served && outcome.exit >= 0) {
      leave_exit = static_cast<std::size_t>(outcome.exit);
      leave_time = exit_times_.at(std::min(leave_exit, final_exit));
      auto at = std::find_if(visits.begin(), visits.end(), [&](const Visit& v) { return v.exit == leave_exit; });
      leave_confidence = at != visits.end() ? at->confidence : (outcome.correct ? 1.0 : 0.0);
    } else {
      for (const Visit& v : visits)
        leave_time = std::max(leave_time, exit_times_[v.exit]);
    }

    for (const Visit& v : visits) {
      const double reward = v.exit == leave_exit ? 0.0
                                                 : (leave_confidence - v.confidence) -
                                                       cost_ * (leave_time - exit_times_[v.exit]) * time_scale_;
      bandits_[v.exit].reward(v.arm, reward);
    }
    in_flight_.erase(it);
    if (++outcomes_ % kTraceEvery == 0)
      trace_state(outcome.now);
  }

  // Every kTraceEvery outcomes (an epoch), each exit's arms: threshold, mean reward, rewards.
  void trace_state(double now) override {
    if (!traced())
      return;
    for (std::size_t e = 0; e < bandits_.size(); ++e)
      for (std::size_t a = 0; a < bandits_[e].arms(); ++a)
        trace(now, {{fmt::format("exit{}_arm{}_threshold", e, a), thresholds_[a]},
                    {fmt::format("exit{}_arm{}_mean", e, a), bandits_[e].mean(a)},
                    {fmt::format("exit{}_arm{}_count", e, a), static_cast<double>(bandits_[e].count(a))}});
  }

private:
  struct Visit {
    std::size_t exit;
    std::size_t arm;
    double confidence;
  };

  static constexpr std::uint64_t kTraceEvery = 1000;
  std::uint64_t outcomes_ = 0;
  std::vector<double> thresholds_;
  double exploration_;
  double cost_;
  std::vector<double> exit_times_;
  double time_scale_ = 0;
  Rng rng_;
  std::vector<ThresholdBandit> bandits_; // one per intermediate exit
  std::unordered_map<std::uint64_t, std::vector<Visit>> in_flight_;
};

} // namespace

void register_exit_ucb(Registry& registry) {
  registry.add_exit_policy(
      "ucb",
      "per-exit confidence thresholds learned online by UCB1; reward = confidence gain − cost × "
      "extra compute (AdaEE, Pacheco et al., ICC 2023)",
      [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
        args.config.require_only({"policy", "thresholds", "exploration", "cost"});
        std::vector<double> thresholds{0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
        if (args.config.has("thresholds"))
          thresholds = args.config.get_double_array("thresholds");
        if (thresholds.empty())
          args.config.fail("thresholds", "a non-empty array of confidence thresholds");
        for (double t : thresholds)
          if (!(t >= 0 && t <= 1))
            args.config.fail("thresholds", "confidence thresholds in [0, 1]");
        const double exploration = args.config.get_double("exploration", std::sqrt(2.0));
        if (!(exploration >= 0))
          args.config.fail("exploration", "a number >= 0 (the UCB1 exploration weight)");
        const double cost = args.config.get_double("cost", 0.1);
        if (!(cost >= 0))
          args.config.fail("cost", "a number >= 0 (reward lost per unit of normalised extra compute time)");
        if (args.exit_times.size() != args.model.exits.size() + 1)
          throw RuntimeError(fmt::format("ucb exit policy: got {} exit times for a model with {} exits",
                                         args.exit_times.size(), args.model.exits.size()));
        return std::make_unique<UcbPolicy>(std::move(thresholds), exploration, cost, args.exit_times, args.seed);
      });
}

} // namespace edgesim
