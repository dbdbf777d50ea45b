#pragma once
// Runs a RunRequest in this process: loads the scenario (with its overrides), probes the
// platform, plans the deployment, simulates it in this process's one SimGrid engine and
// writes the run file atomically (util/atomic_file.hpp). `edgesim run` is this plus its
// command line; a launched child (run/run_launcher.hpp) is `edgesim run`.
//
// One engine per process (docs/architecture.md "Process model"): call it at most once.
#include "run/run_request.hpp"

#include <filesystem>
#include <functional>

namespace edgesim::run {

struct RunControl {
  bool progress = false; // periodic progress lines on stderr
  bool warnings = true;  // e.g. hosts without a power model
  /// Polled during the run; true stops new arrivals and lets requests in flight finish.
  std::function<bool()> interrupted;
  /// Called before the output file is created and again once SimGrid's engine exists
  /// (which installs its own SIGINT handler), so the caller can install its own.
  std::function<void()> install_signal_handlers;
};

struct RunReport {
  RunSummary summary;
  std::filesystem::path output; // the run file written
  bool interrupted = false;     // stopped early: the file says so (/meta interrupted)
};

[[nodiscard]] RunReport run_scenario(const RunRequest& request, const RunControl& control);

} // namespace edgesim::run
