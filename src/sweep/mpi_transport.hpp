#pragma once
// `edgesim sweep --mpi` (docs/architecture.md "Process model"): under `mpirun -n R`, rank 0 coordinates (journal,
// output file, progress) and hands runs out one at a time to ranks 1..R-1, each of which
// runs them as `edgesim run` children and sends back the encoded RunRecord. Dynamic
// hand-out keeps every rank busy however unequal the runs. Both sides poll with short
// sleeps instead of blocking in MPI, whose blocking calls spin a core at 100 %.
// In a build without MPI (EDGESIM_MPI=OFF) constructing a session is an input error.
#include "sweep/run_record.hpp"
#include "sweep/sweep_spec.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace edgesim::sweep {

struct SweepOptions;

struct RunTask {
  std::uint64_t point = 0;
  std::uint32_t rep = 0;
};

class MpiSession {
public:
  MpiSession();  // MPI_Init
  ~MpiSession(); // tells workers still waiting to stop (rank 0 failed early), MPI_Finalize
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  [[nodiscard]] bool is_coordinator() const { return rank_ == 0; }
  /// Rank 0: runs `tasks` on the other ranks; `done(index, record)` for each finished one.
  /// Stops handing out runs once a stop was requested (SIGINT/SIGTERM).
  void coordinate(const std::vector<RunTask>& tasks, const std::function<void(std::size_t, RunRecord)>& done);
  /// Ranks > 0: runs what rank 0 sends until told to stop; returns the exit code.
  int work(const SweepSpec& spec, const SweepOptions& options);

private:
  int rank_ = 0;
  int size_ = 1;
  bool workers_stopped_ = false; // every worker was told to stop
};

} // namespace edgesim::sweep
