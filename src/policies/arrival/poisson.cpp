// `poisson`: exponential inter-arrival times of mean 1 / rate.
#include <edgesim/policy.hpp>

#include "policies/arrival/arrival_rate.hpp"
#include "policies/builtin.hpp"

namespace edgesim {
namespace {

class PoissonStream final : public ArrivalStream {
public:
  explicit PoissonStream(double rate) : rate_(rate) {}
  double next(Rng& rng) override {
    now_ += rng.exponential(rate_);
    return now_;
  }

private:
  double rate_;
  double now_ = 0;
};

class PoissonProcess final : public ArrivalProcess {
public:
  explicit PoissonProcess(double rate) : rate_(rate) {}
  [[nodiscard]] std::unique_ptr<ArrivalStream> start(Rng& /*rng*/) const override {
    return std::make_unique<PoissonStream>(rate_);
  }
  [[nodiscard]] double mean_rate() const override { return rate_; }
  [[nodiscard]] bool is_poisson() const override { return true; }

private:
  double rate_;
};

} // namespace

void register_arrival_poisson(Registry& registry) {
  registry.add_arrival_process("poisson", "exponential inter-arrival times: rate",
                               [](const ArrivalProcessArgs& args) -> std::unique_ptr<ArrivalProcess> {
                                 args.config.require_only({"process", "rate"});
                                 return std::make_unique<PoissonProcess>(positive_arrival_rate(args.config, "rate"));
                               });
}

} // namespace edgesim
