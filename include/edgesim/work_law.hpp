#pragma once
// Plugin interface: work laws. A request's work factor at a station multiplies its
// fragment's nominal work; a tenant's `work` (docs/formats.md) names the law it is drawn
// from by `distribution`. Built-ins (deterministic, exponential, erlang,
// hyperexponential) and user plugins register factories in the Registry (policy.hpp).
#include <edgesim/config_view.hpp>
#include <edgesim/random.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace edgesim {

/// One branch of a work law's shape for analytic models: with probability `weight`, a
/// constant `mean`, an exponential law of that mean, or an Erlang law of `stages`
/// exponential phases and that mean.
struct WorkBranch {
  enum class Kind : std::uint8_t { Constant, Exponential, Erlang };
  Kind kind = Kind::Constant;
  double weight = 1;
  double mean = 1;
  int stages = 1; // Erlang only
};

/// A configured work law: immutable and stateless, so one law serves every station and
/// every run; the randomness is all in the Rng the engine passes.
class WorkLaw {
public:
  virtual ~WorkLaw() = default;
  /// One work factor, mean 1, drawn from `rng` (the tenant's work stream). Called once
  /// per fragment visit: the engine's hot path.
  [[nodiscard]] virtual double draw(Rng& rng) const = 0;
  /// Squared coefficient of variation of the factor (0: every request brings the same
  /// work, 1: exponential); the dataset generator records it as a feature.
  [[nodiscard]] virtual double scv() const = 0;
  /// The law as a mixture of constant, exponential and Erlang branches with overall mean
  /// 1, for the analytic queueing network of `validate --network --scenario`; empty when
  /// the law is not such a mixture (the validation then rejects it).
  [[nodiscard]] virtual std::vector<WorkBranch> branches() const { return {}; }
};

/// What a work law factory gets.
struct WorkLawArgs {
  /// The law's table, `distribution` key included (require_only must allow it). A law
  /// given by name alone (`work = "exponential"`) comes as a table holding only that key.
  const ConfigView& config;
};

using WorkLawFactory = std::function<std::unique_ptr<WorkLaw>(const WorkLawArgs&)>;

struct WorkLawEntry {
  std::string name;
  std::string description;
  WorkLawFactory factory;
};

} // namespace edgesim
