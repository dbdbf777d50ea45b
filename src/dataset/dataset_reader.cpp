#include "dataset/dataset_reader.hpp"

#include <edgesim/error.hpp>

#include "dataset/sample_generator.hpp"
#include "io/hdf5_support.hpp"

#include <fmt/format.h>

#include <H5Cpp.h>

#include <fstream>

namespace edgesim::dataset {
namespace {

namespace fs = std::filesystem;

H5::H5File open_dataset_file(const fs::path& file) {
  if (!fs::is_regular_file(file))
    throw InputError(fmt::format("{}: no such dataset file", file.string()));
  return {file.string(), H5F_ACC_RDONLY};
}

std::string read_bytes(const H5::H5File& h5, const std::string& name, hsize_t first, hsize_t count) {
  std::string text(count, '\0');
  if (count == 0)
    return text;
  H5::DataSet data = h5.openDataSet(name);
  H5::DataSpace space = data.getSpace();
  space.selectHyperslab(H5S_SELECT_SET, &count, &first);
  const H5::DataSpace memory(1, &count);
  data.read(text.data(), H5::PredType::NATIVE_UINT8, memory, space);
  return text;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    throw RuntimeError(fmt::format("{}: cannot write", path.string()));
}

} // namespace

std::size_t Matrix::column(const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name)
      return i;
  throw RuntimeError(fmt::format("dataset has no column {}", name));
}

Matrix read_dataset_matrix(const fs::path& file, const std::string& dataset) {
  io::quiet_hdf5_errors();
  return io::translate_hdf5_errors(file.string() + ": " + dataset, [&] {
    const H5::H5File h5 = open_dataset_file(file);
    H5::DataSet data = h5.openDataSet(dataset);
    const H5::DataSpace space = data.getSpace();
    hsize_t dims[2] = {0, 1};
    space.getSimpleExtentDims(dims);
    Matrix matrix;
    matrix.rows = dims[0];
    matrix.columns = space.getSimpleExtentNdims() == 2 ? dims[1] : 1;
    matrix.values.resize(matrix.rows * matrix.columns);
    if (!matrix.values.empty())
      data.read(matrix.values.data(), H5::PredType::NATIVE_DOUBLE);
    if (data.attrExists("columns")) {
      const std::string names = io::read_string_attribute(data, "columns");
      std::size_t start = 0;
      while (start <= names.size()) {
        const std::size_t comma = std::min(names.find(',', start), names.size());
        matrix.names.push_back(names.substr(start, comma - start));
        start = comma + 1;
      }
    }
    return matrix;
  });
}

ExtractedSample extract_sample(const fs::path& file, std::size_t row, const fs::path& directory) {
  const Matrix index = read_dataset_matrix(file, "/samples/index");
  if (row >= index.rows)
    throw InputError(fmt::format("{}: --extract: expected a sample row in 0..{}, got {}", file.string(),
                                 index.rows == 0 ? 0 : index.rows - 1, row));
  const Matrix scenario_ptr = read_dataset_matrix(file, "/graph/scenario_ptr");
  const Matrix platform_ptr = read_dataset_matrix(file, "/graph/platform_ptr");
  ExtractedSample sample;
  sample.index = static_cast<std::uint64_t>(index.values[row]);
  std::error_code ec;
  fs::create_directories(directory / "models", ec);
  if (ec)
    throw InputError(fmt::format("{}: cannot create directory: {}", directory.string(), ec.message()));
  io::quiet_hdf5_errors();
  io::translate_hdf5_errors(file.string(), [&] {
    const H5::H5File h5 = open_dataset_file(file);
    auto slice = [&](const std::string& name, const Matrix& ptr) {
      const auto first = static_cast<hsize_t>(ptr.values[row]);
      return read_bytes(h5, name, first, static_cast<hsize_t>(ptr.values[row + 1]) - first);
    };
    sample.scenario = directory / scenario_file_name(sample.index);
    sample.platform = directory / platform_file_name(sample.index);
    write_text(sample.scenario, slice("/text/scenario", scenario_ptr));
    write_text(sample.platform, slice("/text/platform", platform_ptr));
    const H5::Group models = h5.openGroup("/models");
    for (hsize_t m = 0; m < models.getNumObjs(); ++m) {
      const std::string name = models.getObjnameByIdx(m);
      const H5::DataSet data = models.openDataSet(name);
      hsize_t size = 0;
      data.getSpace().getSimpleExtentDims(&size);
      write_text(directory / "models" / name, read_bytes(h5, "/models/" + name, 0, size));
    }
  });
  return sample;
}

} // namespace edgesim::dataset
