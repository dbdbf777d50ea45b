// ForkedRunPool: the run entry executes in a forked child with its arguments; exit codes,
// exceptions, signals, timeouts, captured streams, queueing and the working directory
// come back as ChildPool reports them.
#include "util/forked_run_pool.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace edgesim {
namespace {

/// A stand-in for `edgesim run`: behaves as its first argument says.
int scripted_entry(std::vector<std::string> args) {
  const std::string& what = args.at(0);
  if (what == "echo") {
    std::printf("out:%s\n", args.at(1).c_str());
    std::fprintf(stderr, "err:%s\n", args.at(1).c_str());
    return static_cast<int>(args.size());
  }
  if (what == "exit")
    return std::stoi(args.at(1));
  if (what == "input-error")
    throw InputError("scenario.toml: key `x`: expected a number");
  if (what == "runtime-error")
    throw std::runtime_error("engine exploded");
  if (what == "abort") // not SIGSEGV: AddressSanitizer would catch that and exit 1
    ::raise(SIGABRT);
  if (what == "sleep")
    std::this_thread::sleep_for(std::chrono::duration<double>(std::stod(args.at(1))));
  if (what == "cwd") {
    std::printf("%s", std::filesystem::current_path().c_str());
    return 0;
  }
  if (what == "big") { // more than any pipe buffer, on both streams
    const std::string line(1000, 'x');
    for (int i = 0; i < 1000; ++i) {
      std::printf("%s\n", line.c_str());
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }
  return 0;
}

ChildSpec run_args(std::vector<std::string> args) {
  ChildSpec spec;
  spec.argv = {"ignored-argv0", "run"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  return spec;
}

std::map<std::size_t, ChildOutcome> run_all(ForkedRunPool& pool) {
  std::map<std::size_t, ChildOutcome> outcomes;
  while (auto finished = pool.next())
    outcomes.emplace(finished->first, std::move(finished->second));
  return outcomes;
}

TEST(ForkedRunPool, RunsTheEntryWithTheArgumentsAfterRun) {
  ForkedRunPool pool(2, scripted_entry);
  pool.submit(1, run_args({"echo", "hello"}));
  pool.submit(2, run_args({"exit", "7"}));
  const auto outcomes = run_all(pool);
  ASSERT_EQ(outcomes.size(), 2U);
  EXPECT_EQ(outcomes.at(1).exit_code, 2); // two arguments after "run"
  EXPECT_EQ(outcomes.at(1).out, "out:hello\n");
  EXPECT_EQ(outcomes.at(1).err, "err:hello\n");
  EXPECT_FALSE(outcomes.at(1).ok()); // exit code 2
  EXPECT_EQ(outcomes.at(2).exit_code, 7);
  EXPECT_EQ(outcomes.at(2).signal, 0);
  EXPECT_FALSE(outcomes.at(2).timed_out);
  EXPECT_FALSE(pool.next().has_value());
}

TEST(ForkedRunPool, ExceptionsBecomeTheExitCodesOfTheCli) {
  ForkedRunPool pool(1, scripted_entry);
  pool.submit(0, run_args({"input-error"}));
  pool.submit(1, run_args({"runtime-error"}));
  pool.submit(2, run_args({"abort"}));
  const auto outcomes = run_all(pool);
  EXPECT_EQ(outcomes.at(0).exit_code, 1);
  EXPECT_EQ(outcomes.at(0).err, "edgesim run: error: scenario.toml: key `x`: expected a number\n");
  EXPECT_EQ(outcomes.at(1).exit_code, 3);
  EXPECT_NE(outcomes.at(1).err.find("engine exploded"), std::string::npos);
  EXPECT_EQ(outcomes.at(2).exit_code, -1);
  EXPECT_EQ(outcomes.at(2).signal, SIGABRT);
  EXPECT_NE(outcomes.at(2).describe().find("signal 6"), std::string::npos) << outcomes.at(2).describe();
}

TEST(ForkedRunPool, TimeoutKillsTheRunLikeChildPool) {
  ForkedRunPool pool(2, scripted_entry);
  ChildSpec slow = run_args({"sleep", "30"});
  slow.timeout_seconds = 0.2;
  ChildSpec quick = run_args({"sleep", "0.01"});
  quick.timeout_seconds = 10;
  const auto start = std::chrono::steady_clock::now();
  pool.submit(0, slow);
  pool.submit(1, quick);
  const auto outcomes = run_all(pool);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10);
  EXPECT_TRUE(outcomes.at(0).timed_out);
  EXPECT_EQ(outcomes.at(0).signal, SIGKILL);
  EXPECT_GE(outcomes.at(0).wall_seconds, 0.2);
  EXPECT_NE(outcomes.at(0).describe().find("timed out"), std::string::npos);
  EXPECT_TRUE(outcomes.at(1).ok()) << outcomes.at(1).describe();
}

TEST(ForkedRunPool, AtMostJobsAtOnceAndLargeOutputsDoNotBlock) {
  ForkedRunPool pool(2, scripted_entry);
  for (std::size_t i = 0; i < 5; ++i)
    pool.submit(i, run_args({"big"}));
  EXPECT_EQ(pool.running(), 2U);
  EXPECT_EQ(pool.queued(), 3U);
  const auto outcomes = run_all(pool);
  ASSERT_EQ(outcomes.size(), 5U);
  for (const auto& [tag, outcome] : outcomes) {
    EXPECT_TRUE(outcome.ok()) << tag << ": " << outcome.describe();
    EXPECT_EQ(outcome.out.size(), 1001U * 1000U);
    EXPECT_EQ(outcome.err.size(), 1001U * 1000U);
  }
}

TEST(ForkedRunPool, ClearQueueAndSignalRunning) {
  ForkedRunPool pool(1, scripted_entry);
  pool.submit(0, run_args({"sleep", "30"}));
  pool.submit(1, run_args({"echo", "never"}));
  pool.submit(2, run_args({"echo", "never"}));
  EXPECT_EQ(pool.clear_queue(), (std::vector<std::size_t>{1, 2}));
  pool.signal_running(SIGTERM);
  const auto outcomes = run_all(pool);
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_EQ(outcomes.at(0).signal, SIGTERM);
}

TEST(ForkedRunPool, WorkingDirectoryIsTheChildsOnly) {
  const auto here = std::filesystem::current_path();
  const auto there = std::filesystem::temp_directory_path();
  ForkedRunPool pool(1, scripted_entry);
  ChildSpec spec = run_args({"cwd"});
  spec.working_dir = there;
  pool.submit(0, spec);
  const auto outcomes = run_all(pool);
  EXPECT_EQ(std::filesystem::path(outcomes.at(0).out), std::filesystem::canonical(there));
  EXPECT_EQ(std::filesystem::current_path(), here);
}

} // namespace
} // namespace edgesim
