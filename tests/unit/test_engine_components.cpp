// The engine components that need no SimGrid (src/core/engine, docs/architecture.md):
// the request pool, a host's busy and energy bookkeeping, station admission, the one
// place that builds /requests rows, and the summary rows as a pure function of counts.
#include "core/engine/host_state.hpp"
#include "core/engine/request_pool.hpp"
#include "core/engine/run_summary.hpp"
#include "core/engine/station_admission.hpp"
#include "core/engine/trace_emitter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace edgesim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(RequestPool, ReusesReleasedSlotsSoMemoryFollowsWhatIsInFlight) {
  RequestPool pool;
  const auto a = pool.allocate();
  const auto b = pool.allocate();
  pool[a].id = 7;
  pool[a].parent = 3;
  pool.release(a);
  EXPECT_EQ(pool.in_flight(), 1u);
  const auto c = pool.allocate();
  EXPECT_EQ(c, a);           // the slot just released
  EXPECT_EQ(pool[c].id, 0u); // handed out fresh
  EXPECT_EQ(pool[c].parent, kNoParent);
  EXPECT_NE(b, c);
  for (int i = 0; i < 1000; ++i)
    pool.release(pool.allocate());
  EXPECT_EQ(pool.capacity(), 3u); // peak in flight, not requests simulated
}

TEST(HostState, BusyTimeCountsWhileAnyExecRuns) {
  HostState host("h", 4, 2);
  host.exec_started(0, 2, 1.0);
  host.exec_started(1, 1, 2.0);
  EXPECT_EQ(host.running_threads, 3);
  host.exec_finished(0, 2, 3.0);
  host.exec_finished(1, 1, 5.0);
  host.exec_started(0, 1, 8.0);
  host.exec_finished(0, 1, 9.0);
  EXPECT_DOUBLE_EQ(host.busy_time, 4.0 + 1.0);
  EXPECT_EQ(host.running_threads, 0);
  const std::vector<double> busy = host.tenant_busy.busy(10.0);
  EXPECT_DOUBLE_EQ(busy[0] + busy[1], host.busy_time); // shares add up to the host's busy time
}

TEST(HostState, CoresAreAtLeastOne) {
  EXPECT_EQ(HostState("h", 0, 1).cores, 1);
}

TEST(HostState, OutageFreezesTheMeterAndDiscardsWhatItCountedWhileDown) {
  HostState host("h", 1, 1);
  host.battery_j = 100;
  EXPECT_DOUBLE_EQ(host.consumed_energy(10.0), 10.0);
  host.go_down(5.0, 20.0);
  EXPECT_DOUBLE_EQ(host.consumed_energy(999.0), 20.0); // frozen
  host.come_up(8.0, 26.0);                             // the meter ran 6 J while down
  EXPECT_DOUBLE_EQ(host.consumed_energy(30.0), 24.0);
  EXPECT_DOUBLE_EQ(host.down_at, 5.0);
  EXPECT_DOUBLE_EQ(host.up_seconds(10.0), 7.0);
  host.go_down(9.0, 31.0);
  EXPECT_DOUBLE_EQ(host.down_at, 5.0); // the first outage
  EXPECT_DOUBLE_EQ(host.up_seconds(10.0), 6.0);
}

TEST(HostState, DepletedHostStaysDown) {
  HostState host("h", 1, 1);
  host.battery_j = 10;
  host.depleted = true;
  host.go_down(1.0, 10.0);
  host.come_up(2.0, 11.0);
  EXPECT_TRUE(host.down);
  EXPECT_DOUBLE_EQ(host.battery_soc([] { return 0.0; }), 0.0);
}

TEST(HostState, BatteryReadsTheMeterOnlyWhenItMatters) {
  int reads = 0;
  auto meter = [&] {
    ++reads;
    return 25.0;
  };
  HostState mains("m", 1, 1);
  EXPECT_DOUBLE_EQ(mains.battery_soc(meter), 1.0);
  EXPECT_EQ(reads, 0); // reading SimGrid's meter splits its integration: avoided on mains
  HostState battery("b", 1, 1);
  battery.battery_j = 100;
  EXPECT_DOUBLE_EQ(battery.battery_soc(meter), 0.75);
  EXPECT_EQ(reads, 1);
  battery.battery_j = 20;
  EXPECT_DOUBLE_EQ(battery.battery_soc(meter), 0.0); // over-drawn: empty, not negative
}

Station station(int capacity, int servers) {
  Station s;
  s.capacity = capacity;
  s.servers = servers;
  return s;
}

TEST(StationAdmission, ServesQueuesThenLosesAtCapacity) {
  Station s = station(3, 1);
  EXPECT_EQ(admit(s, 10, 0, 0.0, false), Admission::Serve);
  begin_service(s);
  EXPECT_EQ(admit(s, 11, 0, 0.0, false), Admission::Queued);
  EXPECT_EQ(admit(s, 12, 0, 0.0, false), Admission::Queued);
  EXPECT_EQ(admit(s, 13, 0, 0.0, false), Admission::BufferFull); // K counts the one in service
  EXPECT_EQ(s.in_system, 3);
  EXPECT_EQ(admit(s, 14, 0, 0.0, true), Admission::HostDown);
}

TEST(StationAdmission, DepartureHandsTheServerToTheHeadOfTheQueue) {
  Station s = station(4, 2);
  for (std::uint32_t slot = 0; slot < 4; ++slot)
    if (admit(s, slot, 0, 0.0, false) == Admission::Serve)
      begin_service(s);
  EXPECT_EQ(s.busy, 2);
  const auto next = depart(s, 0, 1.0);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 2u); // FCFS
  begin_service(s);
  EXPECT_EQ(s.in_system, 3);
  EXPECT_DOUBLE_EQ(s.area(2.0), 4.0 * 1.0 + 3.0 * 1.0);
  EXPECT_EQ(*depart(s, 0, 2.0), 3u);
  begin_service(s);
  EXPECT_FALSE(depart(s, 0, 3.0).has_value());
  EXPECT_FALSE(depart(s, 0, 3.0).has_value());
  EXPECT_EQ(s.in_system, 0);
}

TEST(StationAdmission, SharedStationCountsPerTenant) {
  Station s = station(2, 1);
  s.tenant = -1;
  s.tenant_in_system.assign(2, 0);
  EXPECT_EQ(admit(s, 0, 1, 0.0, false), Admission::Serve);
  EXPECT_TRUE(s.holds_tenant(1));
  EXPECT_FALSE(s.holds_tenant(0));
}

class RecordingSink final : public TraceSink {
public:
  void on_request(const RequestRecord& record) override { requests.push_back(record); }
  void on_timeline(const TimelineRecord& record) override { timeline.push_back(record); }
  void on_placement(const PlacementRecord& record) override { placements.push_back(record); }
  std::vector<RequestRecord> requests;
  std::vector<TimelineRecord> timeline;
  std::vector<PlacementRecord> placements;
};

TEST(TraceEmitter, ServedAndLostRowsCarryTheRequestsFields) {
  Request r;
  r.id = 42;
  r.tenant = 1;
  r.arrival = 2.0;
  r.placement = 3;
  const RequestRecord served = served_request_record(r, 2.5, 1, true, 0.875);
  EXPECT_EQ(served.id, 42u);
  EXPECT_DOUBLE_EQ(served.latency, 0.5);
  EXPECT_DOUBLE_EQ(served.finish, 2.5);
  EXPECT_EQ(served.exit, 1);
  EXPECT_EQ(served.correct, 1);
  EXPECT_FLOAT_EQ(served.confidence, 0.875f);
  EXPECT_EQ(served.lost_at, -1);
  EXPECT_EQ(served.placement, 3u);
  const RequestRecord lost = lost_request_record(r, 4, LossReason::BufferFull);
  EXPECT_TRUE(std::isnan(lost.latency));
  EXPECT_TRUE(std::isnan(lost.finish));
  EXPECT_EQ(lost.exit, -1);
  EXPECT_EQ(lost.lost_at, 4);
  EXPECT_EQ(lost.reason, static_cast<std::uint8_t>(LossReason::BufferFull));
}

TEST(TraceEmitter, RequestRowsOnlyWhenTraced) {
  RecordingSink sink;
  TraceEmitter untraced(&sink, false);
  untraced.request_served(Request{}, 1.0, 0, true, 0.5);
  EXPECT_TRUE(sink.requests.empty());
  TraceEmitter traced(&sink, true);
  traced.request_lost(Request{}, 0, LossReason::HostDown);
  EXPECT_EQ(sink.requests.size(), 1u);
  TraceEmitter none(nullptr, true);
  none.request_served(Request{}, 1.0, 0, true, 0.5); // no sink: nothing, no crash
}

TEST(TraceEmitter, PlacementRowPerFragmentWithSemanticBranches) {
  RecordingSink sink;
  TraceEmitter trace(&sink, false);
  std::vector<Fragment> plan{Fragment{.first_layer = 0, .last_layer = 4, .host = "a", .branch = 0, .branches = 2},
                             Fragment{.first_layer = 0, .last_layer = 4, .host = "b", .branch = 1, .branches = 2}};
  trace.placement(1, 2, 10.0, plan);
  ASSERT_EQ(sink.placements.size(), 2u);
  EXPECT_EQ(sink.placements[1].host, "b");
  EXPECT_EQ(sink.placements[1].fragment, 1);
  EXPECT_EQ(sink.placements[1].branch, 1);
  EXPECT_EQ(sink.placements[0].placement, 2u);
  plan = {Fragment{.first_layer = 0, .last_layer = 4, .host = "a"}};
  trace.placement(0, 0, 0.0, plan);
  EXPECT_EQ(sink.placements.back().branch, -1); // layer-wise
}

TEST(RunSummary, RowsFromCountsWithThroughputOverEachTenantsWindow) {
  TenantStatistics a;
  a.offered = 10;
  a.count_served(true, 0.1, true, true);
  a.count_served(true, 0.3, false, false);
  a.count_served(false, 9.0, true, true); // warm-up: counts for energy only
  a.count_lost(true);
  a.count_lost(false);
  TenantStatistics b;
  b.offered = 4;
  b.count_served(true, 0.2, true, true);
  const std::vector<TenantSummaryInput> tenants{
      {.name = "a", .statistics = &a, .energy = {.dynamic_j = 6, .static_j = 2}, .arrivals_end = kInf},
      {.name = "b", .statistics = &b, .energy = {.dynamic_j = 1, .static_j = 1}, .arrivals_end = 60.0}};
  const auto rows = summary_rows(tenants, SummaryWindow{.warmup = 10, .end = 110}, 20.0, 8.0);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].served, 2u);
  EXPECT_EQ(rows[0].lost, 1u);
  EXPECT_DOUBLE_EQ(rows[0].loss_ratio, 0.1);
  EXPECT_DOUBLE_EQ(rows[0].throughput, 2.0 / 100.0);
  EXPECT_DOUBLE_EQ(rows[0].latency_mean, 0.2);
  EXPECT_DOUBLE_EQ(rows[0].accuracy, 0.5);
  EXPECT_DOUBLE_EQ(rows[0].effective_accuracy, 0.1);
  EXPECT_DOUBLE_EQ(rows[0].slo_violation_ratio, 0.9);
  EXPECT_DOUBLE_EQ(rows[0].energy_j, 8.0);
  EXPECT_DOUBLE_EQ(rows[0].energy_dynamic_j, 6.0);
  EXPECT_DOUBLE_EQ(rows[0].energy_per_served_j, 8.0 / 3.0); // warm-up served included
  EXPECT_DOUBLE_EQ(rows[1].throughput, 1.0 / 50.0);         // its trace ended at 60 s
  const SummaryRow& all = rows[2];
  EXPECT_EQ(all.tenant, "all");
  EXPECT_EQ(all.offered, 14u);
  EXPECT_EQ(all.served, 3u);
  EXPECT_DOUBLE_EQ(all.throughput, 3.0 / 100.0); // the longest window
  EXPECT_DOUBLE_EQ(all.latency_mean, 0.2);
  EXPECT_DOUBLE_EQ(all.energy_j, 20.0);
  EXPECT_DOUBLE_EQ(all.energy_static_j, 8.0);
  EXPECT_DOUBLE_EQ(all.energy_per_served_j, 20.0 / 4.0);
}

TEST(RunSummary, NothingServedGivesNanAccuracyAndNoDivisionByZero) {
  TenantStatistics idle;
  const std::vector<TenantSummaryInput> tenants{{.name = "x", .statistics = &idle, .arrivals_end = kInf}};
  const auto rows = summary_rows(tenants, SummaryWindow{.warmup = 5, .end = 5}, 0.0, 0.0);
  EXPECT_TRUE(std::isnan(rows[0].accuracy));
  EXPECT_TRUE(std::isnan(rows[0].latency_mean));
  EXPECT_DOUBLE_EQ(rows[0].loss_ratio, 0.0);
  EXPECT_TRUE(std::isfinite(rows[0].throughput));
}

TEST(RunSummary, HostRecordSplitsStaticEnergyOverUpTime) {
  HostState host("edge", 2, 1);
  host.metered = true;
  host.battery_j = 1000;
  host.busy_time = 25;
  host.served = 9;
  host.go_down(60.0, 300.0);
  const HostRecord record = host_record(host, 300.0, 2.0, 100.0, 50.0);
  EXPECT_DOUBLE_EQ(record.energy_static_j, 2.0 * 60.0);
  EXPECT_DOUBLE_EQ(record.energy_dynamic_j, 300.0 - 120.0);
  EXPECT_DOUBLE_EQ(record.busy_fraction, 0.25);
  EXPECT_DOUBLE_EQ(record.mean_queue, 0.5);
  EXPECT_DOUBLE_EQ(record.battery_soc_end, 0.7);
  EXPECT_DOUBLE_EQ(record.down_at, 60.0);
  HostState unmetered("plain", 1, 1);
  EXPECT_DOUBLE_EQ(host_record(unmetered, 0.0, 5.0, 100.0, 0.0).energy_static_j, 0.0);
}

} // namespace
} // namespace edgesim
