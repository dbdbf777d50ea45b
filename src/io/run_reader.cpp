#include "io/run_reader.hpp"

#include "io/hdf5_support.hpp"
#include "io/schema.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cstddef>
#include <string>

namespace edgesim::io {
namespace {

namespace fs = std::filesystem;

H5::H5File open_read_only(const fs::path& path) {
  quiet_hdf5_errors();
  return {path.string(), H5F_ACC_RDONLY};
}

std::string reading_context(const fs::path& path) {
  return "cannot read '" + path.string() + "'";
}

template <class Record> std::vector<Record> read_table(const fs::path& path) {
  const std::string dataset_name(TableSchema<Record>::dataset);
  return translate_hdf5_errors(reading_context(path) + " (" + dataset_name + ")", [&] {
    const H5::H5File file = open_read_only(path);
    const H5::DataSet dataset = file.openDataSet(dataset_name);
    const H5::DataSpace file_space = dataset.getSpace();
    if (file_space.getSimpleExtentNdims() != 1) {
      throw H5::DataSetIException("read_table", dataset_name + " is not one-dimensional");
    }
    hsize_t total_rows = 0;
    file_space.getSimpleExtentDims(&total_rows);

    // Reading with our packed type makes HDF5 pick columns by name; reading in blocks
    // keeps the packed copy small next to the records.
    const H5::CompType row_type = compound_type<Record>();
    constexpr std::size_t kRowBytes = kPackedRowBytes<Record>;
    const hsize_t block_rows = std::min<hsize_t>(total_rows, kDefaultChunkRows);
    std::vector<std::byte> packed(block_rows * kRowBytes);
    std::vector<Record> records(total_rows);
    for (hsize_t first = 0; first < total_rows; first += block_rows) {
      const hsize_t count = std::min(block_rows, total_rows - first);
      const H5::DataSpace& selection = file_space;
      selection.selectHyperslab(H5S_SELECT_SET, &count, &first);
      const H5::DataSpace memory_space(1, &count);
      dataset.read(packed.data(), row_type, memory_space, selection);
      for (hsize_t row = 0; row < count; ++row) {
        unpack_row(packed.data() + row * kRowBytes, records[first + row]);
      }
    }
    return records;
  });
}

} // namespace

std::vector<RequestRecord> read_requests(const fs::path& path) {
  return read_table<RequestRecord>(path);
}
std::vector<TimelineRecord> read_timeline(const fs::path& path) {
  return read_table<TimelineRecord>(path);
}
std::vector<HostRecord> read_hosts(const fs::path& path) {
  return read_table<HostRecord>(path);
}
std::vector<LayerLatencyRecord> read_layer_latency(const fs::path& path) {
  return read_table<LayerLatencyRecord>(path);
}

std::vector<LinkRecord> read_links(const fs::path& path) {
  return read_table<LinkRecord>(path);
}
std::vector<SummaryRow> read_summary(const fs::path& path) {
  return read_table<SummaryRow>(path);
}
std::vector<PlacementRecord> read_placements(const fs::path& path) {
  return read_table<PlacementRecord>(path);
}
std::vector<PolicyRecord> read_policy(const fs::path& path) {
  return read_table<PolicyRecord>(path);
}

RunMeta read_meta(const fs::path& path) {
  return translate_hdf5_errors(reading_context(path) + " (" + std::string(kMetaGroup) + ")", [&] {
    const H5::H5File file = open_read_only(path);
    const H5::Group meta_group = file.openGroup(std::string(kMetaGroup));
    RunMeta meta;
    for_each_column<RunMeta>([&](const auto& attribute) {
      using Value = typename std::remove_cvref_t<decltype(attribute)>::value_type;
      if (attribute.optional_on_read && !meta_group.attrExists(std::string(attribute.name)))
        return;
      Value& value = meta.*(attribute.member);
      if constexpr (std::is_same_v<Value, std::string>)
        value = read_string_attribute(meta_group, attribute.name);
      else if constexpr (std::is_same_v<Value, bool>)
        value = read_u64_attribute(meta_group, attribute.name) != 0;
      else if constexpr (std::is_same_v<Value, double>)
        value = read_f64_attribute(meta_group, attribute.name);
      else
        value = read_u64_attribute(meta_group, attribute.name);
    });
    return meta;
  });
}

} // namespace edgesim::io
