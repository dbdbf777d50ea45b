#pragma once
// The request flow (docs/architecture.md, "The request's path"): an arrival enters its
// tenant's placement, crosses links as comms, waits at finite-buffer stations, runs each
// fragment's segments as execs, meets its exit policy at every evaluated exit, and leaves
// served or lost. Semantic splits fork a request into one branch per parallel fragment and
// merge the branches on the first fragment's host.
//
// Every event arrives here from the controller as an ordinary call; nothing here waits.
#include "core/engine/energy_monitor.hpp"
#include "core/engine/engine_state.hpp"
#include "core/engine/trace_emitter.hpp"
#include "core/link_traffic.hpp"

#include <edgesim/exit_oracle.hpp>
#include <edgesim/results.hpp>

#include <cstdint>

namespace edgesim {

class RequestFlow {
public:
  RequestFlow(EngineState& state, TraceEmitter& trace, EnergyMonitor& energy, LinkTraffic& traffic)
      : state_(state), trace_(trace), energy_(energy), traffic_(traffic) {}

  /// A request of tenant `tenant` arrives at time `at` (now).
  void arrive(std::size_t tenant, double at);
  /// The activity described by `tag` finished (already removed from the activity set).
  void activity_finished(const ActivityTag& tag);
  /// The host goes down now: everything running on it or travelling to or from it, and
  /// everything queued there, is lost.
  void take_host_down(int host);

private:
  void fork_branches(std::uint32_t slot, int source);
  void branch_done(std::uint32_t slot, int host);
  void branch_merged(std::uint32_t slot);
  void merge_done(std::uint32_t slot);
  void arrive_at_station(std::uint32_t slot);
  void start_service(std::uint32_t slot);
  void start_segment(std::uint32_t slot);
  /// Starts an exec of `per_thread` flops x `threads` on `host` for request `slot`.
  void start_exec(std::uint32_t slot, int host, double per_thread, int threads, ActivityTag::Kind kind);
  void exec_started(int host, int threads, std::size_t tenant);
  void exec_finished(int host, int threads, std::size_t tenant);
  /// Counts `flops` (x threads) the tenant started on the host, for its energy share.
  void count_work(int host, std::size_t tenant, double flops);
  void segment_done(std::uint32_t slot, int host);
  /// Asks the tenant's exit policy at the exit ending the request's segment; true when
  /// the request left there.
  bool exit_here(std::uint32_t slot, int host);
  void leave_station(int station, std::size_t tenant);
  // Starts the transfer, or loses the request (reason NetworkFull) when the sender's
  // interface is full; false then, and the slot must not be touched.
  bool send(std::uint32_t slot, int from, int to, double bytes);
  void transfer_ended(const ActivityTag& tag);
  void complete(std::uint32_t slot, int exit, const ExitOutcomeDraw& draw);
  void lose(std::uint32_t slot, LossReason reason, int host);
  void record_loss(std::uint32_t slot, LossReason reason, int host);

  EngineState& state_;
  TraceEmitter& trace_;
  EnergyMonitor& energy_;
  LinkTraffic& traffic_;
};

} // namespace edgesim
