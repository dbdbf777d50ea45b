#pragma once
// Runs the edgesim executable from integration tests and captures its output.
#include <string>
#include <vector>

namespace edgesim::test {

struct CommandResult {
  int exit_code = -1; // -1 when killed by a signal
  std::string out;
  std::string err;
};

/// Runs EDGESIM_BINARY with `args` (no shell), under `timeout` seconds, in directory
/// `cwd` (empty: the current one).
CommandResult run_edgesim(const std::vector<std::string>& args, int timeout_seconds = 120, const std::string& cwd = {});

/// A fresh temporary directory removed at destruction.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& text) const;

private:
  std::string path_;
};

/// edgesim started in the background (no timeout wrapper), for tests that signal it or
/// measure it. Output goes to files in a temporary directory. The destructor kills
/// (SIGKILL) and reaps a process still running.
class BackgroundRun {
public:
  explicit BackgroundRun(const std::vector<std::string>& args, const std::string& cwd = {});
  ~BackgroundRun();
  BackgroundRun(const BackgroundRun&) = delete;
  BackgroundRun& operator=(const BackgroundRun&) = delete;

  [[nodiscard]] int pid() const { return pid_; }
  void signal(int signal_number) const;
  /// Waits up to `timeout_seconds` (then kills it); returns the exit code, or -N when
  /// signal N ended it.
  int wait(int timeout_seconds = 120);
  /// Peak resident set size of the process in KiB (wait4's ru_maxrss); after wait().
  [[nodiscard]] long max_rss_kib() const { return max_rss_kib_; }
  [[nodiscard]] std::string err() const;

private:
  TempDir dir_;
  int pid_ = -1;
  bool reaped_ = false;
  long max_rss_kib_ = 0;
};

/// Extracts a numeric field from the "all" object or tenant `tenant` of a --json summary.
double json_field(const std::string& json, const std::string& object, const std::string& field);

} // namespace edgesim::test
