#pragma once
// Child processes of edgesim: one SimGrid engine per process (docs/architecture.md "Process model") means sweeps,
// validation and offline tuning run every simulation as a child `edgesim run`.
//
// A child is started with posix_spawn (no shell, no fork of a large parent), stdin from
// /dev/null, stdout and stderr each on a pipe that the parent drains concurrently with
// poll(), so a child writing megabytes to both never blocks on a full pipe. A ChildPool
// keeps at most `jobs` children running and queues the rest; next() blocks until one
// finishes and returns its tag and outcome. Everything is EINTR-safe; a signal that
// interrupts the wait calls the pool's interrupt handler (so a SIGINT handler that only
// sets a flag is acted upon at once).
//
// A program that cannot be started (missing, not executable) is reported as an outcome
// with exit code 127 and the reason in `err`, like a shell does, not as an exception.
#include "util/run_pool.hpp"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace edgesim {

/// This executable (/proc/self/exe resolved). Throws RuntimeError if it cannot be read.
std::filesystem::path self_executable();

/// CPU cores this process may run on (its affinity mask): the default pool size.
unsigned available_cores();

/// Runs one child and waits for it.
ChildOutcome run_child(const ChildSpec& spec);

/// At most `jobs` children at once.
class ChildPool final : public RunPool {
public:
  explicit ChildPool(unsigned jobs);
  ~ChildPool() override; // kills and reaps children still running
  ChildPool(const ChildPool&) = delete;
  ChildPool& operator=(const ChildPool&) = delete;

  std::optional<std::pair<std::size_t, ChildOutcome>> next() override;
  [[nodiscard]] std::size_t running() const override { return running_.size(); }
  void signal_running(int signal) override;

private:
  struct Child;
  void start(std::size_t tag, ChildSpec spec) override;

  std::vector<std::unique_ptr<Child>> running_;
  std::vector<std::pair<std::size_t, ChildOutcome>> finished_; // started but failed to spawn
};

} // namespace edgesim
