// `edgesim validate`: the simulator against the exact M/G/1/K queue (docs/architecture.md "Process model",
// docs/cli.md). Every replication of every (rho, K) point is one `edgesim run` in a child process of this binary (one
// SimGrid engine per process), at most --jobs at once.
#include "cli.hpp"
#include "command_options.hpp"

#include <edgesim/error.hpp>

#include "io/summary_json.hpp"
#include "sweep/progress.hpp"
#include "util/child_process.hpp"
#include "util/scratch_dir.hpp"
#include "util/stop_signals.hpp"
#include "validate/validation.hpp"
#include "validate_runner.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <thread>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace edgesim::cli {
namespace {

struct Task {
  std::size_t point = 0;
  std::uint64_t seed = 0;
};

struct Point {
  double rho = 0;
  int K = 0;
  fs::path scenario;
  std::vector<validate::Replication> replications;
};

// ----- table -------------------------------------------------------------------------

std::string table_header(double pass_level) {
  const std::string ok = fmt::format("in{:g}%", pass_level * 100);
  return fmt::format("{:<8} {:>5} {:>4}  {:>21}  {:>9}  {:>9}  {:>8}  {:<7}  {:>19}  {:>9}  {:>8}  {}\n", "dist", "rho",
                     "K", "sim loss ± 95%", "exact", "smith", "|err|", ok, "sim T ms ± 95%", "exact ms", "|err| ms",
                     ok);
}

std::string table_row(const validate::ValidationRow& r) {
  const std::string smith = std::isnan(r.smith_loss) ? "-" : fmt::format("{:.6f}", r.smith_loss);
  return fmt::format(
      "{:<8} {:>5.2f} {:>4}  {:>10.6f} ± {:<8.6f}  {:>9.6f}  {:>9}  {:>8.2e}  {:<7}  {:>9.3f} ± {:<7.3f}  {:>9.3f}  "
      "{:>8.3f}  {}\n",
      r.dist, r.rho, r.K, r.sim_loss, r.sim_loss_hw95, r.exact_loss, smith, r.loss_abs_err, r.loss_in_ci ? "yes" : "NO",
      r.sim_response * 1e3, r.sim_response_hw95 * 1e3, r.exact_response * 1e3, r.response_abs_err * 1e3,
      r.response_in_ci ? "yes" : "NO");
}

constexpr const char* kUsageLine = "edgesim validate [options]";
constexpr const char* kDescription =
    R"(Simulates one M/G/1/K station (Poisson arrivals at rate rho / E[S], capacity K including
the request in service, E[S] = 10 ms on a generated 1 Gflop/s host) for every (rho, K) of
the grid, R replications each (seeds S..S+R-1, each an `edgesim run` child process), and
compares the loss ratio and the mean response time with the exact M/G/1/K solution
(embedded Markov chain) and the Smith approximation of the loss.

The table prints 95 % Student-t half-widths. Pass/fail: each exact value must lie inside
its interval at --level (default 99.9 %, two-sided Student t over the replications; for
the loss, widened to the exact binomial interval of the pooled counts, which only matters
when too few losses were seen).)";

} // namespace

int cmd_validate(std::vector<std::string> args) {
  if (std::find(args.begin(), args.end(), "--network") != args.end())
    return cmd_validate_network(std::move(args));
  const std::vector<std::string> original_args = args;
  auto simgrid_args = take_simgrid_args(args);
  glue_negative_values(args, {"--rho", "--K"});

  std::string dist_text = "exp";
  std::vector<std::string> rho_tokens;
  std::vector<std::string> k_tokens;
  RunOptions run;
  auto& [reps, requests, jobs, output, csv, seed, level, resume, spawn] = run; // the names the code below reads
  po::options_description options = command_options();
  options.add_options()("dist", po::value(&dist_text),
                        "service law: det, exp (default), erlang<k>, h2 (scv 4), exits (3-exit mixture)")(
      "rho", po::value(&rho_tokens)->multitoken()->composing(),
      "loads, comma-separated (default 0.5,0.7,0.9,1.0,1.2,1.5)")("K", po::value(&k_tokens)->multitoken()->composing(),
                                                                  "capacities, comma-separated (default 1,2,5,10)");
  add_run_options(options, run, "arrivals per replication, >= 100 (default 20000)", "/validation");
  const auto parsed = parse_validate_args(args, options, kUsageLine, kDescription);
  if (!parsed)
    return kOk;
  const po::variables_map& vm = *parsed;
  const bool quiet = vm.count("quiet") != 0;

  const validate::ServiceSpec service = validate::parse_service(dist_text);
  const std::vector<double> rhos =
      rho_tokens.empty() ? std::vector<double>{0.5, 0.7, 0.9, 1.0, 1.2, 1.5} : validate::parse_rho_list(rho_tokens);
  const std::vector<int> capacities =
      k_tokens.empty() ? std::vector<int>{1, 2, 5, 10} : validate::parse_k_list(k_tokens);
  const unsigned job_count = check_run_options(reps, requests, vm.count("jobs") != 0, jobs, level, {output, csv});

  ScratchDir scratch("edgesim-validate-");
  const auto law = service.distribution();
  std::vector<Point> points;
  for (double rho : rhos) {
    for (int K : capacities) {
      Point point;
      point.rho = rho;
      point.K = K;
      point.scenario = validate::write_point_scenario(scratch.path(), fmt::format("p{}", points.size()), service,
                                                      rho / law.mean(), K, static_cast<std::uint64_t>(requests));
      points.push_back(std::move(point));
    }
  }
  std::vector<Task> tasks;
  for (std::size_t p = 0; p < points.size(); ++p)
    for (int r = 0; r < reps; ++r)
      tasks.push_back(Task{p, seed + static_cast<std::uint64_t>(r)});

  fmt::print("validate: M/G/1/K, service {} (E[S] = {:g} ms, scv {:g}), {} points x {} replications of {} requests, "
             "seeds {}..{}\n\n",
             service.name(), law.mean() * 1e3, law.scv(), points.size(), reps, requests, seed,
             seed + static_cast<std::uint64_t>(reps) - 1);
  std::cout << table_header(level) << std::flush;

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::optional<validate::ValidationRow>> rows(points.size());
  std::vector<int> remaining(points.size(), reps);
  std::size_t next_to_print = 0;
  std::vector<validate::ReplicationTask> run_tasks;
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const Point& point = points[tasks[t].point];
    run_tasks.push_back(validate::replication_task(
        point.scenario, tasks[t].seed, simgrid_args, scratch.path() / fmt::format("r{}.h5", t),
        fmt::format("dist {} rho {:g} K {} seed {}", service.name(), point.rho, point.K, tasks[t].seed)));
  }
  validate::ReplicationOptions replication = replication_options(run, job_count, quiet, "edgesim-validate.journal");
  replication.identity = fmt::format("M/G/1/K service {} requests {}", dist_text, requests);
  validate::run_replications(run_tasks, replication, [&](std::size_t t, const RunSummary& summary) {
    const Task task = tasks[t];
    const Point& point = points[task.point];
    points[task.point].replications.push_back(validate::replication_of(summary.rows.back(), task.seed));
    if (--remaining[task.point] > 0)
      return;
    auto& replications = points[task.point].replications;
    std::sort(replications.begin(), replications.end(), [](const auto& a, const auto& b) { return a.seed < b.seed; });
    rows[task.point] = validate::evaluate_point(service, point.rho, point.K, static_cast<std::uint64_t>(run.requests),
                                                replications, run.level);
    while (next_to_print < rows.size() && rows[next_to_print]) {
      std::cout << table_row(*rows[next_to_print]);
      ++next_to_print;
    }
    std::cout << std::flush;
  });

  std::vector<validate::ValidationRow> table;
  std::size_t inside = 0;
  for (const auto& row : rows) {
    table.push_back(*row);
    inside += (row->loss_in_ci ? 1U : 0U) + (row->response_in_ci ? 1U : 0U);
  }
  const std::size_t comparisons = 2 * table.size();
  const int exit_code = report_validation(
      ValidationTally{inside, comparisons, tasks.size(), start, job_count}, original_args, service.name(), run,
      [&](const fs::path& path, const validate::ValidationMeta& m) { validate::write_validation_hdf5(path, table, m); },
      [&](const fs::path& path) { validate::write_validation_csv(path, table); });
  validate::remove_journal(replication.journal);
  return exit_code;
}

} // namespace edgesim::cli
