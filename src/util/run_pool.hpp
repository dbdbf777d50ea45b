#pragma once
// What ChildPool (fresh processes, util/child_process.hpp) and ForkedRunPool (forked
// copies of this process, util/forked_run_pool.hpp) share: at most `jobs` children at
// once, the rest queued first in, first out, and the interface their callers (sweeps,
// datasets, validation) use, so they need not know which kind runs their children.
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgesim {

struct ChildSpec {
  std::vector<std::string> argv;       // argv[0] = program path
  std::filesystem::path working_dir{}; // empty = inherit
  double timeout_seconds = 0;          // 0 = none; on timeout SIGKILL and report timed_out
  std::vector<std::string> extra_env;  // "NAME=VALUE" added to the inherited environment
};

struct ChildOutcome {
  int exit_code = 0; // -1 if killed by a signal
  int signal = 0;    // terminating signal, 0 if exited
  bool timed_out = false;
  std::string out, err; // captured stdout / stderr
  double wall_seconds = 0;

  [[nodiscard]] bool ok() const { return exit_code == 0 && signal == 0 && !timed_out; }
  /// "exit code 3", "killed by signal 11 (Segmentation fault)", "timed out after 5 s".
  [[nodiscard]] std::string describe() const;
};

class RunPool {
public:
  explicit RunPool(unsigned jobs);
  virtual ~RunPool() = default;
  RunPool(const RunPool&) = delete;
  RunPool& operator=(const RunPool&) = delete;

  /// Starts the child now if a slot is free, else queues it (first in, first out).
  void submit(std::size_t tag, ChildSpec spec);
  /// Blocks until a child finishes; nullopt when none is running or queued.
  virtual std::optional<std::pair<std::size_t, ChildOutcome>> next() = 0;

  [[nodiscard]] virtual std::size_t running() const = 0;
  [[nodiscard]] std::size_t queued() const { return queue_.size(); }
  [[nodiscard]] unsigned jobs() const { return jobs_; }

  /// Drops the queued children; returns their tags in submission order.
  std::vector<std::size_t> clear_queue();
  /// Sends `signal` to every running child (their outcomes still come from next()).
  virtual void signal_running(int signal) = 0;
  /// Called whenever a signal interrupts next()'s wait (from normal code, not from the
  /// signal handler), e.g. to check a stop flag and call clear_queue()/signal_running().
  void set_interrupt_handler(std::function<void()> handler) { interrupt_handler_ = std::move(handler); }

protected:
  virtual void start(std::size_t tag, ChildSpec spec) = 0;
  /// Starts queued children while slots are free.
  void start_queued();
  /// For next(): a signal interrupted its wait.
  void interrupted() const;

private:
  unsigned jobs_;
  std::deque<std::pair<std::size_t, ChildSpec>> queue_;
  std::function<void()> interrupt_handler_;
};

/// The `run` subcommand: arguments after "run", returns the exit code.
using RunEntry = std::function<int(std::vector<std::string>)>;

/// A ForkedRunPool running `entry` when it is set, else a ChildPool.
std::unique_ptr<RunPool> make_run_pool(unsigned jobs, const RunEntry& entry);

} // namespace edgesim
