// `pareto`: Pareto-optimal early exits after Dělen (Liang, Hanafy, Bashir, Ali-Eldin,
// Irwin, Shenoy, "Dělen: Enabling Flexible and Adaptive Model-serving for Multi-tenant
// Edge AI", IoTDI 2023). At construction the model's exit behaviour is profiled, every
// threshold vector of a grid is scored (accuracy, compute latency, energy), the
// non-dominated vectors are kept and the one serving the tenant's objective becomes the
// policy's thresholds. A second point, the cheapest acceptable one, takes over while the
// local battery is below `low_battery`.
#include "policies/builtin.hpp"
#include "policies/exit/pareto_frontier.hpp"

#include <edgesim/random.hpp>

#include <fmt/format.h>

#include <cmath>

namespace edgesim {
namespace {

// Profiling cost is grid points x samples x exits; beyond this a scenario waits long
// enough at start-up that a smaller grid is what the user wants.
constexpr double kMaxProfileWork = 5e8;

// The frontier and what the policy picks from it for a CPU share: every point's latency
// stretches by 1/share, which is selecting with latency_budget x share.
struct ParetoChoice {
  std::vector<pareto::Candidate> candidates;
  std::vector<pareto::Metrics> front;
  std::vector<std::size_t> front_index; // into candidates
  pareto::Goal goal;

  [[nodiscard]] const std::vector<double>& pick(double share, pareto::Objective objective) const {
    pareto::Goal scaled = goal;
    scaled.objective = objective;
    scaled.latency_budget = goal.latency_budget * share;
    return candidates[front_index[pareto::select(front, scaled)]].thresholds;
  }
};

class ParetoPolicy final : public ExitPolicy {
public:
  ParetoPolicy(ParetoChoice choice, double low_battery)
      : choice_(std::move(choice)), thresholds_(choice_.pick(1.0, choice_.goal.objective)),
        low_battery_thresholds_(choice_.pick(1.0, pareto::Objective::MinEnergy)), low_battery_(low_battery) {}

  // Re-selects both points on the stretched frontier (the first station's host: the
  // profile's latencies are of the whole model on the tenant's placement).
  void on_cpu_share(const CpuShareChange& change) override {
    if (!change.first_host || change.share == share_)
      return;
    share_ = change.share;
    thresholds_ = choice_.pick(share_, choice_.goal.objective);
    low_battery_thresholds_ = choice_.pick(share_, pareto::Objective::MinEnergy);
    trace_state(change.now);
  }

  ExitDecision decide(const ExitContext& ctx) override {
    if (ctx.exit_index >= thresholds_.size())
      return ExitDecision::Exit;
    // Both points were picked at construction, so crossing the level (either way)
    // switches at once, with no re-profiling on the simulated clock.
    const bool low = ctx.battery_soc < low_battery_;
    if (low != low_active_) {
      low_active_ = low;
      trace_state(ctx.now);
    }
    const auto& active = low ? low_battery_thresholds_ : thresholds_;
    return ctx.confidence >= active[ctx.exit_index] ? ExitDecision::Exit : ExitDecision::Continue;
  }

  // At t = 0 and at each switch: which point is active (0 the objective's, 1 the
  // low-battery one) and its thresholds.
  void trace_state(double now) override {
    const auto& active = low_active_ ? low_battery_thresholds_ : thresholds_;
    trace(now, {{"low_battery_point", low_active_ ? 1.0 : 0.0}});
    for (std::size_t e = 0; e < active.size(); ++e)
      trace(now, {{fmt::format("threshold_{}", e), active[e]}});
  }

private:
  ParetoChoice choice_;
  double share_ = 1;
  bool low_active_ = false;
  std::vector<double> thresholds_;
  std::vector<double> low_battery_thresholds_;
  double low_battery_;
};

std::vector<std::vector<double>> read_grid(const ConfigView& config, std::size_t exits) {
  static const std::vector<double> kDefault{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01};
  std::vector<std::vector<double>> grid;
  if (!config.has("grid")) {
    grid.assign(exits, kDefault);
  } else if (config.element_kind("grid") == ConfigKind::Array) {
    // One list per intermediate exit.
    grid = config.get_double_arrays("grid");
    if (grid.size() != exits)
      config.fail("grid", fmt::format("{} threshold lists (one per intermediate exit) or one list for all", exits));
  } else {
    grid.assign(exits, config.get_double_array("grid"));
  }
  for (const auto& list : grid) {
    if (list.empty())
      config.fail("grid", "at least one candidate threshold per exit");
    for (double t : list)
      if (!(std::isfinite(t) && t >= 0))
        config.fail("grid", "thresholds >= 0 (a threshold above 1 never leaves at that exit)");
  }
  return grid;
}

} // namespace

void register_exit_pareto(Registry& registry) {
  registry.add_exit_policy(
      "pareto",
      "Pareto-optimal exit thresholds from an offline profile (Dělen); objective max-accuracy, min-energy or "
      "balanced, min-energy below low_battery",
      [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
        const ConfigView& config = args.config;
        config.require_only(
            {"policy", "profile_samples", "grid", "objective", "latency_budget", "min_accuracy", "low_battery"});
        const std::size_t n = args.model.exits.size();
        const std::int64_t samples = config.get_int("profile_samples", 2000);
        if (samples < 1)
          config.fail("profile_samples", "a number of profiled requests >= 1");
        const auto grid = read_grid(config, n);
        double work = static_cast<double>(samples) * static_cast<double>(n + 1);
        for (const auto& list : grid)
          work *= static_cast<double>(list.size());
        if (work > kMaxProfileWork)
          config.fail("grid", fmt::format("fewer threshold combinations (grid points x profile_samples x exits "
                                          "<= {:g})",
                                          kMaxProfileWork));

        pareto::Goal goal;
        const std::string objective = config.get_string("objective", "max-accuracy");
        if (auto parsed = pareto::parse_objective(objective))
          goal.objective = *parsed;
        else
          config.fail("objective", "\"max-accuracy\", \"min-energy\" or \"balanced\"");
        goal.latency_budget = config.get_seconds("latency_budget", args.slo);
        if (!(goal.latency_budget > 0))
          config.fail("latency_budget", "a positive duration");
        goal.min_accuracy = config.get_double("min_accuracy", 0.0);
        if (!(goal.min_accuracy >= 0 && goal.min_accuracy <= 1))
          config.fail("min_accuracy", "an accuracy in [0, 1]");
        const double low_battery = config.get_double("low_battery", 0.3);
        if (!(low_battery >= 0 && low_battery <= 1))
          config.fail("low_battery", "a state of charge in [0, 1] (0 never switches)");
        if (args.exit_times.size() != n + 1)
          throw InputError(fmt::format("{}: the placement gives {} exit times for a model with {} exits",
                                       config.where("policy"), args.exit_times.size(), n));

        const auto profile = pareto::profile_exits(args.model, stream_seed(args.seed, "pareto-profile"),
                                                   static_cast<std::size_t>(samples));
        ParetoChoice choice;
        choice.goal = goal;
        choice.candidates = pareto::evaluate_grid(profile, grid, args.exit_times, pareto::exit_energy(args.model));
        std::vector<pareto::Metrics> metrics;
        metrics.reserve(choice.candidates.size());
        for (const auto& candidate : choice.candidates)
          metrics.push_back(candidate.metrics);
        for (std::size_t i : pareto::frontier(metrics)) {
          choice.front.push_back(metrics[i]);
          choice.front_index.push_back(i);
        }
        return std::make_unique<ParetoPolicy>(std::move(choice), low_battery);
      });
}

} // namespace edgesim
