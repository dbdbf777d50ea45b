// `edgesim validate --network`: tandems of finite-buffer stations (one or more classes
// sharing each station) simulated against the exact Markov chain and two decompositions
// (src/validate/network_validation.hpp). Every replication is one `edgesim run` child.
#include "cli.hpp"
#include "command_options.hpp"

#include <edgesim/error.hpp>

#include "core/deployment.hpp"
#include "core/platform_probe.hpp"
#include "io/summary_json.hpp"
#include "scenario/scenario_loader.hpp"
#include "sweep/progress.hpp"
#include "util/child_process.hpp"
#include "util/scratch_dir.hpp"
#include "validate/network_validation.hpp"
#include "validate/table_files.hpp"
#include "validate_runner.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace edgesim::cli {
namespace {

std::vector<int> parse_int_list(const std::vector<std::string>& tokens, const char* option, int lo, int hi) {
  std::vector<int> values;
  for (const auto& text : validate::split_commas(tokens)) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi)
      throw InputError(
          fmt::format("{}: expected comma-separated integers in {}..{}, got \"{}\"", option, lo, hi, text));
    values.push_back(value);
  }
  if (values.empty())
    throw InputError(fmt::format("{}: expected comma-separated integers in {}..{}", option, lo, hi));
  return values;
}

std::string cell(double v, const char* format) {
  return std::isfinite(v) ? fmt::format(fmt::runtime(format), v) : std::string("-");
}

std::string table_header() {
  return fmt::format("{:<15} {:>2} {:>3} {:>5} {:>2} {:>3}  {:>19} {:>8} {:>8} {:>8} {:<3}  {:>17} {:>8} {:>8} {:>8} "
                     "{:<3}  {:>17} {:>8} {:>8} {:>8} {}\n",
                     "dist", "N", "K", "rho", "C", "st", "sim loss ± 95%", "exact", "poisson", "qna", "ok",
                     "sim X/s ± 95%", "exact", "poisson", "qna", "ok", "sim T ms ± 95%", "exact", "poisson", "qna",
                     "ok");
}

std::string table_row(const validate::NetworkValidationRow& r) {
  auto ok = [](bool in, double exact) { return std::isfinite(exact) ? (in ? "yes" : "NO") : "-"; };
  return fmt::format(
      "{:<15} {:>2} {:>3} {:>5.2f} {:>2} {:>3}  {:>8.5f} ± {:<8.5f} {:>8} {:>8} {:>8} {:<3}  {:>7.2f} ± "
      "{:<7.2f} {:>8} {:>8} {:>8} {:<3}  {:>7.3f} ± {:<7.3f} {:>8} {:>8} {:>8} {}\n",
      r.dist, r.stations, r.K, r.rho, r.classes, r.station == 0 ? std::string("e2e") : std::to_string(r.station),
      r.sim_loss, r.sim_loss_hw95, cell(r.exact_loss, "{:.5f}"), cell(r.poisson_loss, "{:.5f}"),
      cell(r.qna_loss, "{:.5f}"), ok(r.loss_in_ci, r.exact_loss), r.sim_throughput, r.sim_throughput_hw95,
      cell(r.exact_throughput, "{:.2f}"), cell(r.poisson_throughput, "{:.2f}"), cell(r.qna_throughput, "{:.2f}"),
      ok(r.throughput_in_ci, r.exact_throughput), r.sim_response * 1e3, r.sim_response_hw95 * 1e3,
      cell(r.exact_response * 1e3, "{:.3f}"), cell(r.poisson_response * 1e3, "{:.3f}"),
      cell(r.qna_response * 1e3, "{:.3f}"), ok(r.response_in_ci, r.exact_response));
}

constexpr const char* kUsageLine = "edgesim validate --network [options]";
constexpr const char* kDescription =
    R"(Simulates open tandems of N finite-buffer stations: C Poisson classes of equal rate enter
station 1 and visit stations 1..N; each station is one FCFS server whose capacity K
(requests in system) is shared by all classes, and a request finding a station full is
lost. Class c's mean service at station i is 10 ms x station scale (1, 1.25, 0.8, 1.1, ...)
x class scale (1, 2, 0.5, 1.5); rho is the load offered to station 1. For every
(N, K, rho, C) of the grid, R replications (seeds S..S+R-1), each an `edgesim run` child
process; per station and end to end, the loss, throughput and mean response time are set
against the exact continuous-time Markov chain (phase-type laws and at most 200,000
states; '-' otherwise), the Poisson decomposition (each station M/G/1/K fed by the thinned
stream before it) and a two-moment QNA-style decomposition (departure scv propagated,
Smith's loss). The end-to-end response is the sum of the stations' mean response times.

Pass/fail: every exact value inside its Student-t interval at --level (default 99.9 %,
widened by 1 % of the value for the finite runs' start-up bias).)";

struct NetworkPointRuns {
  validate::NetworkPoint point;
  std::optional<validate::ScenarioNetwork> from_scenario; // --scenario: the scenario's network
  std::vector<int> station_hosts;                         // the /hosts row of each station
  fs::path scenario;
  std::vector<validate::NetworkReplication> replications;
};

} // namespace

int cmd_validate_network(std::vector<std::string> args) {
  const std::vector<std::string> original_args = args;
  auto simgrid_args = take_simgrid_args(args);
  glue_negative_values(args, {"--rho", "--K", "--stations", "--classes"});

  std::string dist_text = "exp";
  std::vector<std::string> rho_tokens, k_tokens, station_tokens, class_tokens, station_dist_tokens, station_k_tokens;
  std::string scenario_file;
  RunOptions run;
  auto& [reps, requests, jobs, output, csv, seed, level, resume, spawn] = run; // the names the code below reads
  po::options_description options = command_options();
  options.add_options()("network", "(this mode)")(
      "dist", po::value(&dist_text), "service law at every station: det, exp (default), erlang<k>, h2 (scv 4)")(
      "stations", po::value(&station_tokens)->multitoken()->composing(),
      "numbers of stations N, comma-separated, 1..8 (default 2,3)")(
      "K", po::value(&k_tokens)->multitoken()->composing(), "capacities per station, comma-separated (default 2,5)")(
      "rho", po::value(&rho_tokens)->multitoken()->composing(),
      "loads offered to station 1, comma-separated (default 0.5,0.9,1.2)")(
      "classes", po::value(&class_tokens)->multitoken()->composing(),
      "numbers of classes sharing the stations, comma-separated, 1..4 (default 1)")(
      "station-dist", po::value(&station_dist_tokens)->multitoken()->composing(),
      "one tandem with these laws, station by station, comma-separated (instead of --dist and --stations)")(
      "station-K", po::value(&station_k_tokens)->multitoken()->composing(),
      "one tandem with these capacities, station by station, comma-separated (instead of --K and --stations)")(
      "scenario", po::value(&scenario_file),
      "the network of this scenario instead of a generated grid: its tenants as classes, its hosts as stations");
  add_run_options(options, run, "arrivals per replication, all classes, >= 100 (default 20000)", "/validation_network");
  const auto parsed = parse_validate_args(args, options, kUsageLine, kDescription);
  if (!parsed)
    return kOk;
  const po::variables_map& vm = *parsed;
  const bool quiet = vm.count("quiet") != 0;
  const validate::ServiceSpec service = validate::parse_service(dist_text);
  if (service.kind == validate::ServiceSpec::Kind::Exits)
    throw InputError("--dist: expected det, exp, erlang<k> or h2 for a network (exits is a single-station law)");
  const std::vector<double> rhos =
      rho_tokens.empty() ? std::vector<double>{0.5, 0.9, 1.2} : validate::parse_rho_list(rho_tokens);
  const std::vector<int> capacities = k_tokens.empty() ? std::vector<int>{2, 5} : validate::parse_k_list(k_tokens);
  const std::vector<int> station_counts = station_tokens.empty()
                                              ? std::vector<int>{2, 3}
                                              : parse_int_list(station_tokens, "--stations", 1, validate::kMaxStations);
  const std::vector<int> class_counts =
      class_tokens.empty() ? std::vector<int>{1} : parse_int_list(class_tokens, "--classes", 1, validate::kMaxClasses);
  const unsigned job_count = check_run_options(reps, requests, vm.count("jobs") != 0, jobs, level, {output, csv});
  // The tandem shapes: the grid of --stations x --K with one law, or one explicit tandem.
  std::vector<validate::NetworkPoint> shapes;
  if (station_dist_tokens.empty() && station_k_tokens.empty()) {
    for (int n : station_counts)
      for (int K : capacities)
        shapes.push_back(validate::NetworkPoint::uniform(service, n, K, 0, 1));
  } else {
    if (!station_tokens.empty())
      throw InputError("--stations: not with --station-dist/--station-K, whose lists give the number of stations");
    std::vector<validate::ServiceSpec> laws;
    for (const auto& text : validate::split_commas(station_dist_tokens)) {
      laws.push_back(validate::parse_service(text));
      if (laws.back().kind == validate::ServiceSpec::Kind::Exits)
        throw InputError("--station-dist: expected det, exp, erlang<k> or h2 (exits is a single-station law)");
    }
    const std::vector<int> ks =
        station_k_tokens.empty() ? std::vector<int>{} : parse_int_list(station_k_tokens, "--station-K", 1, 100000);
    const std::size_t n = std::max(laws.size(), ks.size());
    if (n > static_cast<std::size_t>(validate::kMaxStations) || (!laws.empty() && !ks.empty() && laws.size() != n) ||
        (!ks.empty() && ks.size() != n))
      throw InputError(fmt::format("--station-dist/--station-K: expected lists of the same length, at most {} "
                                   "stations",
                                   validate::kMaxStations));
    for (int K : ks.empty() ? capacities : std::vector<int>{0}) {
      validate::NetworkPoint shape;
      shape.services = laws.empty() ? std::vector<validate::ServiceSpec>(n, service) : laws;
      shape.capacities = ks.empty() ? std::vector<int>(n, K) : ks;
      shapes.push_back(std::move(shape));
    }
  }

  ScratchDir scratch("edgesim-validate-network-");
  std::vector<NetworkPointRuns> points;
  std::string identity = fmt::format("tandems service {} requests {}", dist_text, requests);
  if (!scenario_file.empty()) {
    for (const auto* grid :
         {&station_tokens, &k_tokens, &rho_tokens, &class_tokens, &station_dist_tokens, &station_k_tokens})
      if (!grid->empty())
        throw InputError("--scenario: the scenario gives the network; --stations, --K, --rho, --classes, "
                         "--station-dist and --station-K do not apply");
    shapes.clear();
    Scenario scenario = load_scenario(scenario_file, {});
    identity = "scenario\n" + scenario.text;
    const PlatformInfo platform =
        probe_platform(scenario.platform_file, simgrid_args, scenario.simulation.network_model, scenario.dynamics);
    const Deployment deployment = plan_deployment(scenario, platform);
    NetworkPointRuns p;
    p.from_scenario = validate::scenario_network(scenario, platform, deployment);
    p.station_hosts = p.from_scenario->station_hosts;
    p.scenario = fs::absolute(scenario_file);
    points.push_back(std::move(p));
  }
  for (const auto& shape : shapes)
    for (int classes : class_counts)
      for (double rho : rhos) {
        NetworkPointRuns p;
        p.point = shape;
        p.point.rho = rho;
        p.point.classes = classes;
        p.scenario = validate::write_network_scenario(scratch.path(), fmt::format("p{}", points.size()), p.point,
                                                      static_cast<std::uint64_t>(requests));
        for (int h = 0; h < p.point.stations(); ++h)
          p.station_hosts.push_back(h); // hosts s1..sN, in platform order
        points.push_back(std::move(p));
      }
  std::vector<validate::ReplicationTask> tasks;
  std::vector<std::size_t> task_point;
  for (std::size_t p = 0; p < points.size(); ++p)
    for (int r = 0; r < reps; ++r) {
      const auto& pt = points[p].point;
      const std::string what = points[p].from_scenario
                                   ? fmt::format("scenario {}", points[p].scenario.string())
                                   : fmt::format("tandem [{}] rho {:g} C {}", pt.describe(), pt.rho, pt.classes);
      const std::uint64_t replication_seed = seed + static_cast<std::uint64_t>(r);
      tasks.push_back(validate::replication_task(points[p].scenario, replication_seed, simgrid_args,
                                                 scratch.path() / fmt::format("r{}.h5", tasks.size()),
                                                 fmt::format("{} seed {}", what, replication_seed)));
      task_point.push_back(p);
    }

  if (!scenario_file.empty())
    fmt::print("validate --network --scenario {}: {} stations ({}), {} classes, {} replications, seeds {}..{}\n\n",
               scenario_file, points.front().station_hosts.size(), points.front().from_scenario->description,
               points.front().from_scenario->network.classes.size(), reps, seed,
               seed + static_cast<std::uint64_t>(reps) - 1);
  else
    fmt::print("validate --network: tandems of finite-buffer loss stations, service {}, {} points x {} replications "
               "of {} requests, seeds {}..{}\n\n",
               service.name(), points.size(), reps, requests, seed, seed + static_cast<std::uint64_t>(reps) - 1);
  std::cout << table_header() << std::flush;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::optional<std::vector<validate::NetworkValidationRow>>> rows(points.size());
  std::vector<int> remaining(points.size(), reps);
  std::size_t next_to_print = 0;
  validate::ReplicationOptions replication =
      replication_options(run, job_count, quiet, "edgesim-validate-network.journal");
  replication.identity = identity;
  validate::run_replications(tasks, replication, [&](std::size_t t, const RunSummary& summary) {
    const std::size_t p = task_point[t];
    auto& runs = points[p];
    runs.replications.push_back(validate::network_replication(summary, runs.station_hosts, *tasks[t].request.seed));
    if (--remaining[p] > 0)
      return;
    std::sort(runs.replications.begin(), runs.replications.end(),
              [](const auto& a, const auto& b) { return a.seed < b.seed; });
    rows[p] = runs.from_scenario
                  ? validate::evaluate_scenario_network(*runs.from_scenario, runs.replications, run.level)
                  : validate::evaluate_network_point(runs.point, runs.replications, run.level);
    while (next_to_print < rows.size() && rows[next_to_print]) {
      for (const auto& row : *rows[next_to_print])
        std::cout << table_row(row);
      ++next_to_print;
    }
    std::cout << std::flush;
  });

  std::vector<validate::NetworkValidationRow> table;
  std::size_t inside = 0;
  std::size_t comparisons = 0;
  for (const auto& point_rows : rows)
    for (const auto& row : *point_rows) {
      table.push_back(row);
      for (auto [in, exact] :
           {std::pair{row.loss_in_ci, row.exact_loss}, std::pair{row.throughput_in_ci, row.exact_throughput},
            std::pair{row.response_in_ci, row.exact_response}}) {
        if (!std::isfinite(exact))
          continue;
        ++comparisons;
        inside += in ? 1U : 0U;
      }
    }
  const int exit_code = report_validation(
      ValidationTally{inside, comparisons, tasks.size(), start, job_count}, original_args, service.name(), run,
      [&](const fs::path& path, const validate::ValidationMeta& m) {
        validate::write_network_validation_hdf5(path, table, m);
      },
      [&](const fs::path& path) { validate::write_network_validation_csv(path, table); });
  validate::remove_journal(replication.journal);
  return exit_code;
}

} // namespace edgesim::cli
