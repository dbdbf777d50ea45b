// Progress reporter: text, bar on a terminal, periodic plain lines otherwise.
#include "sweep/progress.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace edgesim::sweep {
namespace {

/// Everything written to a temporary FILE*.
class Capture {
public:
  Capture() : file_(std::tmpfile()) {}
  ~Capture() { std::fclose(file_); }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  std::FILE* get() { return file_; }
  std::string text() {
    std::fflush(file_);
    std::rewind(file_);
    std::string out;
    for (int c = std::fgetc(file_); c != EOF; c = std::fgetc(file_))
      out.push_back(static_cast<char>(c));
    return out;
  }

private:
  std::FILE* file_;
};

TEST(Progress, DurationText) {
  EXPECT_EQ(duration_text(0), "0s");
  EXPECT_EQ(duration_text(44.6), "45s");
  EXPECT_EQ(duration_text(123), "2m03s");
  EXPECT_EQ(duration_text(3900), "1h05m");
  EXPECT_EQ(duration_text(-1), "?");
}

TEST(Progress, TextHasCountsFailuresAndEta) {
  // 10 of 40 done in 20 s: 2 s each, 30 left -> 60 s.
  EXPECT_EQ(progress_text("sweep", "points", 10, 40, 2, 20, 0),
            "[sweep] 10/40 points, 2 failed, elapsed 20s, ETA 1m00s");
  EXPECT_EQ(progress_text("sweep", "points", 10, 40, 0, 20, 8),
            "[sweep] [##------] 10/40 points, elapsed 20s, ETA 1m00s");
  EXPECT_EQ(progress_text("d", "samples", 0, 5, 0, 1, 0), "[d] 0/5 samples, elapsed 1s, ETA ?");
  EXPECT_EQ(progress_text("d", "samples", 5, 5, 0, 1, 4), "[d] [####] 5/5 samples, elapsed 1s");
}

TEST(Progress, BarRedrawsInPlaceOnATerminal) {
  Capture out;
  ProgressOptions options;
  options.stream = out.get();
  options.tty = 1;
  options.bar_interval = std::chrono::seconds(0);
  {
    ProgressReporter progress(4, options);
    progress.report(1, 0);
    progress.report(2, 1);
    progress.finish();
  }
  const std::string text = out.text();
  EXPECT_NE(text.find("\r\033[K[sweep] ["), std::string::npos);
  EXPECT_NE(text.find("2/4 points, 1 failed"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1); // one line, redrawn
}

TEST(Progress, PlainLinesAreRateLimited) {
  Capture out;
  ProgressOptions options;
  options.stream = out.get();
  options.tty = 0;
  options.line_interval = std::chrono::hours(1);
  ProgressReporter progress(3, options);
  progress.report(1, 0);
  progress.report(2, 0);
  progress.finish(); // only the final line: the interval never elapsed
  const std::string text = out.text();
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_EQ(text.rfind("[sweep] 2/3 points", 0), 0U) << text;
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST(Progress, DisabledPrintsNothing) {
  Capture out;
  ProgressOptions options;
  options.stream = out.get();
  options.enabled = false;
  ProgressReporter progress(3, options);
  progress.report(3, 0);
  progress.finish();
  EXPECT_EQ(out.text(), "");
}

} // namespace
} // namespace edgesim::sweep
