#pragma once
// Writes a GNN dataset file: per-type node tables, per-relation edge index arrays,
// per-graph CSR offsets, per-chain and per-device targets, and each sample's generated
// scenario and platform text (docs/guide.md, "Dataset file"). Samples are appended in index
// order and streamed to disk a chunk at a time; the file is written as OUT.tmp.PID and
// renamed by commit(), so a reader never sees a half-written dataset.
#include "dataset/dataset_spec.hpp"
#include "dataset/device_library.hpp"
#include "dataset/sample_generator.hpp"
#include "dataset/sample_labels.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::dataset {

[[nodiscard]] std::span<const std::string_view> device_feature_columns();
[[nodiscard]] std::span<const std::string_view> chain_feature_columns();
[[nodiscard]] std::span<const std::string_view> fragment_feature_columns();

/// Facts about the run stored as /meta attributes.
struct DatasetMeta {
  std::string command_line;
  std::string created_at;
  std::uint64_t samples_requested = 0;
  std::string shard = "0/1";
};

class DatasetWriter {
public:
  DatasetWriter(std::filesystem::path output, const DatasetSpec& spec, const std::vector<DeviceKind>& library,
                const std::vector<DatasetModel>& models, const DatasetMeta& meta);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  void append(const Sample& sample, const SampleLabels& labels, std::string_view scenario_text,
              std::string_view platform_text);
  /// Flushes, closes and renames the temporary file onto the output.
  void commit();

private:
  void discard() noexcept; // closes and deletes the temporary file

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace edgesim::dataset
