#pragma once
// One table of a run file: rows of a record type appended to a one-dimensional,
// chunked, extendable dataset through a buffer of packed rows.
//
// Rows are written a chunk at a time (one-row HDF5 writes run ~100x slower), so memory
// stays at one chunk of packed rows however many rows are appended. The dataset is
// created on the first flush:
// - a table that fills its first chunk gets chunks of `chunk_rows` rows;
// - a table that ends before that gets a single chunk of exactly its row count, because
//   HDF5 stores every chunk at full size and a 10-request run would otherwise carry a
//   3 MB mostly empty chunk per table.
// Either way the dataset has an unlimited maximum size, so tools can extend it.
#include "io/schema.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgesim::io {

template <class Record> class ChunkedTable {
public:
  static constexpr std::size_t kRowBytes = kPackedRowBytes<Record>;

  // `deflate_level` 0 writes uncompressed chunks; 1-9 adds shuffle + gzip.
  ChunkedTable(const H5::Group& parent, std::string dataset_name, std::size_t chunk_rows, int deflate_level)
      : parent_(parent), dataset_name_(std::move(dataset_name)), chunk_rows_(std::max<std::size_t>(chunk_rows, 1)),
        deflate_level_(deflate_level), row_type_(compound_type<Record>()) {}

  void append(const Record& record) {
    if (packed_rows_.size() < (buffered_rows_ + 1) * kRowBytes) {
      // Grown on use (doubling up to one chunk): a run without a timeline never pays for
      // its buffer, and a short one pays only for the rows it has.
      packed_rows_.resize(std::min(chunk_rows_, std::max<std::size_t>(64, 2 * buffered_rows_)) * kRowBytes);
    }
    pack_row(record, packed_rows_.data() + buffered_rows_ * kRowBytes);
    if (++buffered_rows_ == chunk_rows_) {
      flush();
    }
  }

  // Writes the buffered rows, creating the dataset if needed.
  void flush() {
    if (!dataset_) {
      create_dataset(std::max<std::size_t>(buffered_rows_, 1));
    }
    if (buffered_rows_ == 0) {
      return;
    }
    const hsize_t first_row = rows_written_;
    const hsize_t row_count = buffered_rows_;
    const hsize_t new_size = first_row + row_count;
    dataset_->extend(&new_size);
    H5::DataSpace file_space = dataset_->getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, &row_count, &first_row);
    const H5::DataSpace memory_space(1, &row_count);
    dataset_->write(packed_rows_.data(), row_type_, memory_space, file_space);
    rows_written_ = new_size;
    buffered_rows_ = 0;
  }

  // Flushes, releases the buffer and returns the dataset (which then exists, possibly
  // empty). Further appends are still allowed but reallocate the buffer.
  H5::DataSet& finish() {
    flush();
    std::vector<std::byte>().swap(packed_rows_);
    return *dataset_;
  }

  void close() {
    if (dataset_) {
      dataset_->close();
      dataset_.reset();
    }
    parent_.close();
  }

  [[nodiscard]] std::uint64_t rows() const { return rows_written_ + buffered_rows_; }

private:
  void create_dataset(std::size_t rows_per_chunk) {
    const hsize_t initial_size = 0;
    const hsize_t max_size = H5S_UNLIMITED;
    const H5::DataSpace space(1, &initial_size, &max_size);
    H5::DSetCreatPropList properties;
    const hsize_t chunk_dims = rows_per_chunk;
    properties.setChunk(1, &chunk_dims);
    if (deflate_level_ > 0) {
      // Shuffle groups the bytes of each column, which gzip compresses far better.
      properties.setShuffle();
      properties.setDeflate(static_cast<unsigned>(std::min(deflate_level_, 9)));
    }
    dataset_ = parent_.createDataSet(dataset_name_, row_type_, space, properties);
  }

  H5::Group parent_;
  std::string dataset_name_;
  std::size_t chunk_rows_;
  int deflate_level_;
  H5::CompType row_type_;
  std::optional<H5::DataSet> dataset_;
  std::vector<std::byte> packed_rows_;
  std::size_t buffered_rows_ = 0;
  hsize_t rows_written_ = 0;
};

} // namespace edgesim::io
