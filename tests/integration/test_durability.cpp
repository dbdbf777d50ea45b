// Output durability of `edgesim run` (docs/formats.md): the final path only ever
// holds a complete file. A run killed with SIGKILL at any moment leaves either the
// previous file or a complete new one under the final name, plus at most its temporary
// file, which the next run into the same path deletes. SIGINT and SIGTERM stop the
// arrivals, let the requests in flight finish, and commit a file whose /meta says
// interrupted = 1; the run then exits with code 3.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using edgesim::test::BackgroundRun;
using edgesim::test::TempDir;

const std::string kScenario = std::string(EDGESIM_TEST_DATA) + "/scenarios/long-run.toml";

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> temp_files(const TempDir& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path()))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos)
      names.push_back(entry.path().filename().string());
  return names;
}

std::vector<std::string> run_args(const std::string& output, const std::string& requests) {
  return {"run", kScenario, "-q", "-o", output, "--set", "simulation.requests=" + requests};
}

// Waits until the run has created its temporary output file, i.e. it is simulating.
bool wait_for_temp_file(const BackgroundRun& run, const std::string& output) {
  const fs::path temp = output + ".tmp." + std::to_string(run.pid());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(temp)) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class StopSignal : public ::testing::TestWithParam<int> {};

TEST_P(StopSignal, CommitsAnInterruptedFileAndExitsWith3) {
  TempDir dir;
  const std::string output = dir.file("run.h5");
  BackgroundRun run(run_args(output, "100000000"));
  ASSERT_TRUE(wait_for_temp_file(run, output)) << run.err();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  run.signal(GetParam());
  EXPECT_EQ(run.wait(60), 3) << run.err();
  ASSERT_TRUE(fs::exists(output)) << run.err();
  EXPECT_TRUE(temp_files(dir).empty());
  const auto meta = edgesim::io::read_meta(output);
  EXPECT_TRUE(meta.interrupted);
  const auto requests = edgesim::io::read_requests(output);
  const auto summary = edgesim::io::read_summary(output);
  ASSERT_FALSE(summary.empty());
  EXPECT_GT(requests.size(), 0U);
  EXPECT_LT(requests.size(), 100000000U);
  // Every request that arrived is in the trace: the run drained instead of dropping them.
  EXPECT_EQ(summary.back().offered, requests.size());
  EXPECT_EQ(summary.back().served + summary.back().lost, summary.back().offered);
}

INSTANTIATE_TEST_SUITE_P(Durability, StopSignal, ::testing::Values(SIGTERM, SIGINT),
                         [](const auto& info) { return std::string(info.param == SIGTERM ? "SIGTERM" : "SIGINT"); });

TEST(Durability, SigkillNeverLeavesAPartialFileUnderTheFinalName) {
  TempDir dir;
  const std::string output = dir.file("run.h5");
  // A complete previous result in place.
  BackgroundRun first(run_args(output, "1000"));
  ASSERT_EQ(first.wait(60), 0) << first.err();
  const std::string previous = file_bytes(output);
  ASSERT_FALSE(previous.empty());

  // Runs of ~40k requests killed from before they start writing to after they commit:
  // the final name holds the previous file or a complete new one, never anything else.
  const std::string requests = "40000";
  int replaced = 0;
  for (const int delay_ms : {0, 5, 20, 60, 150, 300, 500, 800, 1200, 2500}) {
    SCOPED_TRACE("killed after " + std::to_string(delay_ms) + " ms");
    BackgroundRun run(run_args(output, requests));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    run.signal(SIGKILL);
    const int code = run.wait(60);
    EXPECT_TRUE(code == -SIGKILL || code == 0) << code;
    ASSERT_TRUE(fs::exists(output));
    if (file_bytes(output) == previous)
      continue;
    ++replaced;
    const auto meta = edgesim::io::read_meta(output);
    EXPECT_FALSE(meta.interrupted);
    const auto summary = edgesim::io::read_summary(output);
    ASSERT_FALSE(summary.empty());
    EXPECT_EQ(summary.back().offered, 40000U);
    EXPECT_EQ(edgesim::io::read_requests(output).size(), 40000U);
  }
  // The next run into the same path removes what the killed ones left behind.
  BackgroundRun last(run_args(output, "1000"));
  ASSERT_EQ(last.wait(60), 0) << last.err();
  EXPECT_TRUE(temp_files(dir).empty()) << temp_files(dir).front();
  EXPECT_EQ(edgesim::io::read_requests(output).size(), 1000U);
  RecordProperty("runs_that_committed_before_the_kill", replaced);
}

} // namespace
