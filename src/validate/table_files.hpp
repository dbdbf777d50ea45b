#pragma once
// Output files of `edgesim validate`: a table of rows whose columns an
// io::TableSchema<Row> specialization lists, written as an HDF5 compound dataset or as
// CSV, each atomically (a temporary file, then rename). Also the small text helpers the
// generated scenarios need. Shared by the single-station and the network validations.
#include "io/hdf5_support.hpp"
#include "io/schema.hpp"
#include "util/atomic_file.hpp"

#include <H5Cpp.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace edgesim::validate {

/// 17 significant digits: a double written and read back is the same double.
[[nodiscard]] std::string number(double v);
/// A TOML basic string.
[[nodiscard]] std::string toml_string(const std::string& text);
/// Writes `text` to `path` (not atomically: for scratch files); throws RuntimeError.
void write_text(const std::filesystem::path& path, const std::string& text);
/// Comma-separated values of repeated options, blanks trimmed, empty values dropped.
[[nodiscard]] std::vector<std::string> split_commas(const std::vector<std::string>& tokens);

/// The column names of Row, in file order.
template <class Row> std::vector<std::string> table_columns() {
  std::vector<std::string> names;
  std::apply([&](const auto&... column) { (names.emplace_back(column.name), ...); }, io::TableSchema<Row>::columns);
  return names;
}

/// Dataset io::TableSchema<Row>::dataset with one row per element of `rows`; `annotate`
/// adds the attributes.
template <class Row>
void write_table_hdf5(const std::filesystem::path& path, const std::vector<Row>& rows,
                      const std::function<void(H5::DataSet&)>& annotate) {
  io::quiet_hdf5_errors();
  write_atomically(
      path,
      [&](const std::filesystem::path& temporary) {
        io::translate_hdf5_errors(path.string(), [&] {
          constexpr std::size_t kRowBytes = io::kPackedRowBytes<Row>;
          std::vector<std::byte> packed(rows.size() * kRowBytes);
          for (std::size_t i = 0; i < rows.size(); ++i)
            io::pack_row(rows[i], packed.data() + i * kRowBytes);
          H5::H5File file(temporary.string(), H5F_ACC_TRUNC);
          const hsize_t count = rows.size();
          H5::DataSpace space(1, &count);
          const H5::CompType row_type = io::compound_type<Row>();
          H5::DataSet dataset =
              file.createDataSet(std::string(io::TableSchema<Row>::dataset).substr(1), row_type, space);
          if (!rows.empty())
            dataset.write(packed.data(), row_type);
          annotate(dataset);
          dataset.close();
          file.close();
        });
      },
      Durability::Volatile);
}

template <class Row> std::vector<Row> read_table_hdf5(const std::filesystem::path& path) {
  io::quiet_hdf5_errors();
  return io::translate_hdf5_errors(path.string(), [&] {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    H5::DataSet dataset = file.openDataSet(std::string(io::TableSchema<Row>::dataset).substr(1));
    hsize_t count = 0;
    dataset.getSpace().getSimpleExtentDims(&count);
    constexpr std::size_t kRowBytes = io::kPackedRowBytes<Row>;
    std::vector<std::byte> packed(count * kRowBytes);
    if (count > 0)
      dataset.read(packed.data(), io::compound_type<Row>());
    std::vector<Row> rows(count);
    for (std::size_t i = 0; i < rows.size(); ++i)
      io::unpack_row(packed.data() + i * kRowBytes, rows[i]);
    return rows;
  });
}

/// A header line of the column names, then one line per row: numbers with 17 digits,
/// NaN as `nan`, booleans as 0/1, integers as integers.
template <class Row> void write_table_csv(const std::filesystem::path& path, const std::vector<Row>& rows) {
  std::string text;
  const auto names = table_columns<Row>();
  for (std::size_t i = 0; i < names.size(); ++i)
    text += (i > 0 ? "," : "") + names[i];
  text += "\n";
  auto cell = [](const auto& value) -> std::string {
    using V = std::remove_cvref_t<decltype(value)>;
    if constexpr (std::is_same_v<V, std::string>)
      return value;
    else if constexpr (std::is_same_v<V, bool>)
      return value ? "1" : "0";
    else if constexpr (std::is_floating_point_v<V>)
      return std::isnan(value) ? std::string("nan") : number(value);
    else
      return std::to_string(value);
  };
  for (const Row& row : rows) {
    bool first = true;
    std::apply(
        [&](const auto&... column) { ((text += (first ? "" : ",") + cell(row.*(column.member)), first = false), ...); },
        io::TableSchema<Row>::columns);
    text += "\n";
  }
  write_atomically(
      path, [&](const std::filesystem::path& temporary) { write_text(temporary, text); }, Durability::Volatile);
}

} // namespace edgesim::validate
