// edgesim sweep / merge end to end: the same /points whatever ran the points (--jobs 1,
// --jobs 4, forked or exec'd runs, three shards merged, MPI), failures recorded, kill -9 + --resume, merge refusals.
#include "cli_runner.hpp"

#include "sweep/result_journal.hpp"
#include "sweep/sweep_file.hpp"
#include "util/child_process.hpp"

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace edgesim {
namespace {

namespace fs = std::filesystem;
using test::run_edgesim;
using test::TempDir;

const std::string kScenario = std::string(EDGESIM_TEST_DATA) + "/scenarios/tiny.toml";

/// 3 rates x 2 buffers x 2 replications = 12 runs of the tiny scenario.
std::vector<std::string> sweep_args(const std::string& output) {
  return {
      "sweep", kScenario, "--vary", "tenants.0.arrival.rate=2:6:2", "--vary", "hosts.default.buffer=1,5", "--reps", "2",
      "-q",    "-o",      output};
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// Compares two tables column by column, value by value (NaN equals NaN).
void expect_same_table(const sweep::SweepTable& a, const sweep::SweepTable& b, const std::string& what) {
  ASSERT_EQ(a.names, b.names) << what;
  ASSERT_EQ(a.rows, b.rows) << what;
  for (const auto& name : a.names) {
    if (std::holds_alternative<std::vector<std::string>>(a.columns.at(name))) {
      EXPECT_EQ(a.strings(name), b.strings(name)) << what << ": column " << name;
      continue;
    }
    const auto& x = a.numbers(name);
    const auto& y = b.numbers(name);
    for (std::size_t r = 0; r < a.rows; ++r)
      EXPECT_TRUE(x[r] == y[r] || (std::isnan(x[r]) && std::isnan(y[r])))
          << what << ": column " << name << " row " << r << ": " << x[r] << " vs " << y[r];
  }
}

void expect_same_sweep(const std::string& reference, const std::string& other, const std::string& what) {
  for (const char* table : {"points", "points_tenants", "points_ci"})
    expect_same_table(sweep::read_sweep_table(reference, table), sweep::read_sweep_table(other, table),
                      what + " /" + table);
}

TEST(Sweep, JobsShardsAndMpiGiveIdenticalPoints) {
  TempDir dir;
  const std::string serial = dir.file("serial.h5");
  auto result = run_edgesim(with(sweep_args(serial), {"--jobs", "1"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(fs::exists(sweep::ResultJournal::path_for(serial))) << "journal left after a complete sweep";

  const auto points = sweep::read_sweep_table(serial, "points");
  ASSERT_EQ(points.rows, 12U);
  EXPECT_EQ(points.names[0], "tenants.0.arrival.rate");
  EXPECT_EQ(points.names[1], "hosts.default.buffer");
  EXPECT_EQ(points.numbers("tenants.0.arrival.rate"), (std::vector<double>{2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6}));
  EXPECT_EQ(points.numbers("hosts.default.buffer"), (std::vector<double>{1, 1, 5, 5, 1, 1, 5, 5, 1, 1, 5, 5}));
  std::set<double> seeds(points.numbers("seed").begin(), points.numbers("seed").end());
  EXPECT_EQ(seeds.size(), 12U);
  for (std::size_t r = 0; r < points.rows; ++r) {
    EXPECT_EQ(points.numbers("exit_code")[r], 0);
    EXPECT_GT(points.numbers("offered")[r], 5); // 10 s at 2-6 requests/s, minus warm-up
  }
  // Three times the arrival rate: more offered requests.
  EXPECT_GT(points.numbers("offered")[8] + points.numbers("offered")[9],
            points.numbers("offered")[0] + points.numbers("offered")[1]);
  const auto ci = sweep::read_sweep_table(serial, "points_ci");
  ASSERT_EQ(ci.rows, 6U);
  EXPECT_EQ(ci.numbers("n"), (std::vector<double>(6, 2)));
  EXPECT_DOUBLE_EQ(ci.numbers("offered_mean")[0], (points.numbers("offered")[0] + points.numbers("offered")[1]) / 2);

  const std::string parallel = dir.file("parallel.h5");
  result = run_edgesim(with(sweep_args(parallel), {"--jobs", "4"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_same_sweep(serial, parallel, "--jobs 4");

  // Forked runs (the default) and fresh `edgesim run` processes give the same results.
  const std::string exec = dir.file("exec.h5");
  result = run_edgesim(with(sweep_args(exec), {"--jobs", "2", "--spawn", "exec"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_same_sweep(serial, exec, "--spawn exec");

  std::vector<std::string> merge{"merge"};
  for (int shard = 0; shard < 3; ++shard) {
    const std::string file = dir.file("shard" + std::to_string(shard) + ".h5");
    result = run_edgesim(with(sweep_args(file), {"--jobs", "2", "--shard", std::to_string(shard) + "/3"}));
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(sweep::read_sweep_table(file, "points").rows, 4U); // points 0,3 / 1,4 / 2,5, two reps each
    merge.push_back(file);
  }
  const std::string merged = dir.file("merged.h5");
  result = run_edgesim(with(merge, {"-o", merged}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_same_sweep(serial, merged, "3 shards merged");

#ifdef EDGESIM_MPIEXEC
  const std::string mpi = dir.file("mpi.h5");
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
#if defined(__SANITIZE_ADDRESS__)
  // Open MPI's one-time allocations (hwloc topology, MCA components it unloads before
  // LeakSanitizer reads their stacks) cannot be suppressed by name: the MPI ranks run
  // without the leak check, with AddressSanitizer's other checks.
  const char* asan_options = std::getenv("ASAN_OPTIONS");
  const std::string rank_options = asan_options != nullptr && *asan_options != '\0'
                                       ? std::string(asan_options) + ":detect_leaks=0"
                                       : "detect_leaks=0";
  setenv("ASAN_OPTIONS", rank_options.c_str(), 1);
#endif
  ChildSpec spec;
  spec.argv = {EDGESIM_MPIEXEC, "--oversubscribe", "-n", "3", EDGESIM_BINARY};
  const auto args = with(sweep_args(mpi), {"--mpi"});
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout_seconds = 120;
  const ChildOutcome outcome = run_child(spec);
  ASSERT_TRUE(outcome.ok()) << outcome.describe() << "\n" << outcome.err << outcome.out;
  expect_same_sweep(serial, mpi, "mpirun -n 3 --mpi");
#else
  GTEST_SKIP() << "built without MPI: the --mpi comparison did not run";
#endif
}

TEST(Sweep, FailedRunsAreRecordedAndTheSweepGoesOn) {
  TempDir dir;
  const std::string out = dir.file("fail.h5");
  // buffer = 0 is invalid: those runs exit 1; the others succeed.
  auto result = run_edgesim({"sweep", kScenario, "--vary", "hosts.default.buffer=0,3", "-q", "-o", out});
  EXPECT_EQ(result.exit_code, 4) << result.err;
  const auto points = sweep::read_sweep_table(out, "points");
  ASSERT_EQ(points.rows, 2U);
  EXPECT_EQ(points.numbers("exit_code"), (std::vector<double>{1, 0}));
  EXPECT_NE(points.strings("error")[0].find("buffer"), std::string::npos) << points.strings("error")[0];
  EXPECT_EQ(points.strings("error")[1], "");
  EXPECT_TRUE(std::isnan(points.numbers("latency_mean")[0]));
  EXPECT_FALSE(std::isnan(points.numbers("latency_mean")[1]));
  // A fresh `edgesim run` process reports the failure in the same words.
  const std::string exec = dir.file("fail-exec.h5");
  result = run_edgesim({"sweep", kScenario, "--vary", "hosts.default.buffer=0,3", "--spawn", "exec", "-q", "-o", exec});
  EXPECT_EQ(result.exit_code, 4) << result.err;
  const auto exec_points = sweep::read_sweep_table(exec, "points");
  EXPECT_EQ(exec_points.numbers("exit_code"), points.numbers("exit_code"));
  EXPECT_EQ(exec_points.strings("error"), points.strings("error"));

  // A run killed by a signal (here: its timeout) is recorded with the signal.
  const std::string killed = dir.file("killed.h5");
  result = run_edgesim(
      {"sweep", kScenario, "--vary", "simulation.duration=100000", "--timeout", "0.05", "-q", "-o", killed});
  EXPECT_EQ(result.exit_code, 4) << result.err;
  const auto killed_points = sweep::read_sweep_table(killed, "points");
  ASSERT_EQ(killed_points.rows, 1U);
  EXPECT_EQ(killed_points.numbers("signal")[0], SIGKILL) << killed_points.strings("error")[0];
  EXPECT_NE(killed_points.strings("error")[0].find("timed out"), std::string::npos)
      << killed_points.strings("error")[0];
}

TEST(Sweep, ResumeAfterKillNineRunsEveryPointExactlyOnce) {
  TempDir dir;
  const std::string reference = dir.file("reference.h5");
  auto args = [](const std::string& out) { return with(sweep_args(out), {"--jobs", "1"}); };
  auto result = run_edgesim(args(reference));
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const std::string out = dir.file("killed.h5");
  const fs::path journal = sweep::ResultJournal::path_for(out);
  ChildPool pool(1);
  ChildSpec spec;
  spec.argv = with({EDGESIM_BINARY}, args(out));
  spec.timeout_seconds = 120;
  pool.submit(0, spec);
  // Kill the coordinator with SIGKILL once a few runs are journaled.
  std::size_t journaled = 0;
  for (int i = 0; i < 20000 && journaled < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (fs::exists(journal)) {
      try {
        journaled = sweep::ResultJournal::read(journal).second.size();
      } catch (const std::exception&) {
        journaled = 0; // its identity record is being written
      }
    }
  }
  pool.signal_running(SIGKILL);
  const auto killed = pool.next();
  ASSERT_TRUE(killed);
  ASSERT_EQ(killed->second.signal, SIGKILL) << "the sweep finished before it could be killed";
  ASSERT_TRUE(fs::exists(journal));
  const std::size_t recorded = sweep::ResultJournal::read(journal).second.size();
  EXPECT_GE(recorded, 3U);
  EXPECT_LT(recorded, 12U);

  // A resume with another sweep's options is refused, and harms nothing.
  result = run_edgesim(with(args(out), {"--resume", "--seed", "99"}));
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("different sweep"), std::string::npos) << result.err;

  result = run_edgesim(with(args(out), {"--resume"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(fs::exists(journal));
  const auto points = sweep::read_sweep_table(out, "points");
  ASSERT_EQ(points.rows, 12U);
  std::set<std::pair<double, double>> runs;
  for (std::size_t r = 0; r < points.rows; ++r)
    runs.emplace(points.numbers("point")[r], points.numbers("rep")[r]);
  EXPECT_EQ(runs.size(), 12U); // every run exactly once
  expect_same_sweep(reference, out, "killed and resumed");

  // Resuming a complete sweep runs nothing and changes nothing.
  result = run_edgesim(with(args(out), {"--resume"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_same_sweep(reference, out, "resumed again");
}

TEST(Sweep, MergeRefusesOtherSweepsDuplicatesAndGaps) {
  TempDir dir;
  const auto shard = [&](const std::string& name, const std::string& which, const std::string& rates) {
    std::string file = dir.file(name);
    const auto result = run_edgesim(
        {"sweep", kScenario, "--vary", "tenants.0.arrival.rate=" + rates, "--shard", which, "-q", "-o", file});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return file;
  };
  const std::string a = shard("a.h5", "0/2", "1,2,3");
  const std::string b = shard("b.h5", "1/2", "1,2,3");
  const std::string other = shard("other.h5", "1/2", "1,2,4");
  const std::string out = dir.file("out.h5");

  auto result = run_edgesim({"merge", a, other, "-o", out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("different sweeps"), std::string::npos) << result.err;
  result = run_edgesim({"merge", a, b, b, "-o", out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("point 1 rep 0"), std::string::npos) << result.err;
  result = run_edgesim({"merge", a, "-o", out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("missing"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("point 1 rep 0"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(out));
  result = run_edgesim({"merge", a, dir.file("nope.h5"), "-o", out});
  EXPECT_EQ(result.exit_code, 1);

  result = run_edgesim({"merge", b, a, "-o", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(sweep::read_sweep_table(out, "points").numbers("tenants.0.arrival.rate"), (std::vector<double>{1, 2, 3}));
}

TEST(Sweep, TracesAndLatinHypercube) {
  TempDir dir;
  const std::string out = dir.file("lhs.h5");
  const auto result =
      run_edgesim({"sweep", kScenario, "--vary", "tenants.0.arrival.rate=1:5", "--vary", "hosts.default.buffer=1:3",
                   "--design", "lhs", "--points", "3", "--traces", "-q", "-o", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto points = sweep::read_sweep_table(out, "points");
  ASSERT_EQ(points.rows, 3U);
  std::set<double> buffers;
  for (std::size_t r = 0; r < 3; ++r) {
    const double rate = points.numbers("tenants.0.arrival.rate")[r];
    EXPECT_GE(rate, 1);
    EXPECT_LE(rate, 5);
    buffers.insert(points.numbers("hosts.default.buffer")[r]);
  }
  EXPECT_EQ(buffers.size(), 3U); // one point in each stratum of 1..3
  const H5::H5File file(out, H5F_ACC_RDONLY);
  const H5::DataSet requests = file.openDataSet("/traces/p1_r0/requests");
  EXPECT_GT(requests.getSpace().getSimpleExtentNpoints(), 0);
  EXPECT_FALSE(fs::exists(out + ".traces"));

  // Shards keep their traces through a merge.
  std::vector<std::string> merge{"merge"};
  for (const char* shard : {"0/2", "1/2"}) {
    const std::string file = dir.file(std::string("t") + shard[0] + ".h5");
    const auto shard_result = run_edgesim(
        {"sweep", kScenario, "--vary", "hosts.default.buffer=2,3", "--traces", "--shard", shard, "-q", "-o", file});
    ASSERT_EQ(shard_result.exit_code, 0) << shard_result.err;
    merge.push_back(file);
  }
  const std::string merged = dir.file("traces-merged.h5");
  const auto merge_result = run_edgesim(with(merge, {"-o", merged}));
  ASSERT_EQ(merge_result.exit_code, 0) << merge_result.err;
  const H5::H5File merged_file(merged, H5F_ACC_RDONLY);
  EXPECT_TRUE(merged_file.nameExists("/traces/p0_r0/summary"));
  EXPECT_TRUE(merged_file.nameExists("/traces/p1_r0/summary"));
}

TEST(Sweep, BadArgumentsAreInputOrUsageErrors) {
  TempDir dir;
  const std::string out = dir.file("x.h5");
  auto result = run_edgesim({"sweep", kScenario, "-o", out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("--vary"), std::string::npos) << result.err;
  result = run_edgesim({"sweep", kScenario, "--vary", "a=1", "--shard", "3/3", "-o", out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("--shard"), std::string::npos) << result.err;
  result = run_edgesim({"sweep", kScenario, "--vary", "a=1:", "-o", out});
  EXPECT_EQ(result.exit_code, 1);
  // Negative counts are refused (input or usage error), never wrapped to huge numbers.
  for (const auto& bad :
       std::vector<std::vector<std::string>>{{"--reps=-1"}, {"--jobs=-1"}, {"--design", "lhs", "--points=-1"}}) {
    result = run_edgesim(with({"sweep", kScenario, "--vary", "a=1:2", "-o", out}, bad));
    EXPECT_TRUE(result.exit_code == 1 || result.exit_code == 2) << bad.back() << ": " << result.exit_code << result.err;
    EXPECT_NE(result.err.find(bad.back().substr(0, bad.back().find('='))), std::string::npos) << result.err;
  }
  result = run_edgesim({"sweep", kScenario, "--vary", "a=1", "--bogus", "-o", out});
  EXPECT_EQ(result.exit_code, 2);
  result = run_edgesim({"sweep", dir.file("missing.toml"), "--vary", "a=1", "-o", out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_FALSE(fs::exists(out));
}

} // namespace
} // namespace edgesim
