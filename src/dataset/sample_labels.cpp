#include "dataset/sample_labels.hpp"

#include <edgesim/error.hpp>

#include "io/record_schema.hpp"
#include "io/run_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace edgesim::dataset {
namespace {

constexpr std::array<std::string_view, 11> kChainTargets = {
    "throughput", "latency_mean", "latency_p50",        "latency_p95", "latency_p99", "loss_ratio",
    "energy_j",   "accuracy",     "effective_accuracy", "offered",     "served"};
constexpr std::array<std::string_view, 5> kDeviceTargets = {"energy_j", "busy_fraction", "mean_queue", "served",
                                                            "lost"};
static_assert(std::ranges::all_of(kChainTargets, io::has_column<SummaryRow>),
              "a chain target is not a /summary column");
static_assert(std::ranges::all_of(kDeviceTargets, io::has_column<HostRecord>),
              "a device target is not a /hosts column");

/// The target columns of `record`, appended to `out` in the order of `targets`.
template <class Record>
void append_targets(std::vector<double>& out, const Record& record, std::span<const std::string_view> targets) {
  for (const std::string_view target : targets)
    out.push_back(*io::numeric_column(record, target));
}

template <class T> void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <class T> T take(std::string_view& in) {
  if (in.size() < sizeof(T))
    throw RuntimeError("dataset journal: truncated label record");
  T value;
  std::memcpy(&value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return value;
}

} // namespace

std::span<const std::string_view> chain_target_columns() {
  return kChainTargets;
}

std::span<const std::string_view> device_target_columns() {
  return kDeviceTargets;
}

SampleLabels run_labels(const RunSummary& run, double wall_seconds, std::string_view where, std::uint64_t index,
                        std::size_t chains, std::size_t devices) {
  if (run.rows.size() != chains + 1 || run.hosts.size() != devices)
    throw RuntimeError(fmt::format("{}: expected {} tenants and {} hosts, found {} summary rows and {} hosts", where,
                                   chains, devices, run.rows.size(), run.hosts.size()));
  SampleLabels labels;
  labels.index = index;
  labels.wall_seconds = wall_seconds;
  labels.chains = chains;
  labels.devices = devices;
  for (std::size_t c = 0; c < chains; ++c)
    append_targets(labels.chain_targets, run.rows[c], kChainTargets);
  for (const HostRecord& h : run.hosts)
    append_targets(labels.device_targets, h, kDeviceTargets);
  return labels;
}

SampleLabels read_run_labels(const std::filesystem::path& run_file, std::uint64_t index, std::size_t chains,
                             std::size_t devices) {
  RunSummary run;
  run.rows = io::read_summary(run_file);
  run.hosts = io::read_hosts(run_file);
  return run_labels(run, io::read_meta(run_file).wall_seconds, run_file.string(), index, chains, devices);
}

std::string encode_labels(const SampleLabels& labels) {
  std::string out;
  put<std::uint64_t>(out, labels.index);
  put<double>(out, labels.wall_seconds);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(labels.chains));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(labels.devices));
  for (double v : labels.chain_targets)
    put<double>(out, v);
  for (double v : labels.device_targets)
    put<double>(out, v);
  return out;
}

SampleLabels decode_labels(std::string_view payload) {
  SampleLabels labels;
  labels.index = take<std::uint64_t>(payload);
  labels.wall_seconds = take<double>(payload);
  labels.chains = take<std::uint32_t>(payload);
  labels.devices = take<std::uint32_t>(payload);
  const std::size_t values = labels.chains * kChainTargets.size() + labels.devices * kDeviceTargets.size();
  if (payload.size() != values * sizeof(double))
    throw RuntimeError("dataset journal: label record of the wrong length");
  for (std::size_t i = 0; i < labels.chains * kChainTargets.size(); ++i)
    labels.chain_targets.push_back(take<double>(payload));
  for (std::size_t i = 0; i < labels.devices * kDeviceTargets.size(); ++i)
    labels.device_targets.push_back(take<double>(payload));
  return labels;
}

} // namespace edgesim::dataset
