#pragma once
// Runs the replications of a validation (docs/validate.md): the same launcher as sweeps
// (run/run_launcher.hpp: forked copies or fresh processes, --jobs at once) and the same
// resumable journal (sweep/result_journal.hpp), so an interrupted validation picks up
// with --resume where it stopped. What the replications are, and what is made of their
// summaries, is the caller's (the evaluator: validation.hpp, network_validation.hpp).
#include "run/run_launcher.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace edgesim::validate {

struct ReplicationTask {
  run::RunRequest request;
  std::string where; // "dist exp rho 0.9 K 5 seed 3", for messages
};

/// Replication `seed` of `scenario`: no /requests, its run file at `run_file` (removed
/// once it finished), `where` for messages.
[[nodiscard]] ReplicationTask replication_task(const std::filesystem::path& scenario, std::uint64_t seed,
                                               const std::vector<std::string>& engine_args,
                                               const std::filesystem::path& run_file, std::string where);

struct ReplicationOptions {
  unsigned jobs = 1;
  run::SpawnMode spawn;
  bool quiet = false;            // no progress line
  bool resume = false;           // take the replications the journal holds instead of running them
  std::filesystem::path journal; // where finished replications are kept until the caller is done
  // What, beside each task's `where`, seed and arguments, determines the replications'
  // results (e.g. the law, the requests per replication, a user scenario's text): the
  // point scenarios live in a temporary directory, so their paths cannot say it.
  std::string identity;
};

/// Identity of a set of tasks for the journal: `identity`, then each task's `where`, seed,
/// overrides and engine arguments, so a journal is resumed only by the same validation.
[[nodiscard]] std::string replication_identity(const std::vector<ReplicationTask>& tasks, std::string_view identity);

/// Runs every task the journal does not hold; `on_done(task, summary)` sees each
/// replication's summary, the journal's first (in task order), then the others in
/// completion order. The first failed replication, or a RuntimeError thrown by on_done,
/// stops the others and is thrown as a RuntimeError; so is an interruption
/// (SIGINT/SIGTERM). The journal stays behind for --resume either way; once the caller
/// has written its results it removes it (remove_journal).
void run_replications(const std::vector<ReplicationTask>& tasks, const ReplicationOptions& options,
                      const std::function<void(std::size_t, const RunSummary&)>& on_done);

/// Deletes the journal of a finished validation.
void remove_journal(const std::filesystem::path& journal);

} // namespace edgesim::validate
