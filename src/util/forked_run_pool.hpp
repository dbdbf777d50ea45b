#pragma once
// Runs `edgesim run` in forked copies of this process, at most `jobs` at once: a RunPool
// (util/run_pool.hpp) like ChildPool (util/child_process.hpp), so callers can use either.
//
// Why not fork+exec like ChildPool: starting the edgesim binary (dynamic loading and
// relocation of SimGrid with its ns-3 libraries, HDF5, Boost, GLPK, ... 78 shared
// libraries) costs ~0.1 s of CPU per process, more than a dataset sample's simulation
// and more than the 50 ms a sweep point may cost beyond its own simulation. A forked
// child inherits the loaded libraries and runs the same `run` entry point
// (`cli::cmd_run`) with the same arguments, so its results are those of `edgesim run`
// in a fresh process (the dataset and sweep tests check this bit for bit).
//
// The parent must not hold a SimGrid engine or an open HDF5 file when it forks, which
// its callers guarantee: the dataset generator and the sweep coordinator never start an
// engine (one engine per process, docs/architecture.md "Process model") and close their output files between
// writes. A forked child never returns into the parent's frames: it leaves with _Exit.
//
// Outcomes are those of ChildPool: stdout and stderr captured (through unlinked
// temporary files, so nothing can block on a full pipe), exit code or signal, wall
// time, and a timeout: the child arms a real-time timer before it runs, whose SIGALRM
// handler kills it with SIGKILL wherever it is, as ChildPool kills a child that timed
// out. Children die with their parent (PR_SET_PDEATHSIG), so a coordinator killed with
// SIGKILL leaves no run behind.
#include "util/run_pool.hpp"

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace edgesim {

class ForkedRunPool final : public RunPool {
public:
  /// Children are started with spec.argv[1..] = "run", its arguments; argv[0] is
  /// ignored, as is spec.extra_env (the child shares this process's environment).
  ForkedRunPool(unsigned jobs, RunEntry entry);
  ~ForkedRunPool() override; // kills and reaps children still running
  ForkedRunPool(const ForkedRunPool&) = delete;
  ForkedRunPool& operator=(const ForkedRunPool&) = delete;

  std::optional<std::pair<std::size_t, ChildOutcome>> next() override;
  [[nodiscard]] std::size_t running() const override { return running_.size(); }
  void signal_running(int signal) override;

private:
  struct Child {
    pid_t pid = -1;
    std::size_t tag = 0;
    int out_fd = -1; // unlinked temporary files holding the child's stdout and stderr
    int err_fd = -1;
    double started = 0;
    double timeout_seconds = 0; // 0 = none
  };
  void start(std::size_t tag, ChildSpec spec) override;

  RunEntry entry_;
  std::vector<Child> running_;
};

} // namespace edgesim
