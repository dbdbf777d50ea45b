#pragma once
// Child processes of edgesim: one SimGrid engine per process (DESIGN §3) means sweeps,
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
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgesim {

struct ChildSpec {
  std::vector<std::string> argv;       // argv[0] = program path
  std::filesystem::path working_dir{}; // empty = inherit
  double timeout_seconds = 0;          // 0 = none; on timeout SIGKILL and report timed_out
  std::vector<std::string> extra_env;  // "NAME=VALUE" added to the inherited environment
};

struct ChildOutcome {
  int exit_code = 0; // -1 if killed by a signal
  int signal = 0;    // terminating signal, 0 if exited
  bool timed_out = false;
  std::string out, err; // captured stdout / stderr
  double wall_seconds = 0;

  [[nodiscard]] bool ok() const { return exit_code == 0 && signal == 0 && !timed_out; }
  /// "exit code 3", "killed by signal 11 (Segmentation fault)", "timed out after 5 s".
  [[nodiscard]] std::string describe() const;
};

/// This executable (/proc/self/exe resolved). Throws RuntimeError if it cannot be read.
std::filesystem::path self_executable();

/// CPU cores this process may run on (its affinity mask): the default pool size.
unsigned available_cores();

/// Runs one child and waits for it.
ChildOutcome run_child(const ChildSpec& spec);

/// At most `jobs` children at once.
class ChildPool {
public:
  explicit ChildPool(unsigned jobs);
  ~ChildPool(); // kills and reaps children still running
  ChildPool(const ChildPool&) = delete;
  ChildPool& operator=(const ChildPool&) = delete;

  /// Starts the child now if a slot is free, else queues it (first in, first out).
  void submit(std::size_t tag, ChildSpec spec);
  /// Blocks until a child finishes; nullopt when none is running or queued.
  std::optional<std::pair<std::size_t, ChildOutcome>> next();

  [[nodiscard]] std::size_t running() const;
  [[nodiscard]] std::size_t queued() const;
  [[nodiscard]] unsigned jobs() const { return jobs_; }

  /// Drops the queued children; returns their tags in submission order.
  std::vector<std::size_t> clear_queue();
  /// Sends `signal` to every running child (their outcomes still come from next()).
  void signal_running(int signal);
  /// Called whenever a signal interrupts next()'s wait (from normal code, not from the
  /// signal handler), e.g. to check a stop flag and call clear_queue()/signal_running().
  void set_interrupt_handler(std::function<void()> handler) { interrupt_handler_ = std::move(handler); }

private:
  struct Child;
  void start(std::size_t tag, ChildSpec spec);
  void start_queued();

  unsigned jobs_;
  std::vector<std::unique_ptr<Child>> running_;
  std::deque<std::pair<std::size_t, ChildSpec>> queue_;
  std::vector<std::pair<std::size_t, ChildOutcome>> finished_; // started but failed to spawn
  std::function<void()> interrupt_handler_;
};

} // namespace edgesim
