#pragma once
// The result of one run of a sweep (point p, replication r): what its `edgesim run`
// child printed (its JSON summary, io/summary_json.hpp) or why it failed. Records are what the journal,
// the MPI workers and the /runs group of a sweep file carry; /points and /points_ci are
// derived from them.
#include <edgesim/results.hpp>

#include "run/run_request.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::sweep {

struct RunRecord {
  std::uint64_t point = 0;
  std::uint32_t rep = 0;
  std::uint64_t seed = 0;
  std::int32_t exit_code = 0; // the child's, -1 if killed by a signal
  std::int32_t signal = 0;    // terminating signal (SIGKILL for a timeout), 0 if it exited
  std::string error;          // empty when ok; else the child's last stderr line or the cause
  std::string summary_json;   // the child's --json summary when ok
  double wall_seconds = 0;    // of the child, start to exit (not part of the results)

  [[nodiscard]] bool ok() const { return exit_code == 0 && signal == 0 && error.empty(); }
};

/// The record of a finished run (a run whose child printed no readable summary failed:
/// "unreadable summary: ...").
RunRecord make_record(std::uint64_t point, std::uint32_t rep, std::uint64_t seed, const run::RunResult& result);

/// Byte encoding for the journal and MPI messages; decode throws RuntimeError on garbage.
std::string encode(const RunRecord& record);
RunRecord decode(std::string_view bytes);

} // namespace edgesim::sweep
