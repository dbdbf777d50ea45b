// `periodic`: one arrival every 1 / rate seconds, the first at 1 / rate.
#include <edgesim/policy.hpp>

#include "policies/arrival/arrival_rate.hpp"
#include "policies/builtin.hpp"

namespace edgesim {
namespace {

class PeriodicStream final : public ArrivalStream {
public:
  explicit PeriodicStream(double rate) : rate_(rate) {}
  double next(Rng& /*rng*/) override {
    // Accumulated (not n / rate) as it always was, so that outputs stay bit-identical.
    now_ += 1.0 / rate_;
    return now_;
  }

private:
  double rate_;
  double now_ = 0;
};

class PeriodicProcess final : public ArrivalProcess {
public:
  explicit PeriodicProcess(double rate) : rate_(rate) {}
  [[nodiscard]] std::unique_ptr<ArrivalStream> start(Rng& /*rng*/) const override {
    return std::make_unique<PeriodicStream>(rate_);
  }
  [[nodiscard]] double mean_rate() const override { return rate_; }

private:
  double rate_;
};

} // namespace

void register_arrival_periodic(Registry& registry) {
  registry.add_arrival_process("periodic", "constant inter-arrival time 1 / rate: rate",
                               [](const ArrivalProcessArgs& args) -> std::unique_ptr<ArrivalProcess> {
                                 args.config.require_only({"process", "rate"});
                                 return std::make_unique<PeriodicProcess>(positive_arrival_rate(args.config, "rate"));
                               });
}

} // namespace edgesim
