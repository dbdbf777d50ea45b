// `edgesim validate`: the simulator against the exact M/G/1/K queue (DESIGN §3, §4).
// Every replication of every (rho, K) point is one `edgesim run` in a child process of
// this binary (one SimGrid engine per process), at most --jobs at once.
#include "cli.hpp"

#include <edgesim/error.hpp>

#include "sweep/progress.hpp"
#include "util/child_process.hpp"
#include "util/scratch_dir.hpp"
#include "util/stop_signals.hpp"
#include "validate/validation.hpp"

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
#include <iostream>
#include <optional>
#include <thread>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace edgesim::cli {
namespace {

constexpr int kValidationMismatch = 4; // every child ran, but some exact value lies outside its interval

std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r'))
    trimmed.pop_back();
  const auto newline = trimmed.rfind('\n');
  return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

std::string command_line(const std::vector<std::string>& args) {
  std::string text = "edgesim validate";
  for (const auto& a : args) {
    const bool plain = !a.empty() && a.find_first_of(" \t\"'\\$`") == std::string::npos;
    text += " " + (plain ? a : "'" + a + "'");
  }
  return text;
}

/// `--rho -1` would reach Program_options as an option named "-1": glue a negative
/// number to its option so that it is rejected as a value (exit 1), not as usage.
void glue_negative_values(std::vector<std::string>& args) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    const std::string& next = args[i + 1];
    if ((args[i] == "--rho" || args[i] == "--K") && next.size() > 1 && next[0] == '-' &&
        (std::isdigit(static_cast<unsigned char>(next[1])) != 0 || next[1] == '.')) {
      args[i] += "=" + next;
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    }
  }
}

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

constexpr const char* kDescription = R"(edgesim validate [options]

Simulates one M/G/1/K station (Poisson arrivals at rate rho / E[S], capacity K including
the request in service, E[S] = 10 ms on a generated 1 Gflop/s host) for every (rho, K) of
the grid, R replications each (seeds S..S+R-1, each an `edgesim run` child process), and
compares the loss ratio and the mean response time with the exact M/G/1/K solution
(embedded Markov chain) and the Smith approximation of the loss.

The table prints 95 % Student-t half-widths. Pass/fail: each exact value must lie inside
its interval at --level (default 99.9 %, two-sided Student t over the replications; for
the loss, widened to the exact binomial interval of the pooled counts, which only matters
when too few losses were seen). Exit codes: 0 all inside, 4 some outside, 1 invalid
arguments, 2 usage error, 3 a replication failed or the run was interrupted.

options)";

} // namespace

int cmd_validate(std::vector<std::string> args) {
  const std::vector<std::string> original_args = args;
  auto simgrid_args = take_simgrid_args(args);
  glue_negative_values(args);

  std::string dist_text = "exp";
  std::vector<std::string> rho_tokens;
  std::vector<std::string> k_tokens;
  int reps = 10;
  long long requests = 20000;
  int jobs = 0;
  std::string output;
  std::string csv;
  std::uint64_t seed = 1;
  double level = validate::kDefaultPassLevel;
  po::options_description options(kDescription);
  options.add_options()("help,h", "show this help")(
      "dist", po::value(&dist_text), "service law: det, exp (default), erlang<k>, h2 (scv 4), exits (3-exit mixture)")(
      "rho", po::value(&rho_tokens)->multitoken()->composing(),
      "loads, comma-separated (default 0.5,0.7,0.9,1.0,1.2,1.5)")("K", po::value(&k_tokens)->multitoken()->composing(),
                                                                  "capacities, comma-separated (default 1,2,5,10)")(
      "reps", po::value(&reps), "replications per point, >= 2 (default 10)")(
      "requests", po::value(&requests), "arrivals per replication, >= 100 (default 20000)")(
      "jobs,j", po::value(&jobs), "child processes at once (default: number of cores)")(
      "output,o", po::value(&output), "write the table as HDF5 (dataset /validation)")(
      "csv", po::value(&csv), "write the table as CSV")("seed", po::value(&seed),
                                                        "seed of the first replication (default 1)")(
      "level", po::value(&level), "confidence level of the pass/fail intervals (default 0.999)")("quiet,q",
                                                                                                 "no progress lines");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help") != 0) {
    std::cout << options << "\nSimGrid options --cfg=KEY:VALUE and --log=... are passed to every run.\n";
    return kOk;
  }
  const bool quiet = vm.count("quiet") != 0;

  const validate::ServiceSpec service = validate::parse_service(dist_text);
  const std::vector<double> rhos =
      rho_tokens.empty() ? std::vector<double>{0.5, 0.7, 0.9, 1.0, 1.2, 1.5} : validate::parse_rho_list(rho_tokens);
  const std::vector<int> capacities =
      k_tokens.empty() ? std::vector<int>{1, 2, 5, 10} : validate::parse_k_list(k_tokens);
  if (reps < 2)
    throw InputError(fmt::format("--reps: expected at least 2 replications (an interval needs two), got {}", reps));
  if (requests < 100)
    throw InputError(fmt::format("--requests: expected at least 100 arrivals per replication, got {}", requests));
  if (vm.count("jobs") != 0 && jobs < 1)
    throw InputError(fmt::format("--jobs: expected at least 1, got {}", jobs));
  if (!(level > 0 && level < 1))
    throw InputError(fmt::format("--level: expected a confidence level in (0, 1), got {}", level));
  for (const std::string* file : {&output, &csv}) {
    if (file->empty())
      continue;
    const fs::path parent = fs::absolute(*file).parent_path();
    if (!fs::is_directory(parent))
      throw InputError(fmt::format("{}: directory {} does not exist", *file, parent.string()));
  }
  const unsigned job_count = vm.count("jobs") != 0 ? static_cast<unsigned>(jobs) : available_cores();

  const std::string exe = self_executable().string();
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
  std::size_t done = 0;
  sweep::ProgressOptions progress_options;
  progress_options.label = "validate";
  progress_options.unit = "runs";
  progress_options.enabled = !quiet;
  sweep::ProgressReporter progress(tasks.size(), progress_options);
  std::vector<std::optional<validate::ValidationRow>> rows(points.size());
  std::vector<int> remaining(points.size(), reps);
  std::size_t next_to_print = 0;
  std::string failure;
  bool forwarded_stop = false;
  StopSignals::reset();
  StopSignals signals;

  ChildPool pool(job_count);
  auto stop_children = [&] {
    pool.clear_queue();
    pool.signal_running(SIGTERM);
  };
  pool.set_interrupt_handler([&] {
    if (StopSignals::requested() && !forwarded_stop) {
      forwarded_stop = true;
      stop_children();
    }
  });
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const Task& task = tasks[t];
    std::vector<std::string> argv{exe,
                                  "run",
                                  points[task.point].scenario.string(),
                                  "--json",
                                  "-q",
                                  "--seed",
                                  std::to_string(task.seed),
                                  "--no-trace",
                                  "-o",
                                  (scratch.path() / fmt::format("p{}-s{}.h5", task.point, task.seed)).string()};
    argv.insert(argv.end(), simgrid_args.begin(), simgrid_args.end());
    ChildSpec spec;
    spec.argv = std::move(argv);
    pool.submit(t, std::move(spec));
  }

  while (auto finished = pool.next()) {
    const Task task = tasks[finished->first];
    const ChildOutcome& outcome = finished->second;
    const Point& point = points[task.point];
    const std::string where =
        fmt::format("dist {} rho {:g} K {} seed {}", service.name(), point.rho, point.K, task.seed);
    if (!outcome.ok()) {
      if (failure.empty() && !StopSignals::requested()) {
        const std::string err = last_line(outcome.err);
        failure =
            fmt::format("replication {} failed ({}){}{}", where, outcome.describe(), err.empty() ? "" : ": ", err);
        stop_children();
      }
      continue;
    }
    validate::Replication rep;
    try {
      rep = validate::parse_run_json(outcome.out, task.seed);
    } catch (const RuntimeError& e) {
      if (failure.empty()) {
        failure = fmt::format("replication {}: {}", where, e.what());
        stop_children();
      }
      continue;
    }
    std::error_code ec;
    fs::remove(scratch.path() / fmt::format("p{}-s{}.h5", task.point, task.seed), ec);
    points[task.point].replications.push_back(rep);
    ++done;
    if (--remaining[task.point] == 0) {
      auto& replications = points[task.point].replications;
      std::sort(replications.begin(), replications.end(), [](const auto& a, const auto& b) { return a.seed < b.seed; });
      rows[task.point] = validate::evaluate_point(service, point.rho, point.K, static_cast<std::uint64_t>(requests),
                                                  replications, level);
      progress.clear();
      while (next_to_print < rows.size() && rows[next_to_print]) {
        std::cout << table_row(*rows[next_to_print]);
        ++next_to_print;
      }
      std::cout << std::flush;
    }
    progress.report(done, 0);
  }
  progress.clear();
  if (!failure.empty())
    throw RuntimeError(failure);
  if (StopSignals::requested())
    throw RuntimeError("validate interrupted; no output written");

  std::vector<validate::ValidationRow> table;
  std::size_t inside = 0;
  for (const auto& row : rows) {
    table.push_back(*row);
    inside += (row->loss_in_ci ? 1U : 0U) + (row->response_in_ci ? 1U : 0U);
  }
  const std::size_t comparisons = 2 * table.size();
  const bool passed = inside == comparisons;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("\n{}: {}/{} exact values inside their {:g} % intervals ({} runs in {}, {} jobs)\n",
             passed ? "PASS" : "FAIL", inside, comparisons, level * 100, tasks.size(), sweep::duration_text(wall),
             job_count);

  validate::ValidationMeta meta;
  meta.command_line = command_line(original_args);
  meta.dist = service.name();
  meta.seed = seed;
  meta.reps = static_cast<std::uint32_t>(reps);
  meta.requests = static_cast<std::uint64_t>(requests);
  meta.pass_level = level;
  meta.passed = passed;
  meta.created_at = utc_now();
  if (!output.empty()) {
    validate::write_validation_hdf5(output, table, meta);
    fmt::print("wrote {}\n", output);
  }
  if (!csv.empty()) {
    validate::write_validation_csv(csv, table);
    fmt::print("wrote {}\n", csv);
  }
  return passed ? kOk : kValidationMismatch;
}

} // namespace edgesim::cli
