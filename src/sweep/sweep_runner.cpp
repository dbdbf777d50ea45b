#include "sweep/sweep_runner.hpp"

#include "sweep/mpi_transport.hpp"
#include "sweep/progress.hpp"
#include "sweep/result_journal.hpp"
#include "sweep/run_record.hpp"
#include "sweep/sweep_file.hpp"
#include "util/scratch_dir.hpp"
#include "util/stop_signals.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <map>
#include <optional>

namespace edgesim::sweep {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// The recorded runs of a sweep: the journal, the in-memory table and checkpoints.
class SweepState {
public:
  SweepState(const SweepSpec& spec, const SweepOptions& options)
      : spec_(spec), options_(options), info_{spec, options.shard.text(), options.created_at},
        traces_dir_(options.traces ? fs::path(options.output.native() + ".traces") : fs::path()) {
    if (options.resume && fs::exists(options.output)) {
      SweepFileContents contents = read_sweep_file(options.output);
      if (contents.meta.at("sweep_id") != spec.id())
        throw InputError(fmt::format("{}: written by a different sweep (id {}, this command's sweep is {}); cannot "
                                     "--resume it: use the same scenario and options, or another -o",
                                     options.output.string(), contents.meta.at("sweep_id"), spec.id()));
      for (auto& record : contents.runs)
        add_recovered(std::move(record));
      recovered_from_output_ = records_.size();
    }
    journal_.emplace(ResultJournal::path_for(options.output), spec.id() + " shard " + options.shard.text(),
                     options.resume);
    for (const auto& [key, bytes] : journal_->recovered())
      add_recovered(decode(bytes));
    output_is_current_ = options.resume && fs::exists(options.output) && journal_->recovered().empty();
    if (!traces_dir_.empty())
      fs::create_directories(traces_dir_);
    last_checkpoint_ = Clock::now();
  }

  [[nodiscard]] bool has(std::uint64_t point, std::uint32_t rep) const { return records_.count(key(point, rep)) != 0; }
  [[nodiscard]] std::size_t size() const { return records_.size(); }
  [[nodiscard]] std::size_t failed() const { return failed_; }
  [[nodiscard]] const fs::path& traces_dir() const { return traces_dir_; }

  void add(RunRecord record) {
    journal_->append(key(record.point, record.rep), encode(record));
    failed_ += record.ok() ? 0 : 1;
    records_.emplace(key(record.point, record.rep), std::move(record));
    if (std::chrono::duration<double>(Clock::now() - last_checkpoint_).count() >= options_.checkpoint_seconds)
      write(false);
  }

  /// Rewrites the output atomically; `complete`: the journal (and trace files) are no
  /// longer needed once the file holds everything.
  void write(bool complete) {
    if (complete && output_is_current_ && records_.size() == recovered_from_output_) {
      // A resumed sweep that was already complete: rewriting would only lose /traces.
      journal_->remove();
      return;
    }
    std::vector<RunRecord> records;
    records.reserve(records_.size());
    for (const auto& [k, record] : records_)
      records.push_back(record);
    // Traces are copied into the final file only: checkpoints stay cheap.
    write_sweep_file(options_.output, info_, std::move(records), TraceSources{complete ? traces_dir_ : fs::path(), {}});
    last_checkpoint_ = Clock::now();
    if (complete) {
      journal_->remove();
      if (!traces_dir_.empty()) {
        std::error_code ec;
        fs::remove_all(traces_dir_, ec);
      }
    }
  }

private:
  [[nodiscard]] std::uint64_t key(std::uint64_t point, std::uint32_t rep) const { return point * spec_.reps + rep; }

  void add_recovered(RunRecord record) {
    if (record.point >= spec_.point_count() || record.rep >= spec_.reps || !options_.shard.contains(record.point))
      return; // not of this shard
    const auto k = key(record.point, record.rep);
    if (records_.count(k) == 0) {
      failed_ += record.ok() ? 0 : 1;
      records_.emplace(k, std::move(record));
    }
  }

  const SweepSpec& spec_;
  const SweepOptions& options_;
  SweepFileInfo info_;
  fs::path traces_dir_;
  std::map<std::uint64_t, RunRecord> records_;
  std::size_t failed_ = 0;
  std::size_t recovered_from_output_ = 0;
  bool output_is_current_ = false; // the output file holds every recorded run
  std::optional<ResultJournal> journal_;
  Clock::time_point last_checkpoint_;
};

} // namespace

run::RunRequest run_request(const SweepSpec& spec, const std::vector<std::string>& values, std::uint64_t point,
                            std::uint32_t rep, const fs::path& run_file, bool traces, double timeout_seconds) {
  run::RunRequest request;
  request.scenario = spec.scenario_file;
  request.seed = spec.seed_of(point, rep);
  request.output = run_file;
  request.trace_requests = traces;
  request.overrides = spec.overrides;
  for (std::size_t a = 0; a < spec.axes.size(); ++a)
    request.overrides.push_back(spec.axes[a].key + "=" + values.at(a));
  request.engine_args = spec.engine_args;
  request.timeout_seconds = timeout_seconds;
  return request;
}

int run_sweep(const SweepSpec& spec, const SweepOptions& options) {
  std::optional<MpiSession> mpi;
  if (options.mpi) {
    mpi.emplace();
    if (!mpi->is_coordinator())
      return mpi->work(spec, options);
  }

  SweepState state(spec, options);
  const auto values = spec.point_values();
  std::vector<RunTask> tasks;
  std::size_t total = 0;
  for (std::uint64_t p = 0; p < spec.point_count(); ++p) {
    if (!options.shard.contains(p))
      continue;
    for (std::uint32_t r = 0; r < spec.reps; ++r) {
      ++total;
      if (!state.has(p, r))
        tasks.push_back(RunTask{p, r});
    }
  }
  if (!options.quiet)
    fmt::print(stderr, "[sweep] {}: {} points x {} replications{}, {} runs to do{}{}\n", spec.id(),
               options.shard.size_of(spec.point_count()), spec.reps,
               options.shard.whole() ? "" : " in shard " + options.shard.text(), tasks.size(),
               state.size() > 0 ? fmt::format(" ({} already recorded)", state.size()) : "",
               options.mpi ? "" : fmt::format(", {} jobs", options.jobs));

  ProgressOptions progress_options;
  progress_options.enabled = !options.quiet;
  progress_options.unit = "runs";
  ProgressReporter progress(total, progress_options);
  progress.report(state.size(), state.failed());

  ScratchDir scratch("edgesim-sweep-");
  const auto run_file = [&](const RunTask& task) {
    return state.traces_dir().empty() ? trace_file(scratch.path(), task.point, task.rep)
                                      : trace_file(state.traces_dir(), task.point, task.rep);
  };
  const auto request_of = [&](const RunTask& task) {
    return run_request(spec, values[task.point], task.point, task.rep, run_file(task), options.traces,
                       options.timeout_seconds);
  };
  const auto record = [&](const RunTask& task, RunRecord result) {
    if (state.traces_dir().empty()) {
      std::error_code ec;
      fs::remove(run_file(task), ec);
    }
    state.add(std::move(result));
    progress.report(state.size(), state.failed());
  };

  StopSignals::reset();
  StopSignals signals;
  if (options.mpi) {
    mpi->coordinate(tasks, [&](std::size_t index, RunRecord result) { record(tasks[index], std::move(result)); });
  } else {
    run::RunLauncher launcher(options.jobs, options.spawn);
    bool stopping = false;
    launcher.set_interrupt_handler([&] {
      if (StopSignals::requested() && !stopping) {
        stopping = true;
        launcher.clear_queue();
        launcher.signal_running(SIGTERM);
      }
    });
    for (std::size_t t = 0; t < tasks.size(); ++t)
      launcher.submit(t, request_of(tasks[t]));
    while (auto finished = launcher.next()) {
      const RunTask& task = tasks[finished->first];
      RunRecord result = make_record(task.point, task.rep, spec.seed_of(task.point, task.rep), finished->second);
      if ((stopping || StopSignals::requested()) && !result.ok())
        continue; // stopped (by us, or by a Ctrl-C sent to the whole group): --resume runs it again
      record(task, std::move(result));
    }
  }
  progress.finish();

  const bool complete = state.size() == total;
  state.write(complete);
  if (!complete) {
    fmt::print(stderr, "[sweep] interrupted: {} of {} runs recorded in {}; rerun the command with --resume to finish\n",
               state.size(), total, options.output.string());
    return 3;
  }
  if (!options.quiet)
    fmt::print(stderr, "[sweep] wrote {} ({} runs, {} failed)\n", options.output.string(), total, state.failed());
  return state.failed() > 0 ? kSomeRunsFailed : 0;
}

void merge_sweep_files(const std::vector<fs::path>& inputs, const fs::path& output, const std::string& created_at) {
  if (inputs.empty())
    throw InputError("merge: expected at least one input file");
  std::optional<SweepSpec> spec;
  std::string first_id;
  std::map<std::uint64_t, std::pair<RunRecord, fs::path>> runs; // key -> record, file
  std::string duplicates;
  std::size_t duplicate_count = 0;
  for (const auto& input : inputs) {
    SweepFileContents contents = read_sweep_file(input);
    if (!spec) {
      spec = spec_from_meta(contents.meta);
      first_id = contents.meta.at("sweep_id");
    } else if (contents.meta.at("sweep_id") != first_id) {
      throw InputError(fmt::format("merge: {} and {} are shards of different sweeps (ids {} and {}): scenario, --set, "
                                   "--vary, design, replications and seed must all match",
                                   inputs.front().string(), input.string(), first_id, contents.meta.at("sweep_id")));
    }
    for (auto& record : contents.runs) {
      const std::uint64_t k = record.point * spec->reps + record.rep;
      auto [it, inserted] = runs.try_emplace(k, std::move(record), input);
      if (!inserted && ++duplicate_count <= 5)
        duplicates +=
            fmt::format("{}point {} rep {} (in {} and {})", duplicates.empty() ? "" : ", ", it->second.first.point,
                        it->second.first.rep, it->second.second.string(), input.string());
    }
  }
  if (duplicate_count > 0)
    throw InputError(fmt::format("merge: {} runs appear in more than one input: {}{}", duplicate_count, duplicates,
                                 duplicate_count > 5 ? ", ..." : ""));
  std::string missing;
  std::size_t missing_count = 0;
  for (std::uint64_t p = 0; p < spec->point_count(); ++p)
    for (std::uint32_t r = 0; r < spec->reps; ++r)
      if (runs.count(p * spec->reps + r) == 0 && ++missing_count <= 10)
        missing += fmt::format("{}point {} rep {}", missing.empty() ? "" : ", ", p, r);
  if (missing_count > 0)
    throw InputError(
        fmt::format("merge: {} of {} runs are missing (a shard not given, or not finished: resume it): {}{}",
                    missing_count, spec->run_count(), missing, missing_count > 10 ? ", ..." : ""));
  std::vector<RunRecord> records;
  records.reserve(runs.size());
  for (auto& [k, entry] : runs)
    records.push_back(std::move(entry.first));
  write_sweep_file(output, SweepFileInfo{*spec, "0/1", created_at}, std::move(records), TraceSources{{}, inputs});
}

} // namespace edgesim::sweep
