#pragma once
// The result of one run of a sweep (point p, replication r): what its `edgesim run`
// child printed (the --json summary) or why it failed. Records are what the journal,
// the MPI workers and the /runs group of a sweep file carry; /points and /points_ci are
// derived from them.
#include <edgesim/results.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim {
struct ChildOutcome;
}

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

/// The record of a finished child. A child that exited 0 without a readable summary is
/// a failure ("unreadable summary: ...").
RunRecord make_record(std::uint64_t point, std::uint32_t rep, std::uint64_t seed, const ChildOutcome& outcome);

/// Byte encoding for the journal and MPI messages; decode throws RuntimeError on garbage.
std::string encode(const RunRecord& record);
RunRecord decode(std::string_view bytes);

/// The last non-empty line of a child's stderr (its error message), at most 500 bytes.
std::string last_line(std::string_view text);

} // namespace edgesim::sweep
