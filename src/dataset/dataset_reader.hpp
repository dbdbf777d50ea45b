#pragma once
// Reads back a dataset file written by DatasetWriter: whole arrays (for tests and tools)
// and the generated inputs of one sample, so any sample can be re-simulated with
// `edgesim run` exactly as it was when the dataset was made.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace edgesim::dataset {

struct Matrix {
  std::size_t rows = 0;
  std::size_t columns = 0; // 1 for a one-dimensional dataset
  std::vector<double> values;
  std::vector<std::string> names; // the `columns` attribute, when present
  [[nodiscard]] double at(std::size_t row, std::size_t column) const { return values[row * columns + column]; }
  [[nodiscard]] std::size_t column(const std::string& name) const; // throws RuntimeError if absent
};

/// Any numeric dataset of the file, converted to double.
[[nodiscard]] Matrix read_dataset_matrix(const std::filesystem::path& file, const std::string& dataset);

struct ExtractedSample {
  std::uint64_t index = 0; // sample index (row `row` of the file)
  std::filesystem::path scenario;
  std::filesystem::path platform;
};

/// Writes the scenario, platform and model files of the sample in row `row` into
/// `directory` (created if needed) under the names the scenario refers to.
ExtractedSample extract_sample(const std::filesystem::path& file, std::size_t row,
                               const std::filesystem::path& directory);

} // namespace edgesim::dataset
