#pragma once
// Runs RunRequests in child processes, at most `jobs` at once, and reads their results
// back: the one way sweeps, datasets, validations and offline tuning run a scenario.
//
// How a child starts is chosen once per command (`--spawn`, SpawnMode): a forked copy of
// this already loaded process that calls the `run` entry point, or a fresh `edgesim run`
// process (util/forked_run_pool.hpp says why forking is the default). Either way the
// child gets the same `run` arguments, built here only (run_arguments()), and prints its
// summary as JSON, read back here only (io/summary_json.hpp): `--json` is the wire
// format between launcher and child, and an output format for users, nothing more.
#include "run/run_request.hpp"
#include "util/run_pool.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgesim::run {

/// How children start: fork_entry set = a forked copy of this process calls it with the
/// `run` arguments; empty = exec a fresh edgesim (self_executable()) with them.
struct SpawnMode {
  RunEntry fork_entry;

  [[nodiscard]] static SpawnMode exec() { return {}; }
  [[nodiscard]] bool forks() const { return static_cast<bool>(fork_entry); }
};

/// The arguments of `edgesim run` (after "run") for `request`, printing its summary as
/// JSON on stdout and nothing else.
[[nodiscard]] std::vector<std::string> run_arguments(const RunRequest& request);

class RunLauncher {
public:
  RunLauncher(unsigned jobs, const SpawnMode& spawn);

  /// Starts the run now if a slot is free, else queues it (first in, first out).
  void submit(std::size_t tag, const RunRequest& request);
  /// Blocks until a run finishes; nullopt when none is running or queued. A child that
  /// succeeded but printed no readable summary is a failure ("unreadable summary").
  std::optional<std::pair<std::size_t, RunResult>> next();

  [[nodiscard]] std::size_t running() const { return pool_->running(); }
  [[nodiscard]] std::size_t queued() const { return pool_->queued(); }
  [[nodiscard]] unsigned jobs() const { return pool_->jobs(); }
  /// Drops the queued runs; returns their tags in submission order.
  std::vector<std::size_t> clear_queue() { return pool_->clear_queue(); }
  /// Sends `signal` to every running child (their results still come from next()).
  void signal_running(int signal) { pool_->signal_running(signal); }
  /// Called whenever a signal interrupts next()'s wait (RunPool::set_interrupt_handler).
  void set_interrupt_handler(std::function<void()> handler) { pool_->set_interrupt_handler(std::move(handler)); }

private:
  std::unique_ptr<RunPool> pool_;
};

/// The result a finished child's outcome gives (what next() returns).
[[nodiscard]] RunResult run_result(const ChildOutcome& outcome);

/// Runs one request in a fresh process and waits for it (for callers inside a running
/// engine, which must not fork: offline tuning).
[[nodiscard]] RunResult run_in_fresh_process(const RunRequest& request);

} // namespace edgesim::run
