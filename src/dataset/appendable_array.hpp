#pragma once
// A two-dimensional numeric HDF5 dataset [rows, columns] that grows by rows: rows are
// buffered and written a chunk at a time to a chunked, extendable dataset, so memory is
// one chunk however many rows a dataset file ends up with (70k samples stream through).
#include <edgesim/error.hpp>

#include <H5Cpp.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace edgesim::dataset {

template <class T> H5::PredType hdf5_type_of();
template <> inline H5::PredType hdf5_type_of<double>() {
  return H5::PredType::NATIVE_DOUBLE;
}
template <> inline H5::PredType hdf5_type_of<std::int64_t>() {
  return H5::PredType::NATIVE_INT64;
}
template <> inline H5::PredType hdf5_type_of<std::uint8_t>() {
  return H5::PredType::NATIVE_UINT8;
}

template <class T> class AppendableArray {
public:
  /// `columns` 0 makes a one-dimensional dataset. `deflate` 1-9 adds shuffle + gzip.
  AppendableArray(const H5::Group& parent, std::string name, std::size_t columns, std::size_t chunk_rows, int deflate)
      : parent_(parent), name_(std::move(name)), columns_(columns), chunk_rows_(std::max<std::size_t>(chunk_rows, 1)),
        deflate_(deflate) {
    create();
  }

  /// Appends whole rows (values.size() must be a multiple of the column count).
  void append(std::span<const T> values) {
    buffer_.insert(buffer_.end(), values.begin(), values.end());
    if (buffer_.size() >= chunk_rows_ * width())
      flush();
  }
  void append_one(T value) { append(std::span<const T>(&value, 1)); }

  void flush() {
    const std::size_t rows = buffer_.size() / width();
    if (rows == 0)
      return;
    const hsize_t start[2] = {rows_written_, 0};
    const hsize_t count[2] = {rows, columns_};
    const hsize_t new_size[2] = {rows_written_ + rows, columns_};
    dataset_->extend(new_size);
    H5::DataSpace file_space = dataset_->getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, count, start);
    const H5::DataSpace memory_space(rank(), count);
    dataset_->write(buffer_.data(), hdf5_type_of<T>(), memory_space, file_space);
    rows_written_ += rows;
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(rows * width()));
  }

  [[nodiscard]] std::uint64_t rows() const { return rows_written_ + buffer_.size() / width(); }
  [[nodiscard]] H5::DataSet& dataset() { return *dataset_; }

private:
  [[nodiscard]] int rank() const { return columns_ == 0 ? 1 : 2; }
  [[nodiscard]] std::size_t width() const { return std::max<std::size_t>(columns_, 1); }

  void create() {
    const hsize_t initial[2] = {0, columns_};
    const hsize_t maximum[2] = {H5S_UNLIMITED, columns_};
    const H5::DataSpace space(rank(), initial, maximum);
    H5::DSetCreatPropList properties;
    const hsize_t chunk[2] = {chunk_rows_, std::max<hsize_t>(columns_, 1)};
    properties.setChunk(rank(), chunk);
    if (deflate_ > 0) {
      properties.setShuffle();
      properties.setDeflate(static_cast<unsigned>(std::min(deflate_, 9)));
    }
    dataset_ = parent_.createDataSet(name_, hdf5_type_of<T>(), space, properties);
  }

  H5::Group parent_;
  std::string name_;
  hsize_t columns_;
  std::size_t chunk_rows_;
  int deflate_;
  std::optional<H5::DataSet> dataset_;
  std::vector<T> buffer_;
  hsize_t rows_written_ = 0;
};

} // namespace edgesim::dataset
