#pragma once
// The in-process run API's data (docs/architecture.md "Process model"): what to run and
// what came back. A RunRequest names everything that determines a run's results; the
// launcher (run/run_launcher.hpp) runs it in a child process, and run_scenario()
// (run/run_scenario.hpp) runs it in this one.
#include <edgesim/results.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edgesim::run {

struct RunRequest {
  std::filesystem::path scenario;       // the scenario file
  std::filesystem::path base_dir;       // its relative paths resolve here (empty: the file's directory)
  std::vector<std::string> overrides;   // "KEY=VALUE" (or an unset_override()), applied in order
  std::optional<std::uint64_t> seed;    // replaces simulation.seed
  bool trace_requests = true;           // false: no /requests rows (summaries, hosts, timeline only)
  std::filesystem::path output;         // the run file (empty: <scenario stem>.h5 in the working directory)
  std::vector<std::string> engine_args; // SimGrid's --cfg=... / --log=...
  // How the launcher runs it (no effect on the results):
  std::filesystem::path working_dir;  // of the child (empty: this process's)
  double timeout_seconds = 0;         // 0: none; the child is killed when it runs longer
  std::vector<std::string> extra_env; // "NAME=VALUE" for an exec'd child (a forked one shares this environment)
};

struct RunResult {
  // How the child ended: "exit code 3", "killed by signal 11 (Segmentation fault)",
  // "timed out after 5 s"; empty when it succeeded.
  std::string failure;
  std::string message; // the last line of its stderr (its one-line error message), at most 500 bytes
  int exit_code = 0;   // -1 when killed by a signal
  int signal = 0;      // the terminating signal, 0 if it exited
  double wall_seconds = 0;
  std::string summary_json; // its summary (io/summary_json.hpp), without the final newline
  RunSummary summary;       // the same, read back

  [[nodiscard]] bool ok() const { return failure.empty(); }
  /// failure, then ": message" when there is one.
  [[nodiscard]] std::string describe() const { return message.empty() ? failure : failure + ": " + message; }
};

} // namespace edgesim::run
