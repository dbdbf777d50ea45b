// `knapsack`: deterministic single-exit scheduling after G. Casale and M. Roveri,
// "Scheduling Inputs in Early Exit Neural Networks", IEEE Transactions on Computers, 2023
// (doi:10.1109/TC.2023.3333189). The paper's point is that fixing a request's exit when
// its processing starts makes the station's service time predictable, so it can be sized
// to the load: a knapsack whose capacity is the time the station can afford to spend on
// the request and whose items are the exits (weight: cumulative compute time; value:
// accuracy, which grows with depth, so the most valuable item that fits is the deepest).
//
// At a request's first decision (its processing has just started) the policy computes
//   λ = ctx.arrival_rate if > 0, else args.mean_arrival_rate     (1/s)
//   q = max(ctx.queue_length, 1)     requests in the station, this one included
//   K = args.station_capacity
//   m = K − q + 1                    the arrival after the room left overflows the buffer
//   B = budget_scale · x_m / λ                                   (B = ∞ when λ = 0)
// and fixes the target exit: the deepest j ≥ min_exit with exit_times[j] / s ≤ B, where
// s = ctx.cpu_share is the tenant's CPU share (1 alone on its host) (j =
// num_exits is the final classifier), or min_exit when none fits. The request continues
// at earlier exits and leaves at the target.
//
// Why this B: with q requests present and none leaving, the m-th next arrival finds the
// buffer full. Under Poisson arrivals its time T_m is Erlang(m, λ), and under FCFS the
// request in service is the first to leave, so finishing it before T_m avoids that loss.
// `budget = "quantile"` (the default) takes x_m = the `overflow_risk` quantile of
// Erlang(m, 1), so the loss happens with probability at most overflow_risk;
// `budget = "mean"` takes x_m = m, the expected time: T_m then comes first about half
// the time (e^-1 for m = 1), so a station held near full loses heavily in overload
// (21 % at ρ ≈ 1.46 on tests/data/scenarios/queueing-lp-station.toml, against 1.0 % by
// quantile; docs/exit-policies.md). As the queue grows the budget shrinks and requests
// leave earlier until the backlog drains. With several servers other departures may
// come first, so B is conservative there. K is the first station's capacity, the one
// the paper's single-queue model describes.
//
// Keys: `policy`, `budget` ("quantile" | "mean"), `overflow_risk` (in (0, 1), default
// 0.05), `budget_scale` (> 0, default 1), `min_exit` (0..num_exits, default 0;
// classifiers before it are not evaluated).
#include "policies/builtin.hpp"

#include <edgesim/error.hpp>

#include <boost/math/special_functions/gamma.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

namespace edgesim {
namespace {

// Quantiles x_m kept from construction for m up to this (K is usually small); a larger
// room is computed when met.
constexpr int kCachedQuantiles = 4096;

// The q-quantile of Erlang(m, 1), the time of the m-th arrival of a unit-rate Poisson
// process: the inverse of the regularised lower incomplete gamma function P(m, x).
double erlang_quantile(int m, double q) {
  return boost::math::gamma_p_inv(static_cast<double>(m), q);
}

class KnapsackPolicy final : public ExitPolicy {
public:
  // overflow_risk <= 0: the mean budget x_m = m.
  KnapsackPolicy(std::vector<double> exit_times, int capacity, double mean_rate, double budget_scale,
                 std::size_t min_exit, double overflow_risk)
      : exit_times_(std::move(exit_times)), capacity_(std::max(1, capacity)), mean_rate_(mean_rate),
        budget_scale_(budget_scale), min_exit_(min_exit) {
    if (overflow_risk > 0) {
      overflow_risk_ = overflow_risk;
      for (int m = 1; m <= std::min(capacity_, kCachedQuantiles); ++m)
        quantiles_.push_back(erlang_quantile(m, overflow_risk));
    }
  }

  [[nodiscard]] bool evaluates_exit(std::size_t exit) const override { return exit >= min_exit_; }

  ExitDecision decide(const ExitContext& ctx) override {
    if (ctx.exit_index >= ctx.num_exits)
      return ExitDecision::Exit;
    // The plan is made once per request and kept, so its service time is what was
    // budgeted even if the queue changes while it runs (the paper's single-exit rule).
    auto [it, planned_now] = targets_.try_emplace(ctx.request_id, 0);
    if (planned_now) {
      const double b = budget(ctx);
      it->second = target(b, ctx.cpu_share);
      // A state change: the exit the budget now allows moved.
      if (it->second != traced_target_) {
        traced_target_ = it->second;
        trace(ctx.now, {{"budget_s", b},
                        {"target_exit", static_cast<double>(it->second)},
                        {"queue", static_cast<double>(ctx.queue_length)}});
      }
    }
    if (ctx.exit_index < it->second)
      return ExitDecision::Continue;
    targets_.erase(it);
    return ExitDecision::Exit;
  }

  // Requests that reach the final classifier or are lost never see their target exit.
  void on_outcome(const ExitOutcome& outcome) override { targets_.erase(outcome.request_id); }

private:
  [[nodiscard]] double budget(const ExitContext& ctx) const {
    const double rate = ctx.arrival_rate > 0 ? ctx.arrival_rate : mean_rate_;
    if (!(rate > 0))
      return std::numeric_limits<double>::infinity();
    const int in_system = std::max(ctx.queue_length, 1);
    const int room = std::clamp(capacity_ - in_system + 1, 1, capacity_);
    return budget_scale_ * arrival_quantile(room) / rate;
  }

  // With a CPU share s below 1 every compute time stretches to t / s.
  // x_m: when the m-th next arrival comes at rate 1 (its overflow_risk quantile, or its
  // mean m under budget = "mean").
  [[nodiscard]] double arrival_quantile(int m) const {
    if (!overflow_risk_)
      return static_cast<double>(m);
    if (m <= static_cast<int>(quantiles_.size()))
      return quantiles_[static_cast<std::size_t>(m - 1)];
    return erlang_quantile(m, *overflow_risk_);
  }

  [[nodiscard]] std::size_t target(double budget, double share) const {
    std::size_t best = min_exit_;
    for (std::size_t j = min_exit_; j < exit_times_.size(); ++j)
      if (exit_times_[j] <= budget * share)
        best = j; // exit_times grows with depth: the last fitting exit is the deepest
    return best;
  }

  std::vector<double> exit_times_;
  int capacity_;
  double mean_rate_;
  std::size_t traced_target_ = std::numeric_limits<std::size_t>::max();
  double budget_scale_;
  std::size_t min_exit_;
  std::optional<double> overflow_risk_;                    // none = mean budget
  std::vector<double> quantiles_;                          // x_m for m = 1..min(K, kCachedQuantiles)
  std::unordered_map<std::uint64_t, std::size_t> targets_; // request → planned exit, while in flight
};

} // namespace

void register_exit_knapsack(Registry& registry) {
  registry.add_exit_policy(
      "knapsack",
      "fix each request's exit at its start: the deepest whose compute time ends before the buffer "
      "overflows with probability >= 1 − overflow_risk (Casale & Roveri, IEEE TC 2023)",
      [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
        args.config.require_only({"policy", "budget", "overflow_risk", "budget_scale", "min_exit"});
        const std::string budget = args.config.get_string("budget", "quantile");
        if (budget != "quantile" && budget != "mean")
          args.config.fail("budget", "\"quantile\" (the overflow_risk quantile of the overflowing arrival's time) or "
                                     "\"mean\" (its expected time)");
        const double risk = args.config.get_double("overflow_risk", 0.05);
        if (!(risk > 0 && risk < 1))
          args.config.fail("overflow_risk", "a probability in (0, 1)");
        if (budget == "mean" && args.config.has("overflow_risk"))
          args.config.fail("overflow_risk", "no overflow_risk with budget = \"mean\"");
        const double scale = args.config.get_double("budget_scale", 1.0);
        if (!(scale > 0))
          args.config.fail("budget_scale", "a positive number");
        const auto n = static_cast<std::int64_t>(args.model.exits.size());
        const std::int64_t min_exit = args.config.get_int("min_exit", 0);
        if (min_exit < 0 || min_exit > n)
          args.config.fail("min_exit", fmt::format("an exit index in 0..{} ({} = final classifier)", n, n));
        if (args.exit_times.size() != args.model.exits.size() + 1)
          throw RuntimeError(fmt::format("knapsack exit policy: got {} exit times for a model with {} exits",
                                         args.exit_times.size(), n));
        return std::make_unique<KnapsackPolicy>(args.exit_times, args.station_capacity, args.mean_arrival_rate, scale,
                                                static_cast<std::size_t>(min_exit), budget == "mean" ? 0.0 : risk);
      });
}

} // namespace edgesim
