#pragma once
// Runs `edgesim run` in forked copies of this process, at most `jobs` at once, with the
// interface of ChildPool (util/child_process.hpp) so callers can use either.
//
// Why not fork+exec like ChildPool: a dataset sample simulates ~1000 requests in tens of
// milliseconds, while starting the edgesim binary (dynamic loading and relocation of
// SimGrid, HDF5, Boost, GLPK, ...) costs ~0.1 s of CPU per process on the reference
// machine, i.e. more than the simulation. A forked child inherits the loaded libraries
// and runs the same `run` entry point (`cli::cmd_run`) with the same arguments, so its
// results are those of `edgesim run` in a fresh process (the dataset tests check this).
// The parent must not hold a SimGrid engine or open HDF5 files when it forks, which the
// dataset generator guarantees (one engine per process, DESIGN §3).
#include "util/child_process.hpp"

#include <sys/types.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgesim::dataset {

/// The `run` subcommand: arguments after "run", returns the exit code.
using RunEntry = std::function<int(std::vector<std::string>)>;

class ForkedRunPool {
public:
  ForkedRunPool(unsigned jobs, RunEntry entry);
  ~ForkedRunPool(); // kills and reaps children still running
  ForkedRunPool(const ForkedRunPool&) = delete;
  ForkedRunPool& operator=(const ForkedRunPool&) = delete;

  /// spec.argv[1..] are the arguments of `edgesim` ("run", SCENARIO, ...); argv[0] is
  /// ignored. Stdout is discarded, stderr captured; timeouts are not supported.
  void submit(std::size_t tag, ChildSpec spec);
  /// Blocks until a child finishes; nullopt when none is running or queued.
  std::optional<std::pair<std::size_t, ChildOutcome>> next();

  [[nodiscard]] std::size_t running() const { return running_.size(); }
  [[nodiscard]] std::size_t queued() const { return queue_.size(); }
  [[nodiscard]] unsigned jobs() const { return jobs_; }
  std::vector<std::size_t> clear_queue();
  void signal_running(int signal);
  void set_interrupt_handler(std::function<void()> handler) { interrupt_handler_ = std::move(handler); }

private:
  struct Child {
    pid_t pid = -1;
    std::size_t tag = 0;
    int err_fd = -1; // unlinked temporary file holding the child's stderr
    double started = 0;
  };
  void start(std::size_t tag, ChildSpec spec);

  unsigned jobs_;
  RunEntry entry_;
  std::vector<Child> running_;
  std::deque<std::pair<std::size_t, ChildSpec>> queue_;
  std::function<void()> interrupt_handler_;
};

} // namespace edgesim::dataset
