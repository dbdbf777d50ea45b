#pragma once
// The labels of one dataset sample, taken from the summary of its run:
// per chain (tenant) and per device (host) targets, in the column orders below. Encoded
// as raw doubles for the resumable journal, so a resumed dataset holds bit-identical
// labels.
#include <edgesim/results.hpp>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::dataset {

/// Column names of the per-chain and per-device targets.
[[nodiscard]] std::span<const std::string_view> chain_target_columns();
[[nodiscard]] std::span<const std::string_view> device_target_columns();

struct SampleLabels {
  std::uint64_t index = 0;
  double wall_seconds = 0; // of the child run
  std::size_t chains = 0;
  std::size_t devices = 0;
  std::vector<double> chain_targets;  // chains x chain_target_columns()
  std::vector<double> device_targets; // devices x device_target_columns()
};

/// The labels of a run's summary: its rows (one per tenant, then "all") and hosts (sorted
/// by name, which is device order). `where` names the run in the RuntimeError thrown when
/// the counts do not match.
[[nodiscard]] SampleLabels run_labels(const RunSummary& run, double wall_seconds, std::string_view where,
                                      std::uint64_t index, std::size_t chains, std::size_t devices);

/// run_labels() of a run file's /summary and /hosts (wall time from its /meta).
[[nodiscard]] SampleLabels read_run_labels(const std::filesystem::path& run_file, std::uint64_t index,
                                           std::size_t chains, std::size_t devices);

[[nodiscard]] std::string encode_labels(const SampleLabels& labels);
/// Throws RuntimeError for a payload that is not an encode_labels() result.
[[nodiscard]] SampleLabels decode_labels(std::string_view payload);

} // namespace edgesim::dataset
