#include "io/run_writer.hpp"

#include "io/chunked_table.hpp"
#include "io/hdf5_support.hpp"
#include "io/schema.hpp"
#include "util/atomic_file.hpp"

#include <edgesim/error.hpp>

#include <H5Cpp.h>

#include <algorithm>
#include <system_error>
#include <type_traits>
#include <utility>

#include <sys/types.h>
#include <unistd.h>

namespace edgesim::io {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kPlacementChunkRows = 256;
constexpr std::size_t kPolicyChunkRows = 4096; // a row per value per decision epoch

H5::H5File create_truncated_file(const fs::path& path) {
  H5::FileAccPropList access;
  // Closing the file then closes every object still open in it, so commit() never
  // renames a file that HDF5 would write to later.
  access.setFcloseDegree(H5F_CLOSE_STRONG);
  return {path.string(), H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, access};
}

} // namespace

struct RunWriter::Impl {
  Impl(const fs::path& temp_path, const RunWriterOptions& writer_options)
      : options(writer_options), file(create_truncated_file(temp_path)), root(file.openGroup("/")),
        meta_group(root.createGroup(std::string(kMetaGroup))),
        requests(root, std::string(kRequestsDataset), options.chunk_rows, options.deflate_level),
        timeline(root, std::string(kTimelineDataset), options.chunk_rows, options.deflate_level),
        // Few rows (one per fragment and placement change): small chunks.
        placements(root, std::string(kPlacementsDataset), kPlacementChunkRows, options.deflate_level),
        policy(root, std::string(kPolicyDataset), kPolicyChunkRows, options.deflate_level) {
    write_u32_attribute(meta_group, kMetaFileFormatVersion, kFileFormatVersion);
  }

  template <class Record> void write_table(std::span<const Record> rows, bool& written) {
    constexpr std::string_view dataset = TableSchema<Record>::dataset;
    if (written) {
      throw RuntimeError(std::string(dataset) + " can be written only once");
    }
    // Written whole: one chunk of exactly its rows, without a buffer sized for streaming.
    ChunkedTable<Record> table(root, std::string(dataset), std::max<std::size_t>(rows.size(), 1),
                               options.deflate_level);
    for (const Record& row : rows) {
      table.append(row);
    }
    if constexpr (std::is_same_v<Record, LayerLatencyRecord>) {
      write_string_attribute(table.finish(), kLatencySourceAttribute, kLatencySourceText);
    } else {
      table.finish();
    }
    table.close();
    written = true;
  }

  void write_meta(const RunMeta& meta) {
    if (meta_written) {
      throw RuntimeError(std::string(kMetaGroup) + " can be written only once");
    }
    for_each_column<RunMeta>([&](const auto& attribute) {
      using Value = typename std::remove_cvref_t<decltype(attribute)>::value_type;
      const Value& value = meta.*(attribute.member);
      if constexpr (std::is_same_v<Value, std::string>)
        write_string_attribute(meta_group, attribute.name, value);
      else if constexpr (std::is_same_v<Value, bool>)
        write_u8_attribute(meta_group, attribute.name, value ? 1 : 0);
      else if constexpr (std::is_same_v<Value, double>)
        write_f64_attribute(meta_group, attribute.name, value);
      else
        write_u64_attribute(meta_group, attribute.name, value);
    });
    meta_written = true;
  }

  // Writes what is still buffered and gives every table a dataset.
  void finish() {
    write_string_attribute(requests.finish(), kReasonCodesAttribute, kReasonCodesText);
    timeline.finish();
    placements.finish();
    policy.finish();
    if (!hosts_written) {
      write_table(std::span<const HostRecord>(), hosts_written);
    }
    if (!links_written) {
      write_table(std::span<const LinkRecord>(), links_written);
    }
    if (!summary_written) {
      write_table(std::span<const SummaryRow>(), summary_written);
    }
    if (!layer_latency_written) {
      write_table(std::span<const LayerLatencyRecord>(), layer_latency_written);
    }
  }

  void close() {
    requests.close();
    timeline.close();
    placements.close();
    policy.close();
    meta_group.close();
    root.close();
    file.close();
  }

  RunWriterOptions options;
  pid_t creator_pid = ::getpid();
  H5::H5File file;
  H5::Group root;
  H5::Group meta_group;
  ChunkedTable<RequestRecord> requests;
  ChunkedTable<TimelineRecord> timeline;
  ChunkedTable<PlacementRecord> placements;
  ChunkedTable<PolicyRecord> policy;
  bool hosts_written = false;
  bool links_written = false;
  bool summary_written = false;
  bool layer_latency_written = false;
  bool meta_written = false;
};

RunWriter::RunWriter(fs::path final_path, RunWriterOptions options)
    : final_path_(std::move(final_path)), temp_path_(temporary_path(final_path_)) {
  quiet_hdf5_errors();
  try {
    impl_ = std::make_unique<Impl>(temp_path_, options);
  } catch (const H5::Exception& error) {
    // The file may exist already if a later step of the setup failed.
    std::error_code ignored;
    fs::remove(temp_path_, ignored);
    throw_hdf5_failure(failure_context("creating the file"), error);
  }
}

RunWriter::~RunWriter() {
  if (!committed_) {
    abandon();
  }
}

RunWriter::RunWriter(RunWriter&& other) noexcept = default;

std::string RunWriter::failure_context(std::string_view action) const {
  return "cannot write '" + final_path_.string() + "' (" + std::string(action) + ", temporary file '" +
         temp_path_.string() + "')";
}

template <class Body> void RunWriter::guarded(std::string_view action, Body&& body) {
  if (!impl_ || failed_) {
    throw RuntimeError(failure_context(action) + ": the writer " +
                       (committed_ ? "was already committed"
                        : failed_  ? "failed earlier"
                                   : "was moved from"));
  }
  try {
    std::forward<Body>(body)(*impl_);
  } catch (const H5::Exception& error) {
    failed_ = true;
    throw_hdf5_failure(failure_context(action), error);
  } catch (...) {
    failed_ = true;
    throw;
  }
}

void RunWriter::append_request(const RequestRecord& record) {
  guarded("appending to /requests", [&](Impl& impl) { impl.requests.append(record); });
}

void RunWriter::append_timeline(const TimelineRecord& record) {
  guarded("appending to /timeline", [&](Impl& impl) { impl.timeline.append(record); });
}

void RunWriter::append_placement(const PlacementRecord& record) {
  guarded("appending to /placements", [&](Impl& impl) { impl.placements.append(record); });
}

void RunWriter::append_policy(const PolicyRecord& record) {
  guarded("appending to /policy", [&](Impl& impl) { impl.policy.append(record); });
}

void RunWriter::write_hosts(std::span<const HostRecord> hosts) {
  guarded("writing /hosts", [&](Impl& impl) { impl.write_table(hosts, impl.hosts_written); });
}

void RunWriter::write_links(std::span<const LinkRecord> links) {
  guarded("writing /links", [&](Impl& impl) { impl.write_table(links, impl.links_written); });
}

void RunWriter::write_layer_latency(std::span<const LayerLatencyRecord> rows) {
  guarded("writing /meta/layer_latency", [&](Impl& impl) { impl.write_table(rows, impl.layer_latency_written); });
}

void RunWriter::write_summary(std::span<const SummaryRow> rows) {
  guarded("writing /summary", [&](Impl& impl) { impl.write_table(rows, impl.summary_written); });
}

void RunWriter::write_meta(const RunMeta& meta) {
  guarded("writing /meta", [&](Impl& impl) { impl.write_meta(meta); });
}

void RunWriter::commit() {
  guarded("committing", [&](Impl& impl) {
    impl.finish();
    impl.close();
    commit_temporary(temp_path_, final_path_, impl.options.fsync ? Durability::Durable : Durability::Volatile);
  });
  committed_ = true;
  impl_.reset();
}

void RunWriter::abandon() noexcept {
  if (!impl_) {
    return;
  }
  if (impl_->creator_pid != ::getpid()) {
    // A forked child must neither close the parent's HDF5 file (closing flushes
    // metadata into it) nor delete the parent's temporary file: leak the handles.
    (void)impl_.release();
    return;
  }
  try {
    impl_->close();
  } catch (...) {
    // Best effort: the file is deleted next anyway.
  }
  impl_.reset();
  std::error_code ignored;
  fs::remove(temp_path_, ignored);
}

} // namespace edgesim::io
