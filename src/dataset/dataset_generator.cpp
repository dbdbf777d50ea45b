#include "dataset/dataset_generator.hpp"

#include <edgesim/error.hpp>

#include "dataset/chainnet_writer.hpp"
#include "dataset/dataset_writer.hpp"
#include "dataset/device_library.hpp"
#include "dataset/sample_generator.hpp"
#include "dataset/sample_labels.hpp"
#include "run/run_launcher.hpp"
#include "sweep/progress.hpp"
#include "sweep/result_journal.hpp"
#include "util/fnv1a.hpp"
#include "util/scratch_dir.hpp"

#include <fmt/format.h>

#include <csignal>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>

namespace edgesim::dataset {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    throw RuntimeError(fmt::format("{}: cannot write", path.string()));
}

/// FNV-1a of the spec text: the journal's identity ties it to one spec and sample set.
std::string journal_identity(const DatasetSpec& spec, const GenerateOptions& options) {
  return fmt::format("edgesim-dataset spec={:016x} samples={} shard={}/{}", fnv1a(spec.text), options.samples,
                     options.shard_index, options.shard_count);
}

/// What the simulation phase needs, whichever pool runs the children.
struct SimulationContext {
  const GenerateOptions& options;
  const DatasetSpec& spec;
  const std::vector<DeviceKind>& library;
  const std::vector<DatasetModel>& models;
  const std::vector<std::uint64_t>& todo;
  const fs::path& scratch;
  sweep::ResultJournal& journal;
  sweep::ProgressReporter& progress;
};

struct SimulationOutcome {
  std::uint64_t simulated = 0;
  bool stopped = false;
  std::string failure;
};

/// Simulates the samples of `todo` on `pool`, journaling each one's labels as it
/// finishes. Stops at the first failure or interruption.
SimulationOutcome simulate_samples(run::RunLauncher& pool, const SimulationContext& ctx) {
  SimulationOutcome result;
  bool& stopping = result.stopped;
  std::string& failure = result.failure;
  auto check_stop = [&] {
    if (!stopping && ctx.options.interrupted && ctx.options.interrupted()) {
      stopping = true;
      pool.clear_queue();
      pool.signal_running(SIGTERM);
    }
  };
  pool.set_interrupt_handler(check_stop);
  std::map<std::uint64_t, std::pair<std::size_t, std::size_t>> shapes; // index -> (chains, devices)
  std::size_t next = 0;
  // Keep a couple of samples per job queued, so input files exist only for those.
  auto refill = [&] {
    while (!stopping && failure.empty() && next < ctx.todo.size() &&
           pool.running() + pool.queued() < 2 * std::size_t{pool.jobs()}) {
      const std::uint64_t index = ctx.todo[next++];
      const Sample sample = draw_sample(ctx.spec, ctx.library, ctx.models, index);
      write_file(ctx.scratch / platform_file_name(index), platform_xml(sample, ctx.library, ctx.spec));
      write_file(ctx.scratch / scenario_file_name(index), scenario_toml(sample, ctx.models, ctx.spec));
      shapes[index] = {sample.chains.size(), sample.devices.size()};
      run::RunRequest request;
      request.scenario = scenario_file_name(index);
      request.output = fmt::format("s{:07}.h5", index);
      request.trace_requests = false; // labels come from the summary
      request.engine_args = ctx.options.simgrid_args;
      request.working_dir = ctx.scratch;
      pool.submit(index, request);
    }
  };
  refill();
  while (auto finished = pool.next()) {
    check_stop();
    const auto& [index, outcome] = *finished;
    const fs::path run_file = ctx.scratch / fmt::format("s{:07}.h5", index);
    const auto [chains, devices] = shapes.at(index);
    shapes.erase(index);
    if (!outcome.ok()) {
      if (failure.empty() && !stopping) {
        failure = fmt::format("sample {} failed ({}){}{}", index, outcome.failure, outcome.message.empty() ? "" : ": ",
                              outcome.message);
        pool.clear_queue();
      }
    } else if (failure.empty()) {
      const SampleLabels labels =
          run_labels(outcome.summary, outcome.wall_seconds, fmt::format("sample {}", index), index, chains, devices);
      ctx.journal.append(index, encode_labels(labels));
      ++result.simulated;
    }
    std::error_code ec;
    for (const fs::path& file :
         {run_file, ctx.scratch / platform_file_name(index), ctx.scratch / scenario_file_name(index)})
      fs::remove(file, ec);
    ctx.progress.report(result.simulated, 0);
    refill();
  }
  return result;
}

} // namespace

fs::path chainnet_directory_for(const fs::path& output) {
  return output.parent_path() / (output.stem().string() + "_chainnet");
}

GenerateResult generate_dataset(const GenerateOptions& options) {
  const DatasetSpec spec = load_dataset_spec(options.spec_file);
  const std::vector<DeviceKind> library = load_device_library(spec.library_file, spec.kinds, spec.file);
  const std::vector<DatasetModel> models = load_dataset_models(spec);
  if (options.samples == 0)
    throw InputError("--samples: expected at least 1 sample");
  // A spec whose draws cannot fit in RAM fails here, before any child runs.
  (void)draw_sample(spec, library, models, options.shard_index);

  GenerateResult result;
  sweep::ResultJournal journal(sweep::ResultJournal::path_for(options.output), journal_identity(spec, options),
                               options.resume);
  std::vector<bool> done(options.samples, false);
  for (const auto& [key, payload] : journal.recovered()) {
    if (key < options.samples && !done[key]) {
      done[key] = true;
      ++result.resumed;
    }
  }
  std::vector<std::uint64_t> todo;
  std::uint64_t in_shard = 0;
  for (std::uint64_t i = options.shard_index; i < options.samples; i += options.shard_count) {
    ++in_shard;
    if (!done[i])
      todo.push_back(i);
  }

  ScratchDir scratch("edgesim-dataset-");
  fs::create_directories(scratch.path() / "models");
  for (const DatasetModel& model : models)
    write_file(scratch.path() / model.reference, model.text);

  sweep::ProgressOptions progress_options;
  progress_options.label = "dataset";
  progress_options.unit = "samples";
  progress_options.enabled = !options.quiet && !todo.empty();
  sweep::ProgressReporter progress(todo.size(), progress_options);

  const auto start = std::chrono::steady_clock::now();
  const SimulationContext context{options, spec, library, models, todo, scratch.path(), journal, progress};
  run::RunLauncher launcher(options.jobs, options.spawn);
  const SimulationOutcome outcome = simulate_samples(launcher, context);
  progress.finish();
  result.simulated = outcome.simulated;
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::uint64_t kept = result.simulated + result.resumed;
  if (!outcome.failure.empty())
    throw RuntimeError(fmt::format("{} ({} finished samples kept in {}; rerun with --resume)", outcome.failure, kept,
                                   journal.path().string()));
  if (outcome.stopped)
    throw RuntimeError(fmt::format("dataset interrupted; {} finished samples kept in {}; rerun with --resume", kept,
                                   journal.path().string()));

  // Every sample of the shard is journaled: write the file in sample order.
  auto [identity, records] = sweep::ResultJournal::read(journal.path());
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  DatasetMeta meta;
  meta.command_line = options.command_line;
  meta.created_at = options.created_at;
  meta.samples_requested = options.samples;
  meta.shard = fmt::format("{}/{}", options.shard_index, options.shard_count);
  DatasetWriter writer(options.output, spec, library, models, meta);
  std::optional<ChainNetWriter> chainnet;
  if (options.chainnet) {
    result.chainnet_dir = chainnet_directory_for(options.output);
    chainnet.emplace(result.chainnet_dir);
  }
  std::uint64_t previous = ~std::uint64_t{0};
  for (const auto& [key, payload] : records) {
    if (key == sweep::ResultJournal::kIdentityKey || key >= options.samples || key == previous ||
        key % options.shard_count != options.shard_index)
      continue;
    previous = key;
    const SampleLabels labels = decode_labels(payload);
    const Sample sample = draw_sample(spec, library, models, key);
    writer.append(sample, labels, scenario_toml(sample, models, spec), platform_xml(sample, library, spec));
    if (chainnet)
      chainnet->append(sample, labels);
    ++result.written;
  }
  if (result.written != in_shard)
    throw RuntimeError(fmt::format("{}: journal holds {} of the {} samples of this shard", journal.path().string(),
                                   result.written, in_shard));
  writer.commit();
  if (chainnet)
    chainnet->commit();
  journal.remove();
  return result;
}

} // namespace edgesim::dataset
