// `bayesopt`: confidence thresholds, one per intermediate exit, tuned offline by
// Bayesian optimisation. When the policy is built, it simulates the scenario it belongs
// to `iterations` times for a short while, each time as a child `edgesim run` process
// in which this tenant uses `threshold` with candidate thresholds, scores each run from
// the tenant's JSON summary (effective accuracy minus a penalty on losses above a
// target), fits a Gaussian process to the scores and picks the next candidate by
// expected improvement (or UCB). The best thresholds seen are then applied with the
// `threshold` rule. See docs/exit-policy-bayesopt.md.
#include "config/toml_config.hpp"
#include "config/toml_text.hpp"
#include "policies/builtin.hpp"
#include "policies/exit/gaussian_process.hpp"
#include "policies/exit/threshold_policy.hpp"
#include "run/run_launcher.hpp"
#include "util/scratch_dir.hpp"

#include <edgesim/error.hpp>
#include <edgesim/random.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

extern char** environ; // NOLINT: POSIX

namespace edgesim {
namespace {

namespace fs = std::filesystem;

// Set in the environment of tuning runs. A tenant of such a run that also uses
// `bayesopt` (another tenant of the scenario, not yet tuned) takes the middle of its
// bounds instead of tuning, so tuning never recurses.
constexpr const char* kChildEnv = "EDGESIM_BAYESOPT_CHILD";

// ----- configuration ---------------------------------------------------------------

struct Settings {
  std::size_t iterations = 20;
  std::size_t initial = 5;
  double sim_duration = 60;
  std::int64_t sim_requests = 2000;
  double target_loss = 0.01;
  double loss_penalty = 10;
  double lo = 0.3;
  double hi = 1.0;
  bo::Acquisition acquisition = bo::Acquisition::ExpectedImprovement;
  double kappa = 2;
  bool common_random_numbers = true;
  std::string trace; // CSV of the evaluations, empty: none
};

Settings read_settings(const ConfigView& config) {
  config.require_only({"policy", "iterations", "initial", "sim_duration", "sim_requests", "target_loss", "loss_penalty",
                       "bounds", "acquisition", "kappa", "common_random_numbers", "trace"});
  Settings s;
  const std::int64_t iterations = config.get_int("iterations", 20);
  if (iterations < 1 || iterations > 10000)
    config.fail("iterations", "a number of tuning simulations in 1..10000");
  s.iterations = static_cast<std::size_t>(iterations);
  const std::int64_t initial = config.get_int("initial", std::min<std::int64_t>(5, iterations));
  if (initial < 1 || initial > iterations)
    config.fail("initial", fmt::format("a number of random initial points in 1..iterations ({})", iterations));
  s.initial = static_cast<std::size_t>(initial);
  s.sim_duration = config.get_seconds("sim_duration", 60.0);
  if (!(s.sim_duration > 0) || !std::isfinite(s.sim_duration))
    config.fail("sim_duration", "a positive finite duration (\"60s\")");
  s.sim_requests = config.get_int("sim_requests", 2000);
  if (s.sim_requests < 1)
    config.fail("sim_requests", "a positive number of requests per tenant");
  s.target_loss = config.get_double("target_loss", 0.01);
  if (!(s.target_loss >= 0 && s.target_loss <= 1))
    config.fail("target_loss", "a loss ratio in [0, 1]");
  s.loss_penalty = config.get_double("loss_penalty", 10.0);
  if (!(s.loss_penalty >= 0))
    config.fail("loss_penalty", "a non-negative weight");
  if (config.has("bounds")) {
    const auto bounds = config.get_double_array("bounds");
    if (bounds.size() != 2 || !(bounds[0] >= 0 && bounds[0] <= bounds[1] && bounds[1] <= 1))
      config.fail("bounds", "[lo, hi] with 0 <= lo <= hi <= 1 (the range of every threshold)");
    s.lo = bounds[0];
    s.hi = bounds[1];
  }
  const std::string acquisition = config.get_string("acquisition", "ei");
  if (acquisition == "ei")
    s.acquisition = bo::Acquisition::ExpectedImprovement;
  else if (acquisition == "ucb")
    s.acquisition = bo::Acquisition::UpperConfidenceBound;
  else
    config.fail("acquisition", "\"ei\" (expected improvement) or \"ucb\" (upper confidence bound)");
  if (config.has("kappa")) {
    if (s.acquisition != bo::Acquisition::UpperConfidenceBound)
      config.fail("kappa", "kappa only with acquisition = \"ucb\"");
    s.kappa = config.get_double("kappa");
    if (!(s.kappa >= 0))
      config.fail("kappa", "a non-negative exploration weight");
  }
  s.common_random_numbers = config.get_bool("common_random_numbers", s.common_random_numbers);
  if (config.has("trace")) {
    s.trace = config.get_string("trace");
    if (s.trace.empty())
      config.fail("trace", "a CSV file name");
  }
  return s;
}

// ----- tuning ----------------------------------------------------------------------

/// A TOML float: always with a decimal point or exponent.
std::string toml_float(double v) {
  std::string text = fmt::format("{:.17g}", v);
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

std::string toml_array(const std::vector<double>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i > 0 ? ", " : "") + toml_float(values[i]);
  return out + "]";
}

/// Thresholds already tuned in this process, per scenario text and tenant, so that a
/// later tenant's tuning runs use them for the earlier tenants.
std::map<std::pair<std::string, std::size_t>, std::vector<double>>& tuned_thresholds() {
  static std::map<std::pair<std::string, std::size_t>, std::vector<double>> tuned;
  return tuned;
}
std::mutex& tuned_mutex() {
  static std::mutex mutex;
  return mutex;
}

struct RunMetrics {
  double effective_accuracy = 0;
  double loss_ratio = 0;
  double objective = 0;
  std::int64_t seed = 0;
};

class Tuner {
public:
  Tuner(const ExitPolicyArgs& args, const Settings& settings) : args_(args), settings_(settings) {
    toml::table root;
    try {
      root = parse_toml_text(args.scenario_text, args.scenario_file);
    } catch (const InputError& e) {
      throw RuntimeError(fmt::format("bayesopt: cannot read back the scenario text: {}", e.what()));
    }
    const toml::table* simulation = root["simulation"].as_table();
    has_duration_ = simulation != nullptr && simulation->contains("duration");
    has_requests_ = simulation != nullptr && simulation->contains("requests");
    if (has_duration_ && simulation->contains("warmup")) {
      const ConfigView sim = config_view(*simulation, args.scenario_file, "simulation");
      const double warmup = sim.get_seconds("warmup");
      if (warmup >= settings.sim_duration)
        args.config.fail("sim_duration", fmt::format("a tuning duration longer than simulation.warmup ({} s)", warmup));
    }
    const auto* tenants = root["tenants"].as_array();
    const std::size_t tenant_count = tenants != nullptr ? tenants->size() : 0;
    if (args.tenant_index >= tenant_count)
      throw RuntimeError(
          fmt::format("{}: bayesopt: tenant {} is not in the scenario text", args.scenario_file, args.tenant_index));
    std::lock_guard lock(tuned_mutex());
    for (std::size_t j = 0; j < tenant_count; ++j) {
      auto it = tuned_thresholds().find({args.scenario_text, j});
      if (j != args.tenant_index && it != tuned_thresholds().end())
        pinned_.emplace_back(j, it->second);
    }
  }

  RunMetrics evaluate(const std::vector<double>& thresholds, std::size_t evaluation, const fs::path& scenario,
                      const fs::path& output) {
    const std::size_t i = args_.tenant_index;
    RunMetrics m;
    m.seed = static_cast<std::int64_t>(
        stream_seed(args_.seed, "bayesopt-run", settings_.common_random_numbers ? 0 : evaluation + 1) >> 34U);
    run::RunRequest request;
    request.scenario = scenario;
    request.base_dir = scenario_dir_;
    request.trace_requests = false;
    request.output = output;
    if (has_duration_ || !has_requests_)
      request.overrides.push_back(fmt::format("simulation.duration={}", toml_float(settings_.sim_duration)));
    if (has_requests_)
      request.overrides.push_back(fmt::format("simulation.requests={}", settings_.sim_requests));
    request.overrides.push_back(fmt::format("simulation.seed={}", m.seed));
    for (const auto& [j, pinned] : pinned_)
      request.overrides.push_back(
          fmt::format("tenants.{}.exits={{policy=\"threshold\", thresholds={}}}", j, toml_array(pinned)));
    request.overrides.push_back(
        fmt::format("tenants.{}.exits={{policy=\"threshold\", thresholds={}}}", i, toml_array(thresholds)));
    request.extra_env.push_back(std::string(kChildEnv) + "=1");

    // A fresh process, not a fork: this process runs a SimGrid engine (the one being set up).
    const run::RunResult child = run::run_in_fresh_process(request);
    std::error_code ec;
    fs::remove(output, ec);
    if (!child.ok()) {
      const std::string what = fmt::format("{}: a tuning run (edgesim run {}) failed ({}): {}",
                                           args_.config.where("policy"), fmt::join(run::run_arguments(request), " "),
                                           child.failure, child.message.empty() ? "no message" : child.message);
      if (child.exit_code == 1)
        throw InputError(what);
      throw RuntimeError(what);
    }
    const std::vector<SummaryRow>& summary = child.summary.rows;
    if (summary.size() < i + 2) // the tenants, then "all"
      throw RuntimeError(
          fmt::format("{}: a tuning run printed no summary for tenant {}", args_.config.where("policy"), i));
    const double accuracy = summary[i].effective_accuracy;
    const double loss = summary[i].loss_ratio;
    if (std::isnan(accuracy) || std::isnan(loss))
      args_.config.fail(has_duration_ || !has_requests_ ? "sim_duration" : "sim_requests",
                        fmt::format("tuning runs long enough for tenant {} to offer requests after the warm-up", i));
    m.effective_accuracy = accuracy;
    m.loss_ratio = loss;
    m.objective = accuracy - settings_.loss_penalty * std::max(0.0, loss - settings_.target_loss);
    return m;
  }

  std::vector<double> tune() {
    const std::size_t n = args_.model.exits.size();
    // The tuning runs' scenario copy and run file live in a private directory, never
    // next to the user's scenario; the copy's relative paths resolve against the
    // scenario's own directory (run --base-dir).
    const ScratchDir scratch(fmt::format("edgesim-bayesopt-{}-", getpid()), fs::temp_directory_path());
    const fs::path scenario = scratch.path() / "scenario.toml";
    {
      std::ofstream out(scenario);
      out << args_.scenario_text;
      out.close();
      if (!out)
        throw RuntimeError(
            fmt::format("{}: bayesopt: cannot write {}", args_.config.where("policy"), scenario.string()));
    }
    const fs::path output = scratch.path() / "run.h5";
    std::ofstream trace; // opened now, so that a bad name fails before the tuning runs
    if (!settings_.trace.empty()) {
      trace.open(settings_.trace);
      if (!trace)
        throw InputError(fmt::format("{}: cannot write {}", args_.config.where("trace"), settings_.trace));
    }

    std::vector<RunMetrics> runs;
    auto objective = [&](const bo::Point& x) {
      runs.push_back(evaluate(x, runs.size(), scenario, output));
      return runs.back().objective;
    };
    bo::OptimizerOptions options;
    options.initial = settings_.initial;
    options.acquisition = settings_.acquisition;
    options.kappa = settings_.kappa;
    const bo::Box box(n, bo::Interval{settings_.lo, settings_.hi});
    const auto result = bo::maximize(objective, box, settings_.iterations, args_.seed, options);
    if (trace.is_open())
      write_trace(trace, result, runs);
    return result.best_x;
  }

private:
  void write_trace(std::ofstream& out, const bo::OptimizationResult& result,
                   const std::vector<RunMetrics>& runs) const {
    const std::size_t n = args_.model.exits.size();
    out << "evaluation,seed";
    for (std::size_t e = 0; e < n; ++e)
      out << ",t" << e + 1;
    out << ",effective_accuracy,loss_ratio,objective,best\n";
    for (std::size_t k = 0; k < result.history.size(); ++k) {
      out << k << ',' << runs[k].seed;
      for (double t : result.history[k].x)
        out << ',' << fmt::format("{:.6f}", t);
      out << fmt::format(",{:.6f},{:.6f},{:.6f},{}\n", runs[k].effective_accuracy, runs[k].loss_ratio,
                         runs[k].objective, result.history[k].x == result.best_x ? 1 : 0);
    }
    out.close();
    if (!out)
      throw InputError(fmt::format("{}: cannot write {}", args_.config.where("trace"), settings_.trace));
  }

  const ExitPolicyArgs& args_;
  const Settings& settings_;
  std::string scenario_dir_ = args_.scenario_dir.empty()
                                  ? fs::absolute(fs::path(args_.scenario_file).parent_path()).string()
                                  : fs::absolute(args_.scenario_dir).string();
  bool has_duration_ = false;
  bool has_requests_ = false;
  std::vector<std::pair<std::size_t, std::vector<double>>> pinned_;
};

} // namespace

void register_exit_bayesopt(Registry& registry) {
  registry.add_exit_policy(
      "bayesopt", "thresholds tuned offline by Bayesian optimisation over short simulations of the scenario",
      [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
        const Settings settings = read_settings(args.config);
        const std::size_t n = args.model.exits.size();
        std::vector<double> thresholds(n, 0.5 * (settings.lo + settings.hi));
        // Nothing to tune: no intermediate exit, a single point (lo = hi), or a tuning
        // run of another tenant (which must not start tuning runs of its own).
        // `edgesim check` only validates: the settings above are checked, no tuning runs.
        const bool child = std::getenv(kChildEnv) != nullptr;
        if (n == 0 || settings.lo == settings.hi || child || args.check_only)
          return std::make_unique<ThresholdPolicy>(std::move(thresholds));
        if (args.scenario_file.empty() || args.scenario_text.empty())
          args.config.fail("policy", "a scenario to tune against: bayesopt simulates the scenario it runs in, and "
                                     "this caller gave none (use bounds = [t, t] for fixed thresholds)");
        Tuner tuner(args, settings);
        thresholds = tuner.tune();
        {
          std::lock_guard lock(tuned_mutex());
          tuned_thresholds()[{args.scenario_text, args.tenant_index}] = thresholds;
        }
        return std::make_unique<ThresholdPolicy>(std::move(thresholds));
      });
}

} // namespace edgesim
