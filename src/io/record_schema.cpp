#include "io/record_schema.hpp"

namespace edgesim::io {
namespace {

template <class Record> void describe(std::vector<ColumnDescription>& out) {
  for_each_column<Record>([&](const auto& column) {
    using Value = typename std::remove_cvref_t<decltype(column)>::value_type;
    // Text attributes of /meta are variable-length strings (h5py gives str), not fixed-width columns.
    constexpr bool kVariableText = std::is_same_v<Record, RunMeta> && std::is_same_v<Value, std::string>;
    out.push_back({TableSchema<Record>::dataset, column.name, kVariableText ? "str" : numpy_dtype<Value>()});
  });
}

} // namespace

std::vector<ColumnDescription> run_file_columns() {
  std::vector<ColumnDescription> columns;
  describe<RunMeta>(columns);
  describe<LayerLatencyRecord>(columns);
  describe<RequestRecord>(columns);
  describe<TimelineRecord>(columns);
  describe<PlacementRecord>(columns);
  describe<PolicyRecord>(columns);
  describe<HostRecord>(columns);
  describe<LinkRecord>(columns);
  describe<SummaryRow>(columns);
  return columns;
}

} // namespace edgesim::io
