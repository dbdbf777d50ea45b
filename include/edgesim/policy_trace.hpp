#pragma once
// How a policy makes its internal state visible: at a decision epoch or a state change it
// records its own named values (arm means and counts, LP probabilities and predicted
// loss, the active Pareto point, a budget), which the run writes to /policy, one row
// per value. Every built-in policy that has such state records it through this base;
// a plugin's policy may do the same.
#include <initializer_list>
#include <string>
#include <string_view>

namespace edgesim {

struct PolicyValue {
  std::string name;
  double value = 0;
};

/// Where the values go (the engine's, per tenant and policy).
class PolicyTrace {
public:
  virtual ~PolicyTrace() = default;
  virtual void record(double time, std::initializer_list<PolicyValue> values) = 0;
};

/// What ExitPolicy and PlacementPolicy derive from: trace() is a no-op until the engine
/// attaches a trace, so policies built outside a run (tests, `edgesim check`) need none.
class TracedPolicy {
public:
  virtual ~TracedPolicy() = default;
  /// The engine attaches the tenant's trace before the run starts, then calls
  /// trace_state(0) so a policy planned at construction records its initial state.
  void attach_trace(PolicyTrace* trace) { trace_ = trace; }
  virtual void trace_state(double /*now*/) {}

protected:
  void trace(double time, std::initializer_list<PolicyValue> values) const {
    if (trace_ != nullptr)
      trace_->record(time, values);
  }
  [[nodiscard]] bool traced() const { return trace_ != nullptr; }

private:
  PolicyTrace* trace_ = nullptr;
};

} // namespace edgesim
