#pragma once
// Where a run's trace rows go as the run produces them (the HDF5 run writer, or a test's
// recorder): per-request, timeline, placement and policy rows.
#include <edgesim/results.hpp>

namespace edgesim {

class TraceSink {
public:
  virtual ~TraceSink() = default;
  virtual void on_request(const RequestRecord& record) = 0;
  virtual void on_timeline(const TimelineRecord& record) = 0;
  /// Each fragment of every placement in force (t = 0 and each re-planning change).
  virtual void on_placement(const PlacementRecord& /*record*/) {}
  /// A value a tenant's policy recorded (include/edgesim/policy_trace.hpp).
  virtual void on_policy(const PolicyRecord& /*record*/) {}
};

} // namespace edgesim
