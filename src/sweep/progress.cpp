#include "sweep/progress.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace edgesim::sweep {

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "?";
  const auto s = std::llround(seconds);
  if (s >= 3600)
    return fmt::format("{}h{:02}m", s / 3600, (s / 60) % 60);
  if (s >= 60)
    return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string progress_text(const std::string& label, const std::string& unit, std::size_t done, std::size_t total,
                          std::size_t failed, double elapsed_seconds, std::size_t bar_width) {
  std::string text = fmt::format("[{}] ", label);
  if (bar_width > 0) {
    const std::size_t filled = total == 0 ? bar_width : std::min(bar_width, done * bar_width / total);
    text += "[" + std::string(filled, '#') + std::string(bar_width - filled, '-') + "] ";
  }
  text += fmt::format("{}/{} {}", done, total, unit);
  if (failed > 0)
    text += fmt::format(", {} failed", failed);
  text += fmt::format(", elapsed {}", duration_text(elapsed_seconds));
  if (done < total) {
    const double eta =
        done == 0 ? NAN : elapsed_seconds / static_cast<double>(done) * static_cast<double>(total - done);
    text += fmt::format(", ETA {}", duration_text(eta));
  }
  return text;
}

ProgressReporter::ProgressReporter(std::size_t total, ProgressOptions options)
    : total_(total), options_(std::move(options)),
      tty_(options_.tty < 0 ? ::isatty(::fileno(options_.stream)) != 0 : options_.tty > 0) {}

ProgressReporter::~ProgressReporter() {
  if (bar_shown_)
    finish();
}

void ProgressReporter::report(std::size_t done, std::size_t failed) {
  done_ = done;
  failed_ = failed;
  print(false);
}

void ProgressReporter::finish() {
  if (finished_)
    return;
  finished_ = true;
  print(true);
  if (bar_shown_ && options_.enabled) {
    std::fputc('\n', options_.stream);
    std::fflush(options_.stream);
  }
  bar_shown_ = false;
}

void ProgressReporter::clear() {
  if (bar_shown_ && options_.enabled) {
    std::fputs("\r\033[K", options_.stream);
    std::fflush(options_.stream);
  }
  bar_shown_ = false;
}

void ProgressReporter::print(bool force) {
  if (!options_.enabled)
    return;
  const auto now = std::chrono::steady_clock::now();
  const auto interval = tty_ ? options_.bar_interval : options_.line_interval;
  // The first report prints at once (plain lines: the first after `interval`), so a
  // short run on a terminal still shows its bar.
  const bool due =
      tty_ ? (!bar_shown_ || now - last_print_ >= interval) : (now - std::max(last_print_, start_) >= interval);
  if (!force && !due)
    return;
  last_print_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (tty_) {
    fmt::print(options_.stream, "\r\033[K{}",
               progress_text(options_.label, options_.unit, done_, total_, failed_, elapsed, 30));
    bar_shown_ = true;
  } else {
    fmt::print(options_.stream, "{}\n",
               progress_text(options_.label, options_.unit, done_, total_, failed_, elapsed, 0));
  }
  std::fflush(options_.stream);
}

} // namespace edgesim::sweep
