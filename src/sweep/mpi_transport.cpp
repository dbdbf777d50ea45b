#include "sweep/mpi_transport.hpp"

#include "run/run_launcher.hpp"
#include "sweep/sweep_file.hpp"
#include "sweep/sweep_runner.hpp"
#include "util/scratch_dir.hpp"
#include "util/stop_signals.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#ifdef EDGESIM_WITH_MPI
// The C API only: OpenMPI's deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

#include <array>
#include <chrono>
#include <thread>

namespace edgesim::sweep {

#ifdef EDGESIM_WITH_MPI
namespace {

constexpr int kTagTask = 1;
constexpr int kTagStop = 2;
constexpr int kTagResult = 3;
constexpr auto kPollInterval = std::chrono::milliseconds(2);

void check(int status, const char* call) {
  if (status != MPI_SUCCESS)
    throw RuntimeError(fmt::format("sweep --mpi: {} failed (MPI error {})", call, status));
}

/// Waits (polling, see the header) for a message from `source` with `tag`.
MPI_Status wait_for_message(int source, int tag) {
  while (true) {
    int flag = 0;
    MPI_Status status{};
    check(MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (flag != 0)
      return status;
    std::this_thread::sleep_for(kPollInterval);
  }
}

} // namespace

MpiSession::MpiSession() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized == 0)
    check(MPI_Init(nullptr, nullptr), "MPI_Init");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  if (size_ < 2) {
    MPI_Finalize();
    throw InputError("sweep --mpi: needs at least 2 MPI ranks (rank 0 coordinates, the others run points): "
                     "start it with mpirun -n R, R >= 2");
  }
}

MpiSession::~MpiSession() {
  if (rank_ == 0 && !workers_stopped_)
    for (int worker = 1; worker < size_; ++worker)
      MPI_Send(nullptr, 0, MPI_BYTE, worker, kTagStop, MPI_COMM_WORLD);
  MPI_Finalize();
}

void MpiSession::coordinate(const std::vector<RunTask>& tasks,
                            const std::function<void(std::size_t, RunRecord)>& done) {
  std::size_t next = 0;
  std::vector<std::size_t> assigned(static_cast<std::size_t>(size_), 0);
  int busy = 0;
  auto hand_out = [&](int worker) {
    if (next < tasks.size() && !StopSignals::requested()) {
      const std::array<std::uint64_t, 2> message{tasks[next].point, tasks[next].rep};
      check(MPI_Send(message.data(), 2, MPI_UINT64_T, worker, kTagTask, MPI_COMM_WORLD), "MPI_Send");
      assigned[static_cast<std::size_t>(worker)] = next++;
      ++busy;
    } else {
      check(MPI_Send(nullptr, 0, MPI_BYTE, worker, kTagStop, MPI_COMM_WORLD), "MPI_Send");
    }
  };
  for (int worker = 1; worker < size_; ++worker)
    hand_out(worker);
  while (busy > 0) {
    const MPI_Status status = wait_for_message(MPI_ANY_SOURCE, kTagResult);
    int bytes = 0;
    MPI_Get_count(&status, MPI_BYTE, &bytes);
    std::string message(static_cast<std::size_t>(bytes), '\0');
    check(MPI_Recv(message.data(), bytes, MPI_BYTE, status.MPI_SOURCE, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "MPI_Recv");
    --busy;
    done(assigned[static_cast<std::size_t>(status.MPI_SOURCE)], decode(message));
    hand_out(status.MPI_SOURCE);
  }
  workers_stopped_ = true;
}

int MpiSession::work(const SweepSpec& spec, const SweepOptions& options) {
  const auto values = spec.point_values();
  ScratchDir scratch(fmt::format("edgesim-sweep-rank{}-", rank_));
  const std::filesystem::path traces_dir = options.traces ? options.output.native() + ".traces" : "";
  while (true) {
    const MPI_Status status = wait_for_message(0, MPI_ANY_TAG);
    if (status.MPI_TAG == kTagStop) {
      check(MPI_Recv(nullptr, 0, MPI_BYTE, 0, kTagStop, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
      return 0;
    }
    std::array<std::uint64_t, 2> message{};
    check(MPI_Recv(message.data(), 2, MPI_UINT64_T, 0, kTagTask, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    const auto point = message[0];
    const auto rep = static_cast<std::uint32_t>(message[1]);
    const auto run_file = trace_file(traces_dir.empty() ? scratch.path() : traces_dir, point, rep);
    // A forked run never calls MPI and leaves with _exit, so it does not disturb this
    // rank's MPI state (OpenMPI's shared-memory and TCP transports allow fork).
    run::RunLauncher launcher(1, options.spawn);
    launcher.submit(0,
                    run_request(spec, values.at(point), point, rep, run_file, options.traces, options.timeout_seconds));
    const run::RunResult outcome = std::move(launcher.next()->second);
    if (traces_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove(run_file, ec);
    }
    const std::string bytes = encode(make_record(point, rep, spec.seed_of(point, rep), outcome));
    check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kTagResult, MPI_COMM_WORLD), "MPI_Send");
  }
}

#else // built without MPI

MpiSession::MpiSession() {
  throw InputError("sweep --mpi: this edgesim was built without MPI (configure with -DEDGESIM_MPI=ON and "
                   "libopenmpi-dev installed)");
}
MpiSession::~MpiSession() = default;
void MpiSession::coordinate(const std::vector<RunTask>& /*tasks*/,
                            const std::function<void(std::size_t, RunRecord)>& /*done*/) {}
int MpiSession::work(const SweepSpec& /*spec*/, const SweepOptions& /*options*/) {
  return 0;
}

#endif

} // namespace edgesim::sweep
