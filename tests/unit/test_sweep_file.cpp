// Sweep file: run records, summary JSON, /points, /points_tenants, /points_ci, /runs.
#include "io/summary_json.hpp"
#include "run/run_launcher.hpp"
#include "sweep/run_record.hpp"
#include "sweep/sweep_file.hpp"
#include "util/child_process.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace edgesim::sweep {
namespace {

namespace fs = std::filesystem;

std::string summary_json(double latency_a, double latency_all, std::uint64_t offered) {
  const auto row = [&](const std::string& name, double latency) {
    return "{\"tenant\":\"" + name + "\",\"offered\":" + std::to_string(offered) +
           ",\"served\":" + std::to_string(offered - 1) +
           ",\"lost\":1,\"loss_ratio\":0.25,\"throughput\":2.5,\"latency_mean\":" + std::to_string(latency) +
           ",\"latency_p50\":0.1,\"latency_p95\":0.2,\"latency_p99\":null,\"accuracy\":0.9,"
           "\"effective_accuracy\":0.8,\"slo_violation_ratio\":0,\"energy_j\":12.5,\"energy_per_served_j\":4.5,"
           "\"energy_dynamic_j\":10,\"energy_static_j\":2.5}";
  };
  return "{\"tenants\":[" + row("cam-\\\"1", latency_a) + "," + row("b", latency_a) +
         "],\"all\":" + row("all", latency_all) +
         ",\"hosts\":[{\"name\":\"h\",\"energy_j\":1}],\"simulated_seconds\":10}";
}

TEST(RunRecord, ParsesTheRunSummaryJson) {
  const auto rows = io::parse_summary_json(summary_json(0.5, 0.25, 4));
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].tenant, "cam-\"1");
  EXPECT_EQ(rows[1].tenant, "b");
  EXPECT_EQ(rows[2].tenant, "all");
  EXPECT_EQ(rows[2].offered, 4U);
  EXPECT_EQ(rows[2].served, 3U);
  EXPECT_DOUBLE_EQ(rows[2].latency_mean, 0.25);
  EXPECT_TRUE(std::isnan(rows[2].latency_p99));
  EXPECT_DOUBLE_EQ(rows[2].energy_per_served_j, 4.5);
  EXPECT_DOUBLE_EQ(rows[2].energy_dynamic_j, 10.0);
  EXPECT_DOUBLE_EQ(rows[2].energy_static_j, 2.5);
  EXPECT_THROW((void)io::parse_summary_json("{\"all\":{}}"), RuntimeError);
  EXPECT_THROW((void)io::parse_summary_json("not json"), RuntimeError);
}

TEST(RunRecord, EncodesAndDecodesExactly) {
  RunRecord record{12, 3, 0xABCDEF12345ULL, 1, 0, "exit code 1: bad key", summary_json(1, 2, 3), 0.125};
  const RunRecord back = decode(encode(record));
  EXPECT_EQ(back.point, 12U);
  EXPECT_EQ(back.rep, 3U);
  EXPECT_EQ(back.seed, record.seed);
  EXPECT_EQ(back.exit_code, 1);
  EXPECT_EQ(back.error, record.error);
  EXPECT_EQ(back.summary_json, record.summary_json);
  EXPECT_EQ(back.wall_seconds, 0.125);
  EXPECT_THROW((void)decode(encode(record).substr(0, 20)), RuntimeError);
}

TEST(RunRecord, FromRunResult) {
  ChildOutcome crashed;
  crashed.exit_code = -1;
  crashed.signal = 11;
  crashed.err = "starting\nSegmentation fault\n\n";
  const RunRecord failed = make_record(1, 0, 9, run::run_result(crashed));
  EXPECT_FALSE(failed.ok());
  EXPECT_NE(failed.error.find("signal 11"), std::string::npos);
  EXPECT_NE(failed.error.find("Segmentation fault"), std::string::npos);

  ChildOutcome garbled;
  garbled.out = "{\"tenants\":[";
  EXPECT_NE(make_record(1, 0, 9, run::run_result(garbled)).error.find("unreadable summary"), std::string::npos);

  ChildOutcome fine;
  RunSummary summary;
  summary.rows = io::parse_summary_json(summary_json(1, 2, 3));
  fine.out = io::summary_json(summary);
  const RunRecord record = make_record(1, 0, 9, run::run_result(fine));
  EXPECT_TRUE(record.ok());
  EXPECT_EQ(record.summary_json + "\n", fine.out);
}

class SweepFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgesim-sweepfile-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    info_.spec.scenario_file = "s.toml";
    info_.spec.scenario_text = "[simulation]\n";
    info_.spec.axes = {parse_vary("rate=1,2"), parse_vary("policy=none,threshold")};
    info_.spec.reps = 3;
    info_.spec.seed = 5;
    info_.created_at = "2026-11-30T00:00:00Z";
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunRecord ok_run(std::uint64_t point, std::uint32_t rep, double latency) const {
    return RunRecord{point, rep, info_.spec.seed_of(point, rep), 0, 0, "", summary_json(latency, latency, 10), 0.5};
  }

  fs::path dir_;
  SweepFileInfo info_;
};

TEST_F(SweepFileTest, WritesPointsTenantsAndIntervals) {
  std::vector<RunRecord> records;
  // Point 2 (rate 2, policy none): latencies 1, 2, 3 -> mean 2, s = 1, t(0.975, 2) = 4.303.
  records.push_back(ok_run(2, 2, 3));
  records.push_back(ok_run(2, 0, 1));
  records.push_back(ok_run(2, 1, 2));
  records.push_back(RunRecord{0, 0, info_.spec.seed_of(0, 0), 1, 0, "exit code 1: bad value", "", 0.1});
  records.push_back(ok_run(0, 1, 5));
  const fs::path file = dir_ / "sweep.h5";
  write_sweep_file(file, info_, records);

  const SweepTable points = read_sweep_table(file, "points");
  ASSERT_EQ(points.rows, 5U);
  EXPECT_EQ(points.names.front(), "rate");
  EXPECT_EQ(points.names[1], "policy");
  EXPECT_EQ(points.numbers("point"), (std::vector<double>{0, 0, 2, 2, 2})); // sorted by point, rep
  EXPECT_EQ(points.numbers("rep"), (std::vector<double>{0, 1, 0, 1, 2}));
  EXPECT_EQ(points.numbers("rate"), (std::vector<double>{1, 1, 2, 2, 2}));
  EXPECT_EQ(points.strings("policy")[2], "none");
  EXPECT_EQ(points.numbers("exit_code")[0], 1);
  EXPECT_EQ(points.strings("error")[0], "exit code 1: bad value");
  EXPECT_TRUE(std::isnan(points.numbers("latency_mean")[0]));
  EXPECT_EQ(points.numbers("offered")[0], 0);
  EXPECT_EQ(points.numbers("latency_mean")[2], 1);
  EXPECT_EQ(points.numbers("seed")[3], static_cast<double>(info_.spec.seed_of(2, 1)));

  const SweepTable tenants = read_sweep_table(file, "points_tenants");
  EXPECT_EQ(tenants.rows, 8U); // 4 successful runs x 2 tenants
  EXPECT_EQ(tenants.strings("tenant")[0], "cam-\"1");
  EXPECT_EQ(tenants.strings("tenant")[1], "b");

  const SweepTable ci = read_sweep_table(file, "points_ci");
  ASSERT_EQ(ci.rows, 2U);
  EXPECT_EQ(ci.numbers("point"), (std::vector<double>{0, 2}));
  EXPECT_EQ(ci.numbers("n"), (std::vector<double>{1, 3}));
  EXPECT_DOUBLE_EQ(ci.numbers("latency_mean_mean")[1], 2);
  EXPECT_NEAR(ci.numbers("latency_mean_ci95")[1], 4.302652729911275 / std::sqrt(3.0), 1e-9);
  EXPECT_DOUBLE_EQ(ci.numbers("latency_mean_mean")[0], 5);
  EXPECT_TRUE(std::isnan(ci.numbers("latency_mean_ci95")[0]));

  const SweepFileContents contents = read_sweep_file(file);
  EXPECT_EQ(contents.meta.at("sweep_id"), info_.spec.id());
  EXPECT_EQ(contents.meta.at("runs"), "5");
  EXPECT_EQ(contents.meta.at("failed"), "1");
  ASSERT_EQ(contents.runs.size(), 5U);
  EXPECT_EQ(contents.runs[0].error, "exit code 1: bad value");
  EXPECT_EQ(contents.runs[2].summary_json, records[1].summary_json);
  const SweepSpec back = spec_from_meta(contents.meta);
  EXPECT_EQ(back.id(), info_.spec.id());
  EXPECT_EQ(back.point_values(), info_.spec.point_values());
}

TEST_F(SweepFileTest, RewriteIsAtomicAndLeavesNoTemporary) {
  const fs::path file = dir_ / "sweep.h5";
  write_sweep_file(file, info_, {ok_run(0, 0, 1)});
  write_sweep_file(file, info_, {ok_run(0, 0, 1), ok_run(1, 0, 2)});
  EXPECT_EQ(read_sweep_file(file).runs.size(), 2U);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_))
    ++entries;
  EXPECT_EQ(entries, 1U);
}

TEST_F(SweepFileTest, ReadingAnotherFileIsAnInputError) {
  const fs::path file = dir_ / "other.h5";
  EXPECT_THROW((void)read_sweep_file(file), InputError);
  {
    std::ofstream out(file);
    out << "not hdf5";
  }
  EXPECT_THROW((void)read_sweep_file(file), InputError);
}

} // namespace
} // namespace edgesim::sweep
