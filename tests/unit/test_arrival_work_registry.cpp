// Arrival processes and work laws in the registry (include/edgesim/arrival_process.hpp,
// work_law.hpp): lookup and listing, duplicate names, each built-in's mean rate or mean
// factor and scv against long runs of its own draws, and the phase-type shape the
// queueing validation turns into a service law.
#include "config/toml_config.hpp"
#include "config/toml_text.hpp"
#include "validate/scenario_network.hpp"

#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>
#include <edgesim/random.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace edgesim {
namespace {

template <typename Entry> std::vector<std::string> names(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const Entry& entry : entries)
    out.push_back(entry.name);
  return out;
}

std::unique_ptr<ArrivalProcess> arrival_process(const std::string& text) {
  const toml::table table = parse_toml_text(text, "a.toml");
  const ConfigView view = config_view(table, "a.toml", "tenants.0.arrival");
  const auto* entry = Registry::instance().arrival_process(view.get_string("process"));
  EXPECT_NE(entry, nullptr) << text;
  return entry->factory({.config = view, .base_dir = "."});
}

std::unique_ptr<WorkLaw> work_law(const std::string& text) {
  const toml::table table = parse_toml_text(text, "w.toml");
  const ConfigView view = config_view(table, "w.toml", "tenants.0.work");
  const auto* entry = Registry::instance().work_law(view.get_string("distribution"));
  EXPECT_NE(entry, nullptr) << text;
  return entry->factory({.config = view});
}

/// Arrivals per second of a run of `process` over [0, horizon].
double observed_rate(const ArrivalProcess& process, double horizon) {
  Rng rng(42);
  auto stream = process.start(rng);
  std::size_t count = 0;
  while (stream->next(rng) <= horizon)
    ++count;
  return static_cast<double>(count) / horizon;
}

TEST(ArrivalWorkRegistry, BuiltinsAreListedInOrder) {
  const Registry& registry = Registry::instance();
  const std::vector<std::string> processes = names(registry.arrival_processes());
  const std::vector<std::string> laws = names(registry.work_laws());
  ASSERT_GE(processes.size(), 4U);
  EXPECT_EQ(std::vector<std::string>(processes.begin(), processes.begin() + 4),
            (std::vector<std::string>{"poisson", "periodic", "mmpp2", "trace"}));
  ASSERT_GE(laws.size(), 4U);
  EXPECT_EQ(std::vector<std::string>(laws.begin(), laws.begin() + 4),
            (std::vector<std::string>{"deterministic", "exponential", "erlang", "hyperexponential"}));
  for (const auto& entry : registry.arrival_processes())
    EXPECT_FALSE(entry.description.empty()) << entry.name;
  for (const auto& entry : registry.work_laws())
    EXPECT_FALSE(entry.description.empty()) << entry.name;
  EXPECT_EQ(registry.arrival_process("bursty"), nullptr);
  EXPECT_EQ(registry.work_law("gamma"), nullptr);
}

TEST(ArrivalWorkRegistry, NamesAreUniquePerKind) {
  Registry& registry = Registry::instance();
  try {
    registry.add_arrival_process("poisson", "again", nullptr);
    ADD_FAILURE() << "a second poisson was registered";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("arrival process \"poisson\" is registered twice"), std::string::npos);
  }
  try {
    registry.add_work_law("erlang", "again", nullptr);
    ADD_FAILURE() << "a second erlang was registered";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("work law \"erlang\" is registered twice"), std::string::npos);
  }
}

TEST(ArrivalWorkRegistry, PoissonMeanRate) {
  const auto poisson = arrival_process("process = \"poisson\"\nrate = 5");
  EXPECT_TRUE(poisson->is_poisson());
  EXPECT_DOUBLE_EQ(poisson->mean_rate(), 5.0);
  EXPECT_DOUBLE_EQ(poisson->expected_arrivals(10), 50.0);
  // 100k arrivals: the count's relative standard deviation is 0.3 %.
  EXPECT_NEAR(observed_rate(*poisson, 20000), 5.0, 0.05);
}

TEST(ArrivalWorkRegistry, PeriodicIsExact) {
  const auto periodic = arrival_process("process = \"periodic\"\nrate = 4");
  EXPECT_FALSE(periodic->is_poisson());
  EXPECT_DOUBLE_EQ(periodic->mean_rate(), 4.0);
  Rng rng(1);
  auto stream = periodic->start(rng);
  EXPECT_DOUBLE_EQ(stream->next(rng), 0.25);
  EXPECT_DOUBLE_EQ(stream->next(rng), 0.5);
}

TEST(ArrivalWorkRegistry, Mmpp2MeanRate) {
  const auto mmpp2 = arrival_process("process = \"mmpp2\"\nrates = [20.0, 2.0]\nsojourn = [\"500ms\", 4.5]");
  EXPECT_FALSE(mmpp2->is_poisson());
  const double expected = (20.0 * 0.5 + 2.0 * 4.5) / 5.0;
  EXPECT_DOUBLE_EQ(mmpp2->mean_rate(), expected);
  // 40k cycles of the modulating chain: a few percent at most.
  EXPECT_NEAR(observed_rate(*mmpp2, 200000), expected, 0.04 * expected);
}

TEST(ArrivalWorkRegistry, StreamsOfOneProcessAreIndependentRuns) {
  const auto mmpp2 = arrival_process("process = \"mmpp2\"\nrates = [20.0, 2.0]\nsojourn = [0.5, 4.5]");
  Rng first_rng(9);
  Rng second_rng(9);
  auto first = mmpp2->start(first_rng);
  auto second = mmpp2->start(second_rng);
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(first->next(first_rng), second->next(second_rng)) << "arrival " << i;
}

TEST(ArrivalWorkRegistry, ProcessErrorsNameTheKey) {
  try {
    (void)arrival_process("process = \"poisson\"\nrate = 0");
    ADD_FAILURE() << "rate 0 accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tenants.0.arrival.rate"), std::string::npos) << e.what();
  }
  try {
    (void)arrival_process("process = \"periodic\"\nrate = 1\nburst = 2");
    ADD_FAILURE() << "an unknown key accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tenants.0.arrival.burst"), std::string::npos) << e.what();
  }
}

struct LawCase {
  std::string text;
  double scv;
};

TEST(ArrivalWorkRegistry, WorkLawsHaveMeanOneAndTheirScv) {
  const std::vector<LawCase> cases = {
      {"distribution = \"deterministic\"", 0.0},
      {"distribution = \"exponential\"", 1.0},
      {"distribution = \"erlang\"\nstages = 4", 0.25},
      {"distribution = \"hyperexponential\"\nscv = 4", 4.0},
  };
  for (const LawCase& c : cases) {
    SCOPED_TRACE(c.text);
    const auto law = work_law(c.text);
    EXPECT_DOUBLE_EQ(law->scv(), c.scv);
    Rng rng(7);
    constexpr int kDraws = 400000;
    double sum = 0;
    double sum_squares = 0;
    for (int i = 0; i < kDraws; ++i) {
      const double factor = law->draw(rng);
      sum += factor;
      sum_squares += factor * factor;
    }
    const double mean = sum / kDraws;
    const double scv = (sum_squares / kDraws - mean * mean) / (mean * mean);
    // Standard errors: the mean's sqrt(scv / n) <= 0.32 %, the scv's below 5 % for H2.
    EXPECT_NEAR(mean, 1.0, 0.01);
    EXPECT_NEAR(scv, c.scv, 0.06 * std::max(c.scv, 0.1));
  }
}

TEST(ArrivalWorkRegistry, WorkLawShapeIsTheQueueingServiceLaw) {
  for (const char* text : {"distribution = \"deterministic\"", "distribution = \"exponential\"",
                           "distribution = \"erlang\"\nstages = 3", "distribution = \"hyperexponential\"\nscv = 9"}) {
    SCOPED_TRACE(text);
    const auto law = work_law(text);
    const auto service = validate::work_law(*law);
    ASSERT_TRUE(service.has_value());
    EXPECT_NEAR(service->mean(), 1.0, 1e-12);
    EXPECT_NEAR(service->scv(), law->scv(), 1e-9);
  }
}

/// A law without a phase-type shape: the queueing validation has no service law for it.
class ShapelessLaw final : public WorkLaw {
public:
  [[nodiscard]] double draw(Rng& rng) const override { return 2 * rng.uniform(); }
  [[nodiscard]] double scv() const override { return 1.0 / 3.0; }
};

TEST(ArrivalWorkRegistry, ShapelessLawHasNoServiceLaw) {
  EXPECT_FALSE(validate::work_law(ShapelessLaw{}).has_value());
}

} // namespace
} // namespace edgesim
