#include "dataset/sample_labels.hpp"

#include <edgesim/error.hpp>

#include "io/run_reader.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>

namespace edgesim::dataset {
namespace {

constexpr std::array<std::string_view, 11> kChainTargets = {
    "throughput", "latency_mean", "latency_p50",        "latency_p95", "latency_p99", "loss_ratio",
    "energy_j",   "accuracy",     "effective_accuracy", "offered",     "served"};
constexpr std::array<std::string_view, 5> kDeviceTargets = {"energy_j", "busy_fraction", "mean_queue", "served",
                                                            "lost"};

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

SampleLabels read_run_labels(const std::filesystem::path& run_file, std::uint64_t index, std::size_t chains,
                             std::size_t devices) {
  const auto summary = io::read_summary(run_file);
  const auto hosts = io::read_hosts(run_file);
  const auto meta = io::read_meta(run_file);
  if (summary.size() != chains + 1 || hosts.size() != devices)
    throw RuntimeError(fmt::format("{}: expected {} tenants and {} hosts, found {} summary rows and {} hosts",
                                   run_file.string(), chains, devices, summary.size(), hosts.size()));
  SampleLabels labels;
  labels.index = index;
  labels.wall_seconds = meta.wall_seconds;
  labels.chains = chains;
  labels.devices = devices;
  for (std::size_t c = 0; c < chains; ++c) {
    const SummaryRow& r = summary[c];
    for (double v :
         {r.throughput, r.latency_mean, r.latency_p50, r.latency_p95, r.latency_p99, r.loss_ratio, r.energy_j,
          r.accuracy, r.effective_accuracy, static_cast<double>(r.offered), static_cast<double>(r.served)})
      labels.chain_targets.push_back(v);
  }
  for (const HostRecord& h : hosts)
    for (double v :
         {h.energy_j, h.busy_fraction, h.mean_queue, static_cast<double>(h.served), static_cast<double>(h.lost)})
      labels.device_targets.push_back(v);
  return labels;
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
