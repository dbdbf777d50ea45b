#pragma once
// Writes one run's HDF5 file (docs/formats.md) so that the final path only ever holds a
// complete file: everything goes to "<final>.tmp.<pid>" in the same directory, and
// commit() renames it over the final path. A writer destroyed without commit() (an
// exception, an interrupted run) deletes its temporary file; a temporary left by a
// killed process is cleaned up by remove_stale_temporaries() (util/atomic_file.hpp).
//
// Layout (names in io/schema.hpp): /requests and /timeline are appended row by row and
// written a chunk at a time; /hosts, /links and /summary are written whole; /meta is a
// group whose attributes hold RunMeta. commit() creates any table not written as an
// empty dataset, so every committed file has the same layout.
//
// Not thread-safe (Debian's HDF5 is built without thread safety); one writer per thread
// at most, and only in the process that created it (see ~RunWriter).
#include <edgesim/results.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace edgesim::io {

struct RunWriterOptions {
  // Rows per chunk of /requests and /timeline, which is also the number of rows
  // buffered between writes. Tables with fewer rows get one chunk of their own size.
  std::size_t chunk_rows = 65536;
  // 0 writes uncompressed chunks (fastest); 1-9 adds shuffle + gzip at that level.
  int deflate_level = 0;
  // fsync the file before renaming it and the directory after, so a committed file
  // survives a power loss. Sweeps writing many small files may turn it off.
  bool fsync = true;
};

class RunWriter {
public:
  // Creates (or truncates) the temporary file next to `final_path`. Throws
  // RuntimeError naming the file when it cannot be created.
  explicit RunWriter(std::filesystem::path final_path, RunWriterOptions options = {});
  ~RunWriter();

  RunWriter(RunWriter&& other) noexcept;
  RunWriter& operator=(RunWriter&&) = delete;
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  void append_request(const RequestRecord& record);
  void append_timeline(const TimelineRecord& record);
  void append_placement(const PlacementRecord& record);
  void append_policy(const PolicyRecord& record);

  // Each table and the meta attributes can be written once.
  void write_hosts(std::span<const HostRecord> hosts);
  void write_links(std::span<const LinkRecord> links);
  void write_layer_latency(std::span<const LayerLatencyRecord> rows);
  void write_summary(std::span<const SummaryRow> rows);
  void write_meta(const RunMeta& meta);

  // Flushes and closes the file, fsyncs it (see RunWriterOptions::fsync) and renames it
  // to the final path, replacing a previous file there. After commit(), and after any
  // failure, the writer accepts no more calls.
  void commit();

  [[nodiscard]] bool committed() const noexcept { return committed_; }
  [[nodiscard]] const std::filesystem::path& final_path() const noexcept { return final_path_; }
  [[nodiscard]] const std::filesystem::path& temp_path() const noexcept { return temp_path_; }

private:
  struct Impl;

  // Runs body(impl) if the writer is usable; any exception marks the writer failed,
  // and HDF5 ones become RuntimeError naming the file and `action`.
  template <class Body> void guarded(std::string_view action, Body&& body);
  [[nodiscard]] std::string failure_context(std::string_view action) const;
  void abandon() noexcept;

  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  std::unique_ptr<Impl> impl_;
  bool committed_ = false;
  bool failed_ = false;
};

} // namespace edgesim::io
