#pragma once
// Progress of long work made of many units (sweep points, dataset samples): on a
// terminal, one bar redrawn in place ("[sweep] [######----] 12/40  1 failed  2m03s  ETA
// 6m40s"); otherwise (CI logs, files) a plain line at most every `line_interval`, plus
// one at the end. The ETA is the mean time per finished unit since start() times the
// units left, which is what a pool of equally long jobs gives.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace edgesim::sweep {

struct ProgressOptions {
  std::string label = "sweep";
  std::string unit = "points";
  std::FILE* stream = stderr;
  bool enabled = true; // false: report() and finish() print nothing
  int tty = -1;        // -1: isatty(stream); 0 plain lines; 1 bar
  std::chrono::duration<double> line_interval = std::chrono::seconds(10);
  std::chrono::duration<double> bar_interval = std::chrono::milliseconds(200);
};

/// "45s", "2m03s", "1h05m".
std::string duration_text(double seconds);

/// The text of one progress report (no newline, no terminal codes). `bar_width` 0 gives
/// the plain form.
std::string progress_text(const std::string& label, const std::string& unit, std::size_t done, std::size_t total,
                          std::size_t failed, double elapsed_seconds, std::size_t bar_width);

class ProgressReporter {
public:
  ProgressReporter(std::size_t total, ProgressOptions options = {});
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  /// Sets the counts (done includes failed) and prints if it is time to.
  void report(std::size_t done, std::size_t failed);
  /// Prints the final state and ends the bar's line.
  void finish();
  /// Erases the bar so other output can be printed; the next report() redraws it.
  void clear();

  [[nodiscard]] bool is_tty() const { return tty_; }

private:
  void print(bool force);

  std::size_t total_;
  ProgressOptions options_;
  bool tty_;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  bool bar_shown_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_print_{};
};

} // namespace edgesim::sweep
