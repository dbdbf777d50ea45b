#pragma once
// Trace emission (docs/architecture.md): the one place that turns what happened to a
// request, a placement or a host into the rows a TraceSink receives. A run without a
// sink (or, for /requests, without simulation.trace_requests) emits nothing.
#include "core/engine/request_pool.hpp"
#include "core/trace_sink.hpp"
#include <edgesim/policy.hpp>

#include <cstddef>
#include <span>

namespace edgesim {

/// The /requests row of a request served at `exit` at time `now`.
[[nodiscard]] RequestRecord served_request_record(const Request& request, double now, int exit, bool correct,
                                                  double confidence);
/// The /requests row of a request lost at host `host` for `reason`.
[[nodiscard]] RequestRecord lost_request_record(const Request& request, int host, LossReason reason);

class TraceEmitter {
public:
  TraceEmitter(TraceSink* sink, bool trace_requests) : sink_(sink), trace_requests_(trace_requests) {}

  [[nodiscard]] TraceSink* sink() const { return sink_; }
  void request_served(const Request& request, double now, int exit, bool correct, double confidence);
  void request_lost(const Request& request, int host, LossReason reason);
  /// The fragments of placement `version` of tenant `tenant`, in force from `since`.
  void placement(std::size_t tenant, std::uint32_t version, double since, std::span<const Fragment> plan);
  void timeline(const TimelineRecord& record);

private:
  TraceSink* sink_;
  bool trace_requests_;
};

} // namespace edgesim
