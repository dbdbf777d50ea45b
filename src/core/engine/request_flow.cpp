#include "core/engine/request_flow.hpp"

#include "core/engine/station_admission.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace edgesim {
namespace {

double now() {
  return sg4::Engine::get_clock();
}

} // namespace

void RequestFlow::arrive(std::size_t t, double at) {
  TenantRuntime& tenant = state_.tenants[t];
  tenant.count_arrival(at);
  const std::uint32_t slot = state_.requests.allocate();
  Request& r = state_.requests[slot];
  r.id = state_.next_request_id++;
  r.tenant = static_cast<std::uint16_t>(t);
  r.arrival = at;
  r.measured = at >= state_.scenario.simulation.warmup;
  tenant.oracle->begin_request(r.difficulty, r.sample);
  if (r.measured)
    tenant.statistics.offered++;

  r.placement = static_cast<std::uint32_t>(tenant.placements.size() - 1);
  const int source = state_.platform.index_of(tenant.spec->source);
  if (state_.host(source).down) {
    lose(slot, LossReason::HostDown, source);
    return;
  }
  if (tenant.placements.back().branches > 1) {
    fork_branches(slot, source);
    return;
  }
  const int first = tenant.placements.back().fragments.front().host;
  if (first != source && tenant.spec->input_bytes > 0)
    send(slot, source, first, tenant.spec->input_bytes);
  else
    arrive_at_station(slot);
}

void RequestFlow::activity_finished(const ActivityTag& tag) {
  RequestPool& pool = state_.requests;
  switch (tag.kind) {
  case ActivityTag::Kind::Exec:
    exec_finished(tag.host, tag.threads, pool[tag.request].tenant);
    if (--pool[tag.request].pending_execs == 0)
      segment_done(tag.request, tag.host);
    break;
  case ActivityTag::Kind::Comm:
    transfer_ended(tag);
    traffic_.add(state_.host(tag.host).host, state_.host(tag.peer).host, tag.bytes);
    arrive_at_station(tag.request);
    break;
  case ActivityTag::Kind::BranchOutput:
    transfer_ended(tag);
    traffic_.add(state_.host(tag.host).host, state_.host(tag.peer).host, tag.bytes);
    branch_merged(tag.request);
    break;
  case ActivityTag::Kind::Merge:
    exec_finished(tag.host, tag.threads, pool[tag.request].tenant);
    merge_done(tag.request);
    break;
  }
}

void RequestFlow::fork_branches(std::uint32_t slot, int source) {
  RequestPool& pool = state_.requests;
  const TenantRuntime& tenant = state_.tenants[pool[slot].tenant];
  const PlacementRuntime& placement = state_.placement_of(pool[slot]);
  pool[slot].pending_branches = static_cast<std::uint16_t>(placement.branches);
  for (std::size_t b = 0; b < placement.branches; ++b) {
    const std::uint32_t branch = pool.allocate(); // may move the pool: index, no reference
    Request& child = pool[branch];
    const Request& parent = pool[slot];
    child.id = parent.id;
    child.tenant = parent.tenant;
    child.placement = parent.placement;
    child.fragment = static_cast<std::uint16_t>(b);
    child.measured = parent.measured;
    child.arrival = parent.arrival;
    child.parent = slot;
    const int host = placement.fragments[b].host;
    if (host != source && tenant.spec->input_bytes > 0)
      send(branch, source, host, tenant.spec->input_bytes);
    else
      arrive_at_station(branch);
  }
}

void RequestFlow::branch_done(std::uint32_t slot, int host) {
  const Request& r = state_.requests[slot];
  if (state_.requests[r.parent].failed) {
    branch_merged(slot);
    return;
  }
  const int merge_host = state_.placement_of(r).fragments.front().host;
  const double bytes = state_.fragment_of(r).out_bytes;
  if (merge_host == host || bytes <= 0) {
    branch_merged(slot);
    return;
  }
  if (send(slot, host, merge_host, bytes))
    state_.activities.last_tag().kind = ActivityTag::Kind::BranchOutput;
}

void RequestFlow::branch_merged(std::uint32_t slot) {
  RequestPool& pool = state_.requests;
  const std::uint32_t parent_slot = pool[slot].parent;
  pool.release(slot);
  Request& parent = pool[parent_slot];
  if (--parent.pending_branches > 0)
    return;
  if (parent.failed) {
    pool.release(parent_slot);
    return;
  }
  const PlacementRuntime& placement = state_.placement_of(parent);
  const FragmentRuntime& merge = placement.fragments.front();
  if (state_.host(merge.host).down) {
    lose(parent_slot, LossReason::HostDown, merge.host);
    return;
  }
  if (placement.merge_flops <= 0) {
    merge_done(parent_slot);
    return;
  }
  const double per_thread = placement.merge_flops / (merge.threads * merge.efficiency);
  count_work(merge.host, parent.tenant, per_thread * merge.threads);
  start_exec(parent_slot, merge.host, per_thread, merge.threads, ActivityTag::Kind::Merge);
}

void RequestFlow::merge_done(std::uint32_t slot) {
  const Request& r = state_.requests[slot];
  TenantRuntime& tenant = state_.tenants[r.tenant];
  const std::size_t final_exit = tenant.spec->model.exits.size();
  ExitOutcomeDraw draw = tenant.oracle->at_exit(final_exit, r.difficulty, r.sample);
  // The split model answers right with probability final accuracy - penalty: a request
  // the whole model gets right is turned wrong with probability penalty / final
  // accuracy, so harder requests (wrong anyway) stay wrong.
  const double u = tenant.penalty_rng.uniform();
  const double final_accuracy = tenant.spec->model.final_accuracy;
  if (draw.correct && final_accuracy > 0 && u < state_.placement_of(r).accuracy_penalty / final_accuracy)
    draw.correct = false;
  complete(slot, static_cast<int>(final_exit), draw);
}

void RequestFlow::arrive_at_station(std::uint32_t slot) {
  const Request& r = state_.requests[slot];
  const FragmentRuntime& fragment = state_.fragment_of(r);
  switch (admit(state_.station(fragment.station), slot, r.tenant, now(), state_.host(fragment.host).down)) {
  case Admission::Serve:
    start_service(slot);
    break;
  case Admission::Queued:
    break;
  case Admission::HostDown:
    lose(slot, LossReason::HostDown, fragment.host);
    break;
  case Admission::BufferFull:
    lose(slot, LossReason::BufferFull, fragment.host);
    break;
  }
}

void RequestFlow::start_service(std::uint32_t slot) {
  Request& r = state_.requests[slot];
  TenantRuntime& tenant = state_.tenants[r.tenant];
  const FragmentRuntime& fragment = state_.fragment_of(r);
  begin_service(state_.station(fragment.station));
  // One work factor per fragment visit: stations see independent service times, as in
  // a Jackson network, and a fragment's segments scale together.
  const auto& laws = tenant.spec->fragment_work;
  r.work_factor = (laws.empty() ? tenant.spec->work : laws.at(r.fragment)).law->draw(tenant.work_rng);
  if (tenant.spec->drop_late && now() - r.arrival > tenant.spec->slo) {
    leave_station(fragment.station, r.tenant);
    lose(slot, LossReason::Deadline, fragment.host);
    return;
  }
  start_segment(slot);
}

void RequestFlow::count_work(int host_index, std::size_t tenant, double flops) {
  HostState& host = state_.host(host_index);
  host.tenant_work[tenant] += flops;
  if (state_.shares)
    state_.shares->add_work(tenant, host_index, flops / (host.host->get_speed() * host.cores));
}

void RequestFlow::start_segment(std::uint32_t slot) {
  Request& r = state_.requests[slot];
  const FragmentRuntime& fragment = state_.fragment_of(r);
  const SegmentCost& segment = fragment.segments[r.segment];
  const double per_thread = segment.per_thread(r.work_factor, fragment.threads, fragment.efficiency);
  HostState& host = state_.host(fragment.host);
  count_work(fragment.host, r.tenant, per_thread * fragment.threads);
  r.segment_start = now();
  if (!state_.shares) {
    start_exec(slot, fragment.host, per_thread, fragment.threads, ActivityTag::Kind::Exec);
    r.pending_execs = 1;
    return;
  }
  // SimGrid 3.32 ignores priorities and bounds of multi-threaded execs, so with shares a
  // segment runs as one single-threaded exec per thread: cooperative tenants weight them
  // by share (work-conserving), non-cooperative ones are capped at share x core speed.
  const double share = state_.shares->entitled(r.tenant, fragment.host);
  const bool cooperative = state_.scenario.multitenant == MultitenantPolicy::Cooperative;
  for (int thread = 0; thread < fragment.threads; ++thread) {
    auto exec = sg4::Exec::init();
    exec->set_flops_amount(per_thread)->set_host(host.host);
    if (cooperative)
      exec->set_priority(share);
    else
      exec->set_bound(share * host.host->get_speed());
    exec->start();
    exec_started(fragment.host, 1, r.tenant);
    state_.activities.add(std::move(exec), ActivityTag{ActivityTag::Kind::Exec, slot, fragment.host, -1, 1});
  }
  r.pending_execs = static_cast<std::uint16_t>(fragment.threads);
}

void RequestFlow::start_exec(std::uint32_t slot, int host, double per_thread, int threads, ActivityTag::Kind kind) {
  auto exec = sg4::Exec::init();
  exec->set_flops_amount(per_thread)->set_host(state_.host(host).host);
  if (threads > 1)
    exec->set_thread_count(threads);
  exec->start();
  exec_started(host, threads, state_.requests[slot].tenant);
  state_.activities.add(std::move(exec), ActivityTag{kind, slot, host, -1, threads});
}

void RequestFlow::exec_started(int host, int threads, std::size_t tenant) {
  state_.host(host).exec_started(tenant, threads, now());
}

void RequestFlow::exec_finished(int host, int threads, std::size_t tenant) {
  state_.host(host).exec_finished(tenant, threads, now());
}

void RequestFlow::leave_station(int station, std::size_t tenant) {
  if (const auto next = depart(state_.station(station), tenant, now()))
    start_service(*next);
}

bool RequestFlow::exit_here(std::uint32_t slot, int host) {
  Request& r = state_.requests[slot];
  TenantRuntime& tenant = state_.tenants[r.tenant];
  const FragmentRuntime& fragment = state_.fragment_of(r);
  const auto exit = static_cast<std::size_t>(fragment.segments[r.segment].exit);
  const double t = now();
  const ExitOutcomeDraw draw = tenant.oracle->at_exit(exit, r.difficulty, r.sample);
  ExitContext ctx;
  ctx.request_id = r.id;
  ctx.tenant = r.tenant;
  ctx.exit_index = exit;
  ctx.num_exits = tenant.spec->model.exits.size();
  ctx.confidence = draw.confidence;
  ctx.now = t;
  ctx.elapsed = t - r.arrival;
  ctx.deadline = tenant.spec->slo;
  ctx.queue_length = state_.station(fragment.station).in_system;
  ctx.arrival_rate = tenant.arrival_rate();
  ctx.exit_accuracy = tenant.spec->model.exit_accuracy(exit);
  ctx.cpu_share = state_.cpu_share(r.tenant, host);
  ctx.flops_so_far = r.flops_done;
  ctx.energy_so_far = r.energy_done;
  ctx.battery_soc = energy_.battery_soc(state_.host(host));
  ctx.correct_here = draw.correct;
  if (tenant.policy->decide(ctx) != ExitDecision::Exit)
    return false;
  state_.host(host).served++;
  leave_station(fragment.station, r.tenant);
  complete(slot, static_cast<int>(exit), draw);
  return true;
}

void RequestFlow::segment_done(std::uint32_t slot, int host) {
  Request& r = state_.requests[slot];
  const FragmentRuntime& fragment = state_.fragment_of(r);
  const SegmentCost& segment = fragment.segments[r.segment];
  {
    // The request's share of its host's dynamic power while its exec ran.
    const HostState& h = state_.host(host);
    r.energy_done += (now() - r.segment_start) * energy_.dynamic_power(h) *
                     std::min(1.0, static_cast<double>(fragment.threads) / h.cores);
    r.flops_done += segment.flops * r.work_factor;
  }
  if (segment.exit >= 0 && exit_here(slot, host))
    return;
  if (static_cast<std::size_t>(r.segment) + 1 < fragment.segments.size()) {
    r.segment++;
    start_segment(slot);
    return;
  }
  state_.host(host).served++;
  leave_station(fragment.station, r.tenant);
  if (r.parent != kNoParent) {
    branch_done(slot, host);
    return;
  }
  const TenantRuntime& tenant = state_.tenants[r.tenant];
  if (static_cast<std::size_t>(r.fragment) + 1 == state_.placement_of(r).fragments.size()) {
    const std::size_t final_exit = tenant.spec->model.exits.size();
    complete(slot, static_cast<int>(final_exit), tenant.oracle->at_exit(final_exit, r.difficulty, r.sample));
    return;
  }
  r.fragment++;
  r.segment = 0;
  const int next_host = state_.fragment_of(r).host;
  if (next_host == host || fragment.out_bytes <= 0)
    arrive_at_station(slot);
  else
    send(slot, host, next_host, fragment.out_bytes);
}

bool RequestFlow::send(std::uint32_t slot, int from, int to, double bytes) {
  HostState& sender = state_.host(from);
  if (sender.send_buffer > 0 && sender.sending >= sender.send_buffer) {
    lose(slot, LossReason::NetworkFull, from);
    return false;
  }
  sender.sending++;
  auto comm =
      sg4::Comm::sendto_async(sender.host, state_.host(to).host, static_cast<std::uint64_t>(std::llround(bytes)));
  const double transmit_from = state_.wifi ? state_.wifi->transfer_started(from, to, now()) : 0.0;
  state_.activities.add(std::move(comm), ActivityTag{ActivityTag::Kind::Comm, slot, from, to, 0, bytes, transmit_from});
  return true;
}

void RequestFlow::transfer_ended(const ActivityTag& tag) {
  if (!tag.is_transfer())
    return;
  state_.host(tag.host).sending--;
  if (state_.wifi)
    state_.wifi->transfer_ended(tag.host, tag.peer, tag.transmit_from, now());
}

void RequestFlow::complete(std::uint32_t slot, int exit, const ExitOutcomeDraw& draw) {
  const Request& r = state_.requests[slot];
  TenantRuntime& tenant = state_.tenants[r.tenant];
  const double t = now();
  const double latency = t - r.arrival;
  const bool slo_met = latency <= tenant.spec->slo;
  tenant.statistics.count_served(r.measured, latency, draw.correct, slo_met);
  tenant.policy->on_outcome(ExitOutcome{r.id, true, exit, draw.correct, latency, t});
  tenant.placement_policy->on_outcome(PlacementOutcome{.served = true,
                                                       .slo_met = slo_met,
                                                       .correct = draw.correct,
                                                       .latency = latency,
                                                       .branches = state_.placement_of(r).branches,
                                                       .now = t});
  trace_.request_served(r, t, exit, draw.correct, draw.confidence);
  state_.requests.release(slot);
}

void RequestFlow::lose(std::uint32_t slot, LossReason reason, int host) {
  RequestPool& pool = state_.requests;
  const std::uint32_t parent = pool[slot].parent;
  if (parent == kNoParent) {
    record_loss(slot, reason, host);
    pool.release(slot);
    return;
  }
  // A lost branch loses the whole request, once; the other branches run on and are
  // dropped when they are done.
  if (!pool[parent].failed) {
    pool[parent].failed = true;
    record_loss(parent, reason, host);
  }
  branch_merged(slot);
}

void RequestFlow::record_loss(std::uint32_t slot, LossReason reason, int host) {
  const Request& r = state_.requests[slot];
  TenantRuntime& tenant = state_.tenants[r.tenant];
  tenant.statistics.count_lost(r.measured);
  state_.host(host).lost++;
  tenant.policy->on_outcome(ExitOutcome{r.id, false, -1, false, NAN, now()});
  trace_.request_lost(r, host, reason);
  tenant.placement_policy->on_outcome(PlacementOutcome{.served = false,
                                                       .slo_met = false,
                                                       .correct = false,
                                                       .latency = NAN,
                                                       .branches = state_.placement_of(r).branches,
                                                       .now = now()});
}

void RequestFlow::take_host_down(int h) {
  HostState& host = state_.host(h);
  energy_.mark_down(host, now());
  // Everything running on, or travelling to or from, the host is lost (a request may
  // have several execs running: it is lost once).
  ActivitySet& activities = state_.activities;
  std::vector<std::uint32_t> victims;
  for (std::size_t i = activities.size(); i-- > 0;) {
    const ActivityTag tag = activities.tag(i);
    if (!tag.touches(h))
      continue;
    activities.activity(i).cancel();
    transfer_ended(tag);
    if (tag.is_exec())
      exec_finished(h, tag.threads, state_.requests[tag.request].tenant);
    activities.remove(i);
    if (std::find(victims.begin(), victims.end(), tag.request) == victims.end())
      victims.push_back(tag.request);
  }
  for (std::uint32_t slot : victims)
    lose(slot, LossReason::HostDown, h);
  for (int s : host.stations) {
    Station& station = state_.station(s);
    while (!station.queue.empty()) {
      const std::uint32_t slot = station.queue.front();
      station.queue.pop_front();
      lose(slot, LossReason::HostDown, h);
    }
    station.busy = 0;
    station.reset(now());
  }
}

} // namespace edgesim
