#pragma once
// Plugin interface: arrival processes. A tenant's `arrival` table (docs/formats.md) names
// one by `process`; built-ins (poisson, periodic, mmpp2, trace) and user plugins register
// factories in the Registry (policy.hpp) under that name.
#include <edgesim/config_view.hpp>
#include <edgesim/random.hpp>

#include <functional>
#include <memory>
#include <string>

namespace edgesim {

/// One tenant's arrivals in one run, from time 0. It holds the run's state (the time of
/// the last arrival, the state of a modulating chain); the ArrivalProcess it came from
/// holds the configuration only, so one scenario serves any number of runs.
class ArrivalStream {
public:
  virtual ~ArrivalStream() = default;
  /// Time of the next arrival (absolute, seconds, non-decreasing), drawn from `rng`, the
  /// tenant's arrival stream; infinity once the process has no more arrivals.
  virtual double next(Rng& rng) = 0;
};

/// A configured arrival process: immutable, shared by every run of the scenario.
class ArrivalProcess {
public:
  virtual ~ArrivalProcess() = default;
  /// A run's arrivals. Draws made here (mmpp2 draws its first sojourn) come from `rng`
  /// before the first arrival's, in the tenant's arrival stream.
  [[nodiscard]] virtual std::unique_ptr<ArrivalStream> start(Rng& rng) const = 0;
  /// Long-run mean rate, 1/s: what placement and exit policies are told of the load.
  [[nodiscard]] virtual double mean_rate() const = 0;
  /// Arrivals expected in [0, t]: the scenario loader refuses runs bounded by a duration
  /// that would never finish. A trace counts its rows instead.
  [[nodiscard]] virtual double expected_arrivals(double t) const { return mean_rate() * t; }
  /// Whether the arrivals are a Poisson process of rate mean_rate(): the only input the
  /// analytic queueing network of `validate --network --scenario` takes.
  [[nodiscard]] virtual bool is_poisson() const { return false; }
};

/// What an arrival process factory gets.
struct ArrivalProcessArgs {
  /// The tenant's `arrival` table, `process` key included (require_only must allow it).
  const ConfigView& config;
  /// The scenario's directory: relative file names in the table resolve against it.
  std::string base_dir;
};

/// Reads and checks the table (failing through ConfigView, which names the key) and
/// returns the process; a file it needs is read here, at configuration time.
using ArrivalProcessFactory = std::function<std::unique_ptr<ArrivalProcess>(const ArrivalProcessArgs&)>;

struct ArrivalProcessEntry {
  std::string name;
  std::string description;
  ArrivalProcessFactory factory;
};

} // namespace edgesim
