#include "validate/replication_runner.hpp"

#include <edgesim/error.hpp>

#include "io/summary_json.hpp"
#include "sweep/progress.hpp"
#include "sweep/result_journal.hpp"
#include "util/fnv1a.hpp"
#include "util/stop_signals.hpp"

#include <fmt/format.h>

#include <csignal>
#include <set>

namespace edgesim::validate {
namespace fs = std::filesystem;

ReplicationTask replication_task(const fs::path& scenario, std::uint64_t seed,
                                 const std::vector<std::string>& engine_args, const fs::path& run_file,
                                 std::string where) {
  ReplicationTask task;
  task.request.scenario = scenario;
  task.request.seed = seed;
  task.request.trace_requests = false;
  task.request.output = run_file;
  task.request.engine_args = engine_args;
  task.where = std::move(where);
  return task;
}

std::string replication_identity(const std::vector<ReplicationTask>& tasks, std::string_view identity) {
  std::string text = fmt::format("edgesim validate 1\n{}\n", identity);
  for (const ReplicationTask& task : tasks) {
    const run::RunRequest& r = task.request;
    text += fmt::format("{} seed {}", task.where, r.seed.value_or(0));
    for (const std::string& o : r.overrides)
      text += " set " + o;
    for (const std::string& e : r.engine_args)
      text += " engine " + e;
    text += '\n';
  }
  return fmt::format("edgesim-validate {:016x} ({} replications)", fnv1a(text), tasks.size());
}

void run_replications(const std::vector<ReplicationTask>& tasks, const ReplicationOptions& options,
                      const std::function<void(std::size_t, const RunSummary&)>& on_done) {
  sweep::ResultJournal journal(options.journal, replication_identity(tasks, options.identity), options.resume);
  std::set<std::size_t> recorded;
  for (const auto& [key, payload] : journal.recovered())
    if (key < tasks.size() && recorded.insert(key).second)
      on_done(key, io::parse_run_summary_json(payload));

  sweep::ProgressOptions progress_options;
  progress_options.label = "validate";
  progress_options.unit = "runs";
  progress_options.enabled = !options.quiet;
  sweep::ProgressReporter progress(tasks.size(), progress_options);
  progress.report(recorded.size(), 0);
  std::string failure;
  bool forwarded_stop = false;
  StopSignals::reset();
  StopSignals signals;
  run::RunLauncher launcher(options.jobs, options.spawn);
  auto stop_children = [&] {
    launcher.clear_queue();
    launcher.signal_running(SIGTERM);
  };
  launcher.set_interrupt_handler([&] {
    if (StopSignals::requested() && !forwarded_stop) {
      forwarded_stop = true;
      stop_children();
    }
  });
  for (std::size_t t = 0; t < tasks.size(); ++t)
    if (recorded.count(t) == 0)
      launcher.submit(t, tasks[t].request);
  while (auto finished = launcher.next()) {
    const auto& [t, result] = *finished;
    std::error_code ec;
    fs::remove(tasks[t].request.output, ec);
    if (!result.ok()) {
      if (failure.empty() && !StopSignals::requested()) {
        failure = fmt::format("replication {} failed ({}){}{}", tasks[t].where, result.failure,
                              result.message.empty() ? "" : ": ", result.message);
        stop_children();
      }
      continue;
    }
    if (!failure.empty())
      continue;
    journal.append(t, result.summary_json);
    try {
      progress.clear();
      on_done(t, result.summary);
    } catch (const RuntimeError& e) {
      failure = fmt::format("replication {}: {}", tasks[t].where, e.what());
      stop_children();
      continue;
    }
    recorded.insert(t);
    progress.report(recorded.size(), 0);
  }
  progress.clear();
  const std::string kept = fmt::format("{} of {} replications kept in {}; rerun with --resume", recorded.size(),
                                       tasks.size(), journal.path().string());
  if (!failure.empty())
    throw RuntimeError(fmt::format("{} ({})", failure, kept));
  if (StopSignals::requested())
    throw RuntimeError(fmt::format("validate interrupted; no output written ({})", kept));
}

void remove_journal(const fs::path& journal) {
  std::error_code ec;
  fs::remove(journal, ec);
}

} // namespace edgesim::validate
