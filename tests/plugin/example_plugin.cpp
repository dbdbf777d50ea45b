// An edgesim policy plugin built outside the simulator, through the public headers only
// (docs/plugins.md). Build it as a shared library; load it with `--plugin lib.so` or
// `[plugins] load = ["lib.so"]`.
//
//   example-every-other  exit policy: a request with an even id leaves at the first
//                        exit; the others run to the final classifier.
//   example-last-host    placement policy: the whole model on the host whose name sorts
//                        last.
//   example-gaps         arrival process: one arrival every `gap` (a duration), the n-th
//                        at n x gap.
//   example-two-point    work law: factor `low` or 2 - `low`, each with probability 1/2.
//
// Symbols such as edgesim::Registry::add_exit_policy and edgesim::ConfigView's methods
// are not linked into this library: they are resolved against the edgesim executable
// (built with ENABLE_EXPORTS, i.e. -rdynamic) when edgesim dlopens the plugin.
#include <edgesim/policy.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace {

class EveryOtherExit final : public edgesim::ExitPolicy {
public:
  // Only the first exit is ever taken, so later classifiers are skipped at no cost.
  [[nodiscard]] bool evaluates_exit(std::size_t exit) const override { return exit == 0; }

  edgesim::ExitDecision decide(const edgesim::ExitContext& ctx) override {
    return ctx.exit_index == 0 && ctx.request_id % 2 == 0 ? edgesim::ExitDecision::Exit
                                                          : edgesim::ExitDecision::Continue;
  }
};

class LastHostPlacement final : public edgesim::PlacementPolicy {
public:
  std::vector<edgesim::Fragment> place(const edgesim::PlacementProblem& problem) override {
    const auto last = std::max_element(problem.hosts.begin(), problem.hosts.end(),
                                       [](const auto& a, const auto& b) { return a.name < b.name; });
    return {edgesim::Fragment{0, problem.model.layers.size() - 1, last->name}};
  }
};

class GapsStream final : public edgesim::ArrivalStream {
public:
  explicit GapsStream(double gap) : gap_(gap) {}
  double next(edgesim::Rng& /*rng*/) override { return static_cast<double>(++count_) * gap_; }

private:
  double gap_;
  std::uint64_t count_ = 0;
};

class GapsProcess final : public edgesim::ArrivalProcess {
public:
  explicit GapsProcess(double gap) : gap_(gap) {}
  [[nodiscard]] std::unique_ptr<edgesim::ArrivalStream> start(edgesim::Rng& /*rng*/) const override {
    return std::make_unique<GapsStream>(gap_);
  }
  [[nodiscard]] double mean_rate() const override { return 1.0 / gap_; }

private:
  double gap_;
};

class TwoPointWork final : public edgesim::WorkLaw {
public:
  explicit TwoPointWork(double low) : low_(low) {}
  [[nodiscard]] double draw(edgesim::Rng& rng) const override { return rng.uniform() < 0.5 ? low_ : 2 - low_; }
  [[nodiscard]] double scv() const override { return (1 - low_) * (1 - low_); }
  // Two constants: the queueing validation can take it as a service law.
  [[nodiscard]] std::vector<edgesim::WorkBranch> branches() const override {
    return {{edgesim::WorkBranch::Kind::Constant, 0.5, low_}, {edgesim::WorkBranch::Kind::Constant, 0.5, 2 - low_}};
  }

private:
  double low_;
};

} // namespace

extern "C" void edgesim_register(edgesim::Registry& registry) {
  registry.add_exit_policy("example-every-other", "leave at the first exit for even request ids",
                           [](const edgesim::ExitPolicyArgs& args) -> std::unique_ptr<edgesim::ExitPolicy> {
                             // Rejects unknown keys with the scenario's file, key path and line.
                             args.config.require_only({"policy"});
                             if (args.model.exits.empty())
                               args.config.fail("policy", "a model with at least one early exit");
                             return std::make_unique<EveryOtherExit>();
                           });
  registry.add_placement_policy(
      "example-last-host", "whole model on the last host by name",
      [](const edgesim::PlacementPolicyArgs& args) -> std::unique_ptr<edgesim::PlacementPolicy> {
        args.config.require_only({"policy"});
        return std::make_unique<LastHostPlacement>();
      });
  registry.add_arrival_process("example-gaps", "one arrival every gap: gap",
                               [](const edgesim::ArrivalProcessArgs& args) -> std::unique_ptr<edgesim::ArrivalProcess> {
                                 args.config.require_only({"process", "gap"});
                                 const double gap = args.config.get_seconds("gap");
                                 if (!(gap > 0))
                                   args.config.fail("gap", "a positive duration");
                                 return std::make_unique<GapsProcess>(gap);
                               });
  registry.add_work_law("example-two-point", "factor low or 2 - low, equally likely: low",
                        [](const edgesim::WorkLawArgs& args) -> std::unique_ptr<edgesim::WorkLaw> {
                          args.config.require_only({"distribution", "low"});
                          const double low = args.config.get_double("low", 0.5);
                          if (!(low > 0 && low < 1))
                            args.config.fail("low", "a factor in (0, 1)");
                          return std::make_unique<TwoPointWork>(low);
                        });
}
