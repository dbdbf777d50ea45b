#pragma once
// SIGINT/SIGTERM as a polite stop request for coordinators of child processes (validate,
// sweep): while a StopSignals lives, the signals set a flag instead of killing the
// process, and interrupt blocking calls (no SA_RESTART) so the flag is seen at once.
// The previous handlers come back at destruction.
#include <csignal>

namespace edgesim {

class StopSignals {
public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// True once SIGINT or SIGTERM arrived while this (or an earlier) StopSignals lived.
  [[nodiscard]] static bool requested();
  /// Forgets an earlier request (a new coordinator starts clean).
  static void reset();

private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

} // namespace edgesim
