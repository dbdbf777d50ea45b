#include "core/engine/trace_emitter.hpp"

#include <cmath>

namespace edgesim {

RequestRecord served_request_record(const Request& request, double now, int exit, bool correct, double confidence) {
  RequestRecord record;
  record.id = request.id;
  record.tenant = request.tenant;
  record.arrival = request.arrival;
  record.finish = now;
  record.latency = now - request.arrival;
  record.exit = static_cast<std::int16_t>(exit);
  record.correct = correct ? 1 : 0;
  record.confidence = static_cast<float>(confidence);
  record.lost_at = -1;
  record.reason = static_cast<std::uint8_t>(LossReason::Served);
  record.placement = request.placement;
  return record;
}

RequestRecord lost_request_record(const Request& request, int host, LossReason reason) {
  RequestRecord record;
  record.id = request.id;
  record.tenant = request.tenant;
  record.arrival = request.arrival;
  record.finish = NAN;
  record.latency = NAN;
  record.exit = -1;
  record.correct = 0;
  record.confidence = NAN;
  record.lost_at = host;
  record.reason = static_cast<std::uint8_t>(reason);
  record.placement = request.placement;
  return record;
}

void TraceEmitter::request_served(const Request& request, double now, int exit, bool correct, double confidence) {
  if (sink_ != nullptr && trace_requests_)
    sink_->on_request(served_request_record(request, now, exit, correct, confidence));
}

void TraceEmitter::request_lost(const Request& request, int host, LossReason reason) {
  if (sink_ != nullptr && trace_requests_)
    sink_->on_request(lost_request_record(request, host, reason));
}

void TraceEmitter::placement(std::size_t tenant, std::uint32_t version, double since, std::span<const Fragment> plan) {
  if (sink_ == nullptr)
    return;
  for (std::size_t f = 0; f < plan.size(); ++f) {
    const Fragment& fragment = plan[f];
    sink_->on_placement(PlacementRecord{
        .time = since,
        .tenant = static_cast<std::uint16_t>(tenant),
        .placement = version,
        .fragment = static_cast<std::uint16_t>(f),
        .first_layer = static_cast<std::uint32_t>(fragment.first_layer),
        .last_layer = static_cast<std::uint32_t>(fragment.last_layer),
        .host = fragment.host,
        .branch = fragment.branches > 1 ? static_cast<std::int16_t>(fragment.branch) : std::int16_t{-1},
        .branches = static_cast<std::uint16_t>(fragment.branches),
    });
  }
}

void TraceEmitter::timeline(const TimelineRecord& record) {
  if (sink_ != nullptr)
    sink_->on_timeline(record);
}

} // namespace edgesim
