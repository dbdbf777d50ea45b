// ChildPool / run_child: exit codes, signals, timeouts, large outputs, queueing, cleanup.
#include "util/child_process.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace edgesim {
namespace {

ChildSpec command(std::vector<std::string> argv) {
  ChildSpec spec;
  spec.argv = std::move(argv);
  return spec;
}

ChildSpec shell(const std::string& script) {
  return command({"/bin/sh", "-c", script});
}

TEST(ChildProcess, SelfExecutableIsThisTestBinary) {
  const auto exe = self_executable();
  EXPECT_TRUE(exe.is_absolute());
  EXPECT_EQ(exe.filename().string().rfind("edgesim_unit_tests", 0), 0U) << exe;
}

TEST(ChildProcess, CapturesExitCodeAndBothStreams) {
  const ChildOutcome outcome = run_child(shell("echo hello; echo oops >&2; exit 7"));
  EXPECT_EQ(outcome.exit_code, 7);
  EXPECT_EQ(outcome.signal, 0);
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.out, "hello\n");
  EXPECT_EQ(outcome.err, "oops\n");
  EXPECT_EQ(outcome.describe(), "exit code 7");
  EXPECT_TRUE(run_child(shell("true")).ok());
}

TEST(ChildProcess, StdinIsEmptyAndArgumentsArePassedVerbatim) {
  // No shell between us and the program: quotes and $ reach it as they are.
  const ChildOutcome outcome = run_child(command({"/bin/sh", "-c", "cat; printf '%s|' \"$@\"", "sh", "a b", "$x"}));
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out, "a b|$x|");
}

TEST(ChildProcess, ReportsTheTerminatingSignal) {
  const ChildOutcome outcome = run_child(shell("kill -SEGV $$"));
  EXPECT_EQ(outcome.exit_code, -1);
  EXPECT_EQ(outcome.signal, SIGSEGV);
  EXPECT_NE(outcome.describe().find("signal 11"), std::string::npos);
}

TEST(ChildProcess, TimeoutKillsTheChild) {
  ChildSpec spec = shell("echo started; exec sleep 30");
  spec.timeout_seconds = 0.3;
  const auto start = std::chrono::steady_clock::now();
  const ChildOutcome outcome = run_child(spec);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_EQ(outcome.signal, SIGKILL);
  EXPECT_EQ(outcome.out, "started\n"); // what it wrote before is kept
  EXPECT_LT(took, 10.0);
  EXPECT_GE(outcome.wall_seconds, 0.29);
}

TEST(ChildProcess, LargeOutputsOnBothStreamsDoNotDeadlock) {
  // 4 MB on each stream, far beyond a pipe's 64 kB buffer, interleaved.
  const ChildOutcome outcome =
      run_child(shell("i=0; while [ $i -lt 4 ]; do head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2; "
                      "i=$((i+1)); done"));
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out.size(), 4U << 20U);
  EXPECT_EQ(outcome.err.size(), 4U << 20U);
}

TEST(ChildProcess, MissingProgramIsExitCode127) {
  const ChildOutcome outcome = run_child(command({"/nonexistent/edgesim-child"}));
  EXPECT_EQ(outcome.exit_code, 127);
  EXPECT_NE(outcome.err.find("/nonexistent/edgesim-child"), std::string::npos);
}

TEST(ChildProcess, WorkingDirectoryAndEnvironment) {
  const auto dir = std::filesystem::temp_directory_path();
  ChildSpec spec = shell("pwd; echo \"$EDGESIM_CHILD_TEST\"");
  spec.working_dir = dir;
  spec.extra_env = {"EDGESIM_CHILD_TEST=42"};
  const ChildOutcome outcome = run_child(spec);
  EXPECT_EQ(outcome.out, std::filesystem::canonical(dir).string() + "\n42\n");
}

TEST(ChildPool, RunsMoreJobsThanSlotsWithAtMostJobsAtOnce) {
  const auto dir = std::filesystem::temp_directory_path() / ("edgesim-pool-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ChildPool pool(3);
  // Each child records the number of marker files present while it runs.
  for (std::size_t i = 0; i < 10; ++i)
    pool.submit(i,
                shell("touch " + (dir / std::to_string(i)).string() + "; ls " + dir.string() +
                      " | wc -l; sleep 0.1; rm " + (dir / std::to_string(i)).string() + "; exit " + std::to_string(i)));
  EXPECT_EQ(pool.running(), 3U);
  EXPECT_EQ(pool.queued(), 7U);
  std::map<std::size_t, ChildOutcome> outcomes;
  while (auto result = pool.next()) {
    EXPECT_LE(pool.running(), 3U);
    outcomes.emplace(result->first, std::move(result->second));
  }
  ASSERT_EQ(outcomes.size(), 10U);
  for (const auto& [tag, outcome] : outcomes) {
    EXPECT_EQ(outcome.exit_code, static_cast<int>(tag));
    EXPECT_LE(std::stoi(outcome.out), 3);
  }
  EXPECT_FALSE(pool.next().has_value());
  std::filesystem::remove_all(dir);
}

TEST(ChildPool, ClearQueueAndSignalRunning) {
  ChildPool pool(1);
  pool.submit(1, shell("exec sleep 30"));
  pool.submit(2, shell("true"));
  pool.submit(3, shell("true"));
  EXPECT_EQ(pool.clear_queue(), (std::vector<std::size_t>{2, 3}));
  pool.signal_running(SIGTERM);
  auto result = pool.next();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->first, 1U);
  EXPECT_EQ(result->second.signal, SIGTERM);
  EXPECT_FALSE(pool.next());
}

TEST(ChildPool, DestructorKillsRunningChildren) {
  const auto pid_file = std::filesystem::temp_directory_path() / ("edgesim-pool-pid-" + std::to_string(::getpid()));
  {
    ChildPool pool(2);
    // Written then renamed, so the file never exists half-written.
    pool.submit(0, shell("echo $$ > " + pid_file.string() + ".tmp; mv " + pid_file.string() + ".tmp " +
                         pid_file.string() + "; exec sleep 30"));
    for (int i = 0; i < 200 && !std::filesystem::exists(pid_file); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::ifstream in(pid_file);
  pid_t pid = 0;
  in >> pid;
  ASSERT_GT(pid, 0);
  // Killed and reaped: the pid no longer names a process (or names a stranger, not ours).
  EXPECT_NE(::kill(pid, 0) == 0 && ::getpgid(pid) == ::getpgrp(), true);
  std::filesystem::remove(pid_file);
}

} // namespace
} // namespace edgesim
