// `mmpp2`: a two-state Markov-modulated Poisson process. The chain stays in state i for
// an exponential time of mean sojourn[i], arrivals come at rates[i] meanwhile.
#include <edgesim/policy.hpp>

#include "config/toml_config.hpp"
#include "config/units.hpp"
#include "policies/builtin.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <optional>

#include <toml++/toml.h>

namespace edgesim {
namespace {

struct Mmpp2Parameters {
  std::array<double, 2> rates{};   // arrival rate in state 0 and 1
  std::array<double, 2> sojourn{}; // mean time spent in state 0 and 1
};

class Mmpp2Stream final : public ArrivalStream {
public:
  Mmpp2Stream(const Mmpp2Parameters& parameters, Rng& rng)
      : parameters_(parameters), switch_at_(rng.exponential(1.0 / parameters.sojourn[0])) {}

  double next(Rng& rng) override {
    // Memorylessness lets us redraw the inter-arrival after each state switch.
    while (true) {
      const double rate = parameters_.rates[state_];
      const double candidate = rate > 0 ? now_ + rng.exponential(rate) : std::numeric_limits<double>::infinity();
      if (candidate <= switch_at_) {
        now_ = candidate;
        return now_;
      }
      now_ = switch_at_;
      state_ = 1 - state_;
      switch_at_ = now_ + rng.exponential(1.0 / parameters_.sojourn[state_]);
    }
  }

private:
  Mmpp2Parameters parameters_;
  std::size_t state_ = 0;
  double now_ = 0;
  double switch_at_;
};

class Mmpp2Process final : public ArrivalProcess {
public:
  explicit Mmpp2Process(const Mmpp2Parameters& parameters) : parameters_(parameters) {}
  [[nodiscard]] std::unique_ptr<ArrivalStream> start(Rng& rng) const override {
    return std::make_unique<Mmpp2Stream>(parameters_, rng);
  }
  [[nodiscard]] double mean_rate() const override {
    const auto& [rates, sojourn] = parameters_;
    return (rates[0] * sojourn[0] + rates[1] * sojourn[1]) / (sojourn[0] + sojourn[1]);
  }

private:
  Mmpp2Parameters parameters_;
};

std::unique_ptr<ArrivalProcess> make_mmpp2(const ArrivalProcessArgs& args) {
  const ConfigView& view = args.config;
  view.require_only({"process", "rates", "sojourn"});
  const auto rates = view.get_double_array("rates");
  if (rates.size() != 2 || !(rates[0] >= 0 && rates[1] >= 0) || rates[0] + rates[1] <= 0)
    view.fail("rates", "two non-negative arrival rates [high, low], not both zero");
  // Each sojourn is seconds or a duration string, which ConfigView has no array getter for.
  const toml::node* node = toml_table(view).get("sojourn");
  const toml::array* sojourn = node != nullptr ? node->as_array() : nullptr;
  if (sojourn == nullptr || sojourn->size() != 2)
    view.fail("sojourn", "two mean sojourn times [in state 0, in state 1] (\"2s\" or seconds)");
  Mmpp2Parameters parameters;
  for (std::size_t i = 0; i < 2; ++i) {
    const toml::node& n = *sojourn->get(i);
    std::optional<double> s;
    if (n.is_number())
      s = n.value<double>();
    else if (const auto* text = n.as_string())
      s = units::parse_seconds(text->get());
    if (!s || !(*s > 0) || !std::isfinite(*s))
      view.fail("sojourn", "two positive, finite mean sojourn times");
    parameters.sojourn[i] = *s;
    parameters.rates[i] = rates[i];
  }
  return std::make_unique<Mmpp2Process>(parameters);
}

} // namespace

void register_arrival_mmpp2(Registry& registry) {
  registry.add_arrival_process("mmpp2", "two-state Markov-modulated Poisson: rates, sojourn", make_mmpp2);
}

} // namespace edgesim
