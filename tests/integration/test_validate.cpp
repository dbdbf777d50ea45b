// `edgesim validate`: the grid runner, its CSV/HDF5 tables and its argument checks.
#include "cli_runner.hpp"

#include "queueing/mg1k.hpp"
#include "queueing/service_distribution.hpp"
#include "validate/validation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace edgesim {
namespace {

std::vector<std::map<std::string, std::string>> read_csv(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  auto split = [](const std::string& text) {
    std::vector<std::string> cells;
    std::stringstream stream(text);
    std::string cell;
    while (std::getline(stream, cell, ','))
      cells.push_back(cell);
    return cells;
  };
  if (std::getline(in, line))
    header = split(line);
  while (std::getline(in, line)) {
    auto cells = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i)
      row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

double num(const std::map<std::string, std::string>& row, const std::string& key) {
  auto it = row.find(key);
  if (it == row.end())
    throw std::runtime_error("no column " + key);
  return std::strtod(it->second.c_str(), nullptr);
}

TEST(Validate, DeterministicGridMatchesExactValues) {
  test::TempDir dir;
  const std::string h5 = dir.file("x.h5");
  const std::string csv = dir.file("x.csv");
  auto result = test::run_edgesim({"validate", "--dist", "det", "--rho", "0.5,1.2", "--K", "2,5", "--reps", "4",
                                   "--requests", "5000", "--jobs", "2", "-q", "-o", h5, "--csv", csv},
                                  300);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("PASS: 8/8"), std::string::npos) << result.out;

  const auto law = queueing::ServiceDistribution::deterministic(validate::kMeanService);
  const std::vector<std::pair<double, int>> expected_points = {{0.5, 2}, {0.5, 5}, {1.2, 2}, {1.2, 5}};

  const auto csv_rows = read_csv(csv);
  ASSERT_EQ(csv_rows.size(), 4U);
  const auto h5_rows = validate::read_validation_hdf5(h5);
  ASSERT_EQ(h5_rows.size(), 4U);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto [rho, K] = expected_points[i];
    const auto exact = queueing::solve_mg1k(rho / law.mean(), law, K);
    SCOPED_TRACE(testing::Message() << "rho " << rho << " K " << K);

    const auto& c = csv_rows[i];
    EXPECT_EQ(c.at("dist"), "det");
    EXPECT_DOUBLE_EQ(num(c, "rho"), rho);
    EXPECT_EQ(num(c, "K"), K);
    EXPECT_EQ(num(c, "reps"), 4);
    EXPECT_EQ(num(c, "requests"), 5000);
    EXPECT_DOUBLE_EQ(num(c, "exact_loss"), exact.loss_probability);
    EXPECT_DOUBLE_EQ(num(c, "exact_response"), exact.mean_response_time);
    EXPECT_EQ(num(c, "loss_in_ci"), 1);
    EXPECT_EQ(num(c, "response_in_ci"), 1);
    EXPECT_LE(num(c, "sim_loss_lo"), exact.loss_probability);
    EXPECT_GE(num(c, "sim_loss_hi"), exact.loss_probability);
    EXPECT_LE(num(c, "sim_response_lo"), exact.mean_response_time);
    EXPECT_GE(num(c, "sim_response_hi"), exact.mean_response_time);
    EXPECT_NEAR(num(c, "loss_abs_err"), std::abs(num(c, "sim_loss") - exact.loss_probability), 1e-15);
    // M/D/1/K: Smith's formula is defined at these loads (scv 0, sqrt(rho) < 2).
    EXPECT_TRUE(std::isfinite(num(c, "smith_loss")));

    const auto& h = h5_rows[i];
    EXPECT_EQ(h.dist, "det");
    EXPECT_DOUBLE_EQ(h.rho, rho);
    EXPECT_EQ(h.K, K);
    EXPECT_EQ(h.reps, 4U);
    EXPECT_DOUBLE_EQ(h.exact_loss, exact.loss_probability);
    EXPECT_DOUBLE_EQ(h.exact_response, exact.mean_response_time);
    EXPECT_TRUE(h.loss_in_ci);
    EXPECT_TRUE(h.response_in_ci);
    EXPECT_DOUBLE_EQ(h.sim_loss, num(c, "sim_loss"));
    EXPECT_DOUBLE_EQ(h.sim_response, num(c, "sim_response"));
    EXPECT_GT(h.offered, 4U * 4000U); // warm-up excluded, nearly all arrivals measured
    EXPECT_GT(h.sim_response, 0);
    EXPECT_GE(h.sim_loss_hw95, 0);
  }
  const auto meta = validate::read_validation_meta(h5);
  EXPECT_TRUE(meta.passed);
  EXPECT_EQ(meta.dist, "det");
  EXPECT_EQ(meta.reps, 4U);
  EXPECT_EQ(meta.requests, 5000U);
  EXPECT_DOUBLE_EQ(meta.pass_level, 0.999);
  EXPECT_NE(meta.command_line.find("edgesim validate --dist det --rho 0.5,1.2"), std::string::npos)
      << meta.command_line;
}

TEST(Validate, TableRowsAndSmithColumn) {
  // Exponential service: Smith's approximation is exact for M/M/1/K.
  test::TempDir dir;
  const std::string csv = dir.file("m.csv");
  auto result = test::run_edgesim({"validate", "--dist", "exp", "--rho", "0.9", "--K", "1", "3", "--reps", "3",
                                   "--requests", "2000", "-q", "--csv", csv},
                                  300);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 2U);
  for (const auto& row : rows)
    EXPECT_NEAR(num(row, "smith_loss"), num(row, "exact_loss"), 1e-12);
  EXPECT_NE(result.out.find("exp       0.90    1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("exp       0.90    3"), std::string::npos) << result.out;
}

TEST(Validate, BadArgumentsExitOneWithOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"validate", "--dist", "bogus"},  {"validate", "--dist", "erlang0"}, {"validate", "--rho", "0"},
      {"validate", "--rho", "0.5,-1"},  {"validate", "--rho", "-1"},       {"validate", "--rho", "abc"},
      {"validate", "--K", "0"},         {"validate", "--K", "2,1.5"},      {"validate", "--reps", "1"},
      {"validate", "--requests", "10"}, {"validate", "--jobs", "0"},
  };
  for (const auto& args : cases) {
    auto result = test::run_edgesim(args, 60);
    SCOPED_TRACE(args[1] + " " + args[2]);
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_EQ(result.err.rfind("edgesim validate: error: ", 0), 0U) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
  }
  auto usage = test::run_edgesim({"validate", "--no-such-option"}, 60);
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

TEST(Validate, FailingReplicationIsARuntimeFailure) {
  // Every child rejects the SimGrid option: validate names the replication, exits 3 and
  // writes nothing.
  test::TempDir dir;
  const std::string h5 = dir.file("f.h5");
  auto result = test::run_edgesim(
      {"validate", "--rho", "0.5", "--K", "1", "--reps", "2", "--requests", "100", "-q", "-o", h5, "--cfg=no/such:1"},
      120);
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_NE(result.err.find("edgesim validate: runtime failure: replication dist exp rho 0.5 K 1 seed"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("no/such"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(h5));
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Validate, InterruptedValidationResumesToTheSameTable) {
  // Stopped once a few replications are journaled, then resumed (in fresh processes this
  // time): the table is the one an uninterrupted validation writes, and no journal stays.
  test::TempDir dir;
  const std::vector<std::string> grid{"validate", "--rho", "0.5,0.9",    "--K", "1,4",
                                      "--reps",   "4",     "--requests", "4000"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = grid;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::string csv = dir.file("resumed.csv");
  const std::string journal = csv + ".journal";
  {
    test::BackgroundRun run(with({"--jobs", "1", "--csv", csv}));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    // The identity record, then at least two summaries of about a kilobyte each.
    while (std::chrono::steady_clock::now() < deadline &&
           !(std::filesystem::exists(journal) && std::filesystem::file_size(journal) > 2500))
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    run.signal(SIGINT);
    EXPECT_EQ(run.wait(), 3) << run.err();
    EXPECT_NE(run.err().find("rerun with --resume"), std::string::npos) << run.err();
  }
  EXPECT_FALSE(std::filesystem::exists(csv));
  ASSERT_TRUE(std::filesystem::exists(journal));
  const std::string other = dir.file("other.csv");
  std::filesystem::copy_file(journal, other + ".journal");
  const auto resumed = test::run_edgesim(with({"--csv", csv, "--resume", "--spawn", "exec", "-q"}), 300);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_FALSE(std::filesystem::exists(journal));
  const auto straight = test::run_edgesim(with({"--csv", dir.file("straight.csv"), "-q"}), 300);
  ASSERT_EQ(straight.exit_code, 0) << straight.err;
  EXPECT_EQ(file_text(csv), file_text(dir.file("straight.csv")));

  // The journal of another grid is not taken.
  std::vector<std::string> other_grid = grid;
  other_grid[4] = "1,5";
  other_grid.insert(other_grid.end(), {"--csv", other, "--resume", "-q"});
  const auto mixed = test::run_edgesim(other_grid, 60);
  EXPECT_EQ(mixed.exit_code, 1) << mixed.err;
  EXPECT_NE(mixed.err.find("belongs to a different"), std::string::npos) << mixed.err;
}

TEST(Validate, ServiceLawsMatchWhatTheSimulatorDraws) {
  // h2: the balanced-means hyperexponential work law (policies/work/phase_type.cpp), scv 4, mean E[S].
  const auto h2 = validate::parse_service("h2").distribution();
  EXPECT_NEAR(h2.mean(), validate::kMeanService, 1e-15);
  EXPECT_NEAR(h2.scv(), validate::kH2Scv, 1e-12);
  const auto erlang = validate::parse_service("erlang3").distribution();
  EXPECT_NEAR(erlang.scv(), 1.0 / 3, 1e-12);
  EXPECT_EQ(validate::parse_service("erlang3").name(), "erlang3");
  const auto exits = validate::parse_service("exits").distribution();
  EXPECT_NEAR(exits.mean(), 0.3 * 0.004 + 0.3 * 0.008 + 0.4 * 0.014, 1e-15);
  EXPECT_NEAR(validate::student_t_quantile(0.999, 9), 4.781, 1e-3);
  EXPECT_NEAR(validate::student_t_quantile(0.95, 3), 3.182, 1e-3);
  const auto [lo, hi] = validate::clopper_pearson(0, 1000, 0.95);
  EXPECT_EQ(lo, 0);
  EXPECT_NEAR(hi, 0.00368, 1e-5);
}

} // namespace
} // namespace edgesim
