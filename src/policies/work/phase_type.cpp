// The built-in work laws, all phase-type with mean 1: deterministic (a real DNN brings
// the same work every time), exponential, erlang (k stages) and the balanced-means
// hyperexponential of a given squared coefficient of variation. They turn a station into
// M/D/1/K, M/M/1/K, M/E_k/1/K and M/H2/1/K for the queueing validation.
#include <edgesim/policy.hpp>

#include "policies/builtin.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace edgesim {
namespace {

class DeterministicWork final : public WorkLaw {
public:
  [[nodiscard]] double draw(Rng& /*rng*/) const override { return 1.0; }
  [[nodiscard]] double scv() const override { return 0; }
  [[nodiscard]] std::vector<WorkBranch> branches() const override { return {{WorkBranch::Kind::Constant, 1, 1}}; }
};

class ExponentialWork final : public WorkLaw {
public:
  [[nodiscard]] double draw(Rng& rng) const override { return rng.exponential(1.0); }
  [[nodiscard]] double scv() const override { return 1; }
  [[nodiscard]] std::vector<WorkBranch> branches() const override { return {{WorkBranch::Kind::Exponential, 1, 1}}; }
};

class ErlangWork final : public WorkLaw {
public:
  explicit ErlangWork(int stages) : stages_(stages) {}
  [[nodiscard]] double draw(Rng& rng) const override {
    double sum = 0;
    for (int i = 0; i < stages_; ++i)
      sum += rng.exponential(static_cast<double>(stages_));
    return sum;
  }
  [[nodiscard]] double scv() const override { return 1.0 / stages_; }
  [[nodiscard]] std::vector<WorkBranch> branches() const override {
    return {{WorkBranch::Kind::Erlang, 1, 1, stages_}};
  }

private:
  int stages_;
};

/// Balanced means: p / mu1 = (1 - p) / mu2, overall mean 1, the given squared CV.
class HyperexponentialWork final : public WorkLaw {
public:
  explicit HyperexponentialWork(double scv)
      : scv_(scv), p_(0.5 * (1.0 + std::sqrt((scv - 1.0) / (scv + 1.0)))), mean1_(1.0 / (2.0 * p_)),
        mean2_(1.0 / (2.0 * (1.0 - p_))) {}
  [[nodiscard]] double draw(Rng& rng) const override {
    return rng.uniform() < p_ ? rng.exponential(1.0 / mean1_) : rng.exponential(1.0 / mean2_);
  }
  [[nodiscard]] double scv() const override { return scv_; }
  [[nodiscard]] std::vector<WorkBranch> branches() const override {
    std::vector<WorkBranch> out;
    if (p_ > 0)
      out.push_back({WorkBranch::Kind::Exponential, p_, mean1_});
    if (p_ < 1)
      out.push_back({WorkBranch::Kind::Exponential, 1 - p_, mean2_});
    return out;
  }

private:
  double scv_;
  double p_; // probability of the first branch
  double mean1_;
  double mean2_;
};

// An integer key that must fit an int: a larger TOML integer would otherwise wrap around
// silently when narrowed.
int stages_of(const ConfigView& view) {
  constexpr auto maximum = std::numeric_limits<int>::max();
  const auto value = view.get_int("stages");
  if (value < 1)
    view.fail("stages", fmt::format("an integer >= 1 (got {})", value));
  if (value > maximum)
    view.fail("stages", fmt::format("an integer >= 1, at most {} (got {})", maximum, value));
  return static_cast<int>(value);
}

} // namespace

void register_work_phase_type(Registry& registry) {
  registry.add_work_law("deterministic", "factor 1: every request brings its fragment's nominal work",
                        [](const WorkLawArgs& args) -> std::unique_ptr<WorkLaw> {
                          args.config.require_only({"distribution"});
                          return std::make_unique<DeterministicWork>();
                        });
  registry.add_work_law("exponential", "exponential factor of mean 1 (scv 1)",
                        [](const WorkLawArgs& args) -> std::unique_ptr<WorkLaw> {
                          args.config.require_only({"distribution"});
                          return std::make_unique<ExponentialWork>();
                        });
  registry.add_work_law("erlang", "Erlang factor of mean 1 (scv 1 / stages): stages",
                        [](const WorkLawArgs& args) -> std::unique_ptr<WorkLaw> {
                          args.config.require_only({"distribution", "stages"});
                          return std::make_unique<ErlangWork>(stages_of(args.config));
                        });
  registry.add_work_law("hyperexponential", "balanced-means two-branch hyperexponential of mean 1: scv (default 4), p",
                        [](const WorkLawArgs& args) -> std::unique_ptr<WorkLaw> {
                          const ConfigView& view = args.config;
                          view.require_only({"distribution", "scv", "p"});
                          const double scv = view.get_double("scv", 4.0);
                          if (!(scv > 1))
                            view.fail("scv", "a squared coefficient of variation > 1");
                          // `p` is checked but not used: balanced means fix the branch probability from
                          // the scv. The key stays accepted as it always was.
                          const double p = view.get_double("p", 0.5);
                          if (!(p > 0 && p < 1))
                            view.fail("p", "a branch probability in (0, 1)");
                          return std::make_unique<HyperexponentialWork>(scv);
                        });
}

} // namespace edgesim
