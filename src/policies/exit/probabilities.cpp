// `probabilities`: a request leaves at exit i with probability q_i, independent of its
// confidence. The station's service time becomes the mixture of cumulative exit times
// that M/G/1/K models of early-exit networks assume.
#include "policies/builtin.hpp"

#include <edgesim/random.hpp>

#include <fmt/format.h>

#include <cmath>
#include <numeric>

namespace edgesim {
namespace {

class ProbabilitiesPolicy final : public ExitPolicy {
public:
  ProbabilitiesPolicy(const std::vector<double>& probabilities, std::uint64_t seed) : rng_(seed) {
    // Convert unconditional exit probabilities into "leave here given that the request
    // reached this exit", so decide() needs one draw per exit reached.
    double remaining = 1.0;
    for (double q : probabilities) {
      conditional_.push_back(remaining > 0 ? std::min(1.0, q / remaining) : 1.0);
      remaining -= q;
    }
  }
  ExitDecision decide(const ExitContext& ctx) override {
    return rng_.uniform() < conditional_[ctx.exit_index] ? ExitDecision::Exit : ExitDecision::Continue;
  }

private:
  std::vector<double> conditional_;
  Rng rng_;
};

} // namespace

void register_exit_probabilities(Registry& registry) {
  registry.add_exit_policy(
      "probabilities", "leave at exit i with probability q_i (list of num_exits + 1 values summing to 1)",
      [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
        args.config.require_only({"policy", "probabilities"});
        auto q = args.config.get_double_array("probabilities");
        const std::size_t n = args.model.exits.size();
        if (q.size() != n + 1)
          args.config.fail("probabilities",
                           fmt::format("{} probabilities (one per exit plus the final classifier)", n + 1));
        for (double p : q)
          if (!(p >= 0 && p <= 1))
            args.config.fail("probabilities", "probabilities in [0, 1]");
        if (std::abs(std::accumulate(q.begin(), q.end(), 0.0) - 1.0) > 1e-9)
          args.config.fail("probabilities", "probabilities that sum to 1");
        return std::make_unique<ProbabilitiesPolicy>(std::move(q), args.seed);
      });
}

} // namespace edgesim
