// `splitplace` (Tuli, Casale & Jennings, "SplitPlace", IEEE TMC 2022): at every
// decision (the initial placement and each placement.replan_every) a contextual
// multi-armed bandit chooses between a layer-wise split and a semantic split of the
// model, each computed by a simple placement on the platform as it is now
// (split_arms.hpp). Context: the SLO slack (SLO / predicted layer-wise latency) and the
// load (arrival rate x predicted latency), three levels each. Reward of a request: the
// split's expected accuracy (final accuracy - the model's penalty for k branches) if it
// was served within its SLO, else 0, credited to the arm and context of the decision
// that placed it.
#include "policies/builtin.hpp"
#include "policies/place/contextual_bandit.hpp"
#include "policies/place/split_arms.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <optional>

namespace edgesim {
namespace {

enum class Mode { Bandit, Layer, Semantic };
constexpr std::size_t kLayerArm = 0;
constexpr std::size_t kSemanticArm = 1;
constexpr std::size_t kLevels = 3;

std::size_t level(double value, double low, double high) {
  return value < low ? 0 : value < high ? 1 : 2;
}

class SplitPlacePolicy final : public PlacementPolicy {
public:
  SplitPlacePolicy(Mode mode, std::size_t branches, double exploration, std::uint64_t seed)
      : mode_(mode), branches_(branches), bandit_(kLevels * kLevels, 2, exploration, seed) {}

  std::vector<Fragment> place(const PlacementProblem& problem) override {
    final_accuracy_ = problem.model.final_accuracy;
    semantic_penalty_ = problem.model.semantic.penalty(branches_);
    std::array<std::optional<ArmPlacement>, 2> arms{best_chain_split(problem),
                                                    fastest_semantic_split(problem, branches_)};
    if (!arms[kLayerArm] && !arms[kSemanticArm])
      throw RuntimeError(fmt::format("splitplace: no feasible placement of {} for tenant {} at t = {} s (source "
                                     "host down or the model fits nowhere)",
                                     problem.model.name, problem.tenant, problem.now_s));
    std::size_t arm = mode_ == Mode::Semantic ? kSemanticArm : kLayerArm;
    if (mode_ == Mode::Bandit && arms[kLayerArm] && arms[kSemanticArm]) {
      const double latency = arms[kLayerArm]->predicted_latency;
      const std::size_t slack = level(problem.workload.slo_s / latency, 1.0, 2.0);
      const std::size_t load = level(problem.workload.arrival_rate * latency, 0.5, 0.9);
      const std::size_t context = slack * kLevels + load;
      arm = bandit_.choose(context);
      decision_context_[arm] = context;
    }
    if (!arms[arm])
      arm = 1 - arm;
    if (arm == kSemanticArm)
      semantic_penalty_ = problem.model.semantic.penalty(arms[arm]->fragments.size());
    last_decision_ = {arm == kSemanticArm ? 1.0 : 0.0, arms[arm]->predicted_latency,
                      arm == kSemanticArm ? static_cast<double>(arms[arm]->fragments.size()) : 1.0};
    trace_state(problem.now_s);
    return arms[arm]->fragments;
  }

  // Each decision (the initial one is recorded when the engine attaches the trace).
  void trace_state(double now) override {
    trace(now, {{"arm_semantic", last_decision_[0]},
                {"predicted_latency_s", last_decision_[1]},
                {"branches", last_decision_[2]}});
  }

  void on_outcome(const PlacementOutcome& outcome) override {
    const std::size_t arm = outcome.branches > 1 ? kSemanticArm : kLayerArm;
    if (!decision_context_[arm])
      return; // placed by a decision the bandit did not make (only one arm feasible)
    const double accuracy = arm == kSemanticArm ? final_accuracy_ - semantic_penalty_ : final_accuracy_;
    bandit_.reward(*decision_context_[arm], arm, outcome.served && outcome.slo_met ? accuracy : 0.0);
  }

private:
  Mode mode_;
  std::size_t branches_;
  ContextualBandit bandit_;
  std::array<std::optional<std::size_t>, 2> decision_context_;
  double final_accuracy_ = 0;
  double semantic_penalty_ = 0;
  std::array<double, 3> last_decision_{}; // arm_semantic, predicted_latency_s, branches
};

} // namespace

void register_place_splitplace(Registry& registry) {
  registry.add_placement_policy(
      "splitplace", "contextual bandit choosing a layer-wise or a semantic split per decision (SplitPlace, TMC 2022)",
      [](const PlacementPolicyArgs& args) -> std::unique_ptr<PlacementPolicy> {
        const ConfigView& config = args.config;
        config.require_only({"policy", "mode", "branches", "exploration"});
        const std::string mode_name = config.get_string("mode", "bandit");
        Mode mode = Mode::Bandit;
        if (mode_name == "layer")
          mode = Mode::Layer;
        else if (mode_name == "semantic")
          mode = Mode::Semantic;
        else if (mode_name != "bandit")
          config.fail("mode", "one of \"bandit\", \"layer\", \"semantic\"");
        const std::int64_t branches = config.get_int("branches", 2);
        if (branches < 2)
          config.fail("branches", "a number of semantic branches >= 2");
        const double exploration = config.get_double("exploration", 0.1);
        if (!(exploration >= 0))
          config.fail("exploration", "a non-negative exploration weight");
        return std::make_unique<SplitPlacePolicy>(mode, static_cast<std::size_t>(branches), exploration, args.seed);
      });
}

} // namespace edgesim
