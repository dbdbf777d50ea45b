#pragma once
// Runs a sweep (docs/architecture.md "Process model"): every point x replication of the spec (of this shard) not
// yet recorded is one run of the run launcher (run/run_launcher.hpp: a forked copy of
// this process, or a fresh one), at most `jobs` at once, or handed out to MPI ranks. Each finished run is appended to
// the journal at once and the output file is rewritten atomically every `checkpoint_seconds` and at the end, so a
// killed sweep loses only the runs in flight and --resume picks up the rest.
#include "sweep/shard.hpp"
#include "sweep/sweep_spec.hpp"

#include "run/run_launcher.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace edgesim::sweep {

/// Exit code of a sweep whose every run was recorded but some failed.
inline constexpr int kSomeRunsFailed = 4;

struct SweepOptions {
  std::filesystem::path output;
  Shard shard;
  unsigned jobs = 1;
  bool resume = false;
  bool traces = false; // keep each run's datasets under /traces
  bool quiet = false;
  bool mpi = false;
  double timeout_seconds = 0; // per run; 0 = none
  double checkpoint_seconds = 30;
  std::string created_at; // for /meta
  /// How runs start (forked copies of this process, or fresh `edgesim run` processes;
  /// MPI workers' runs too).
  run::SpawnMode spawn;
};

/// Returns 0 (all runs ok), kSomeRunsFailed, or 3 (interrupted). Throws InputError for
/// a resume of a different sweep, RuntimeError when the output cannot be written.
int run_sweep(const SweepSpec& spec, const SweepOptions& options);

/// The run of replication `rep` of `point` (whose varied values are `values`), writing
/// its run file to `run_file`.
run::RunRequest run_request(const SweepSpec& spec, const std::vector<std::string>& values, std::uint64_t point,
                            std::uint32_t rep, const std::filesystem::path& run_file, bool traces,
                            double timeout_seconds);

/// `edgesim merge`: joins shard files of one sweep into `output`. Throws InputError
/// naming the files when they belong to different sweeps, or a run is duplicated or
/// missing.
void merge_sweep_files(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output,
                       const std::string& created_at);

} // namespace edgesim::sweep
