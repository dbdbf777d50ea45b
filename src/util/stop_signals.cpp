#include "util/stop_signals.hpp"

#include <atomic>

namespace edgesim {
namespace {

std::atomic<bool> g_stop_requested{false}; // written by a signal handler: must be global

extern "C" void stop_signal_handler(int /*signal*/) {
  g_stop_requested.store(true);
}

} // namespace

StopSignals::StopSignals() {
  struct sigaction action {};
  action.sa_handler = stop_signal_handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; // no SA_RESTART: poll()/waitpid() return EINTR so the stop is seen at once
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

bool StopSignals::requested() {
  return g_stop_requested.load();
}

void StopSignals::reset() {
  g_stop_requested.store(false);
}

} // namespace edgesim
