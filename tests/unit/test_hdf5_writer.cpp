// RunWriter / run_reader: round trips of every table and of /meta, chunking, the
// atomic temp-then-rename protocol and the cleanup of temporaries left by dead runs.
#include "io/run_reader.hpp"
#include "io/run_writer.hpp"
#include "io/schema.hpp"
#include "util/atomic_file.hpp"

#include <edgesim/error.hpp>
#include <edgesim/results.hpp>

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using edgesim::HostRecord;
using edgesim::LinkRecord;
using edgesim::LossReason;
using edgesim::RequestRecord;
using edgesim::RunMeta;
using edgesim::RuntimeError;
using edgesim::SummaryRow;
using edgesim::TimelineRecord;
using edgesim::io::RunWriter;
using edgesim::io::RunWriterOptions;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A fresh directory per test, removed afterwards.
class Hdf5WriterTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_ = fs::temp_directory_path() / ("edgesim_hdf5_" + std::to_string(::getpid()) + "_" + test->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  [[nodiscard]] fs::path file(const std::string& name) const { return directory_ / name; }

  // Without fsync: these tests check the protocol, not the disk.
  static RunWriterOptions fast_options() {
    RunWriterOptions options;
    options.fsync = false;
    return options;
  }

  fs::path directory_;
};

RequestRecord served_request(std::uint64_t id) {
  RequestRecord record;
  record.id = id;
  record.tenant = static_cast<std::uint16_t>(id % 3);
  record.arrival = 0.25 * static_cast<double>(id);
  record.finish = record.arrival + 0.125;
  record.latency = 0.125;
  record.exit = static_cast<std::int16_t>(id % 4);
  record.correct = static_cast<std::uint8_t>(id % 2);
  record.confidence = 0.5F + static_cast<float>(id % 5) / 10.0F;
  record.lost_at = -1;
  record.reason = static_cast<std::uint8_t>(LossReason::Served);
  return record;
}

RequestRecord lost_request(std::uint64_t id) {
  RequestRecord record;
  record.id = id;
  record.tenant = 7;
  record.arrival = 12.5;
  record.finish = kNaN;
  record.latency = kNaN;
  record.exit = -1;
  record.correct = 0;
  record.confidence = 0;
  record.lost_at = 2;
  record.reason = static_cast<std::uint8_t>(LossReason::BufferFull);
  return record;
}

TimelineRecord timeline_sample(std::size_t index) {
  return TimelineRecord{.t = 0.1 * static_cast<double>(index),
                        .host = static_cast<std::int32_t>(index % 4),
                        .queue_len = static_cast<std::int32_t>(index % 17),
                        .queue_mean = 0.25 * static_cast<double>(index % 13),
                        .power_w = 2.5 + static_cast<double>(index % 3),
                        .battery_soc = 1.0 - 1e-6 * static_cast<double>(index)};
}

void expect_same_request(const RequestRecord& expected, const RequestRecord& actual) {
  EXPECT_EQ(expected.id, actual.id);
  EXPECT_EQ(expected.tenant, actual.tenant);
  EXPECT_EQ(expected.arrival, actual.arrival);
  if (std::isnan(expected.finish)) {
    EXPECT_TRUE(std::isnan(actual.finish)) << "id " << expected.id;
    EXPECT_TRUE(std::isnan(actual.latency)) << "id " << expected.id;
  } else {
    EXPECT_EQ(expected.finish, actual.finish);
    EXPECT_EQ(expected.latency, actual.latency);
  }
  EXPECT_EQ(expected.exit, actual.exit);
  EXPECT_EQ(expected.correct, actual.correct);
  EXPECT_EQ(expected.confidence, actual.confidence);
  EXPECT_EQ(expected.lost_at, actual.lost_at);
  EXPECT_EQ(expected.reason, actual.reason);
}

void expect_same_timeline(const TimelineRecord& expected, const TimelineRecord& actual) {
  EXPECT_EQ(expected.t, actual.t);
  EXPECT_EQ(expected.host, actual.host);
  EXPECT_EQ(expected.queue_len, actual.queue_len);
  EXPECT_EQ(expected.queue_mean, actual.queue_mean);
  EXPECT_EQ(expected.power_w, actual.power_w);
  EXPECT_EQ(expected.battery_soc, actual.battery_soc);
}

RunMeta sample_meta() {
  RunMeta meta;
  meta.edgesim_version = "0.1.0";
  meta.git_describe = "v0.1.0-3-gabcdef-dirty";
  meta.scenario = "[simulation]\nduration = \"60s\"\nseed = 42\n";
  // Larger than the 64 KiB limit of attributes stored in the object header: must work
  // because the text lives in the global heap as a variable-length string.
  meta.platform = "<?xml version='1.0'?>\n<platform version=\"4.1\">\n";
  while (meta.platform.size() < 200'000) {
    meta.platform += "  <host id=\"node\" speed=\"1Gf\"/>\n";
  }
  meta.platform += "</platform>\n";
  meta.seed = std::numeric_limits<std::uint64_t>::max() - 5;
  meta.started_at = "2024-05-01T12:34:56Z";
  meta.wall_seconds = 3.75;
  meta.interrupted = true;
  return meta;
}

// Chunk size, maximum size and row count of a dataset, read with the plain HDF5 API.
struct DatasetShape {
  H5D_layout_t layout;
  hsize_t chunk_rows;
  hsize_t rows;
  hsize_t max_rows;
};

DatasetShape dataset_shape(const fs::path& path, std::string_view dataset_name) {
  const H5::H5File file(path.string(), H5F_ACC_RDONLY);
  const H5::DataSet dataset = file.openDataSet(std::string(dataset_name));
  const H5::DSetCreatPropList properties = dataset.getCreatePlist();
  DatasetShape shape{properties.getLayout(), 0, 0, 0};
  if (shape.layout == H5D_CHUNKED) {
    properties.getChunk(1, &shape.chunk_rows);
  }
  dataset.getSpace().getSimpleExtentDims(&shape.rows, &shape.max_rows);
  return shape;
}

// A pid that certainly belongs to no process: that of a child we started and reaped.
pid_t pid_of_finished_process() {
  const pid_t child = ::fork();
  if (child == 0) {
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

void touch(const fs::path& path, const std::string& content = "x") {
  std::ofstream(path) << content;
}

std::string contents(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(Hdf5WriterTest, RoundTripsEveryTable) {
  const fs::path path = file("run.h5");
  const std::vector<RequestRecord> requests{served_request(0), lost_request(1), served_request(2)};
  const std::vector<TimelineRecord> timeline{timeline_sample(0), timeline_sample(1)};
  const std::vector<HostRecord> hosts{
      {.name = "edge-0",
       .energy_j = 12.5,
       .busy_fraction = 0.75,
       .served = 100,
       .lost = 3,
       .mean_queue = 1.25,
       .battery_soc_end = 0.5,
       .down_at = -1},
      {.name = "cloud",
       .energy_j = 0,
       .busy_fraction = 0.125,
       .served = 97,
       .lost = 0,
       .mean_queue = 0.0625,
       .battery_soc_end = 1,
       .down_at = 42.5},
  };
  const std::vector<LinkRecord> links{{.name = "wifi", .energy_j = 1.5, .bytes = 1e9}};
  const std::vector<SummaryRow> summary{
      {.tenant = "camera",
       .offered = 10,
       .served = 9,
       .lost = 1,
       .loss_ratio = 0.1,
       .throughput = 4.5,
       .latency_mean = 0.2,
       .latency_p50 = 0.15,
       .latency_p95 = 0.4,
       .latency_p99 = 0.5,
       .accuracy = 0.8,
       .effective_accuracy = 0.72,
       .slo_violation_ratio = 0.05,
       .energy_j = 30,
       .energy_per_served_j = 3.25},
      {.tenant = "all",
       .offered = 20,
       .served = 18,
       .lost = 2,
       .loss_ratio = 0.1,
       .throughput = 9,
       .latency_mean = 0.25,
       .latency_p50 = 0.2,
       .latency_p95 = 0.45,
       .latency_p99 = 0.6,
       .accuracy = 0.75,
       .effective_accuracy = 0.675,
       .slo_violation_ratio = 0.1,
       .energy_j = 60,
       .energy_per_served_j = 3.5},
  };
  {
    RunWriter writer(path, fast_options());
    for (const RequestRecord& request : requests) {
      writer.append_request(request);
    }
    for (const TimelineRecord& sample : timeline) {
      writer.append_timeline(sample);
    }
    writer.write_hosts(hosts);
    writer.write_links(links);
    writer.write_summary(summary);
    writer.write_meta(sample_meta());
    writer.commit();
  }

  const auto read_requests = edgesim::io::read_requests(path);
  ASSERT_EQ(read_requests.size(), requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    expect_same_request(requests[i], read_requests[i]);
  }

  const auto read_timeline = edgesim::io::read_timeline(path);
  ASSERT_EQ(read_timeline.size(), timeline.size());
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    expect_same_timeline(timeline[i], read_timeline[i]);
  }

  const auto read_hosts = edgesim::io::read_hosts(path);
  ASSERT_EQ(read_hosts.size(), hosts.size());
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    EXPECT_EQ(read_hosts[i].name, hosts[i].name);
    EXPECT_EQ(read_hosts[i].energy_j, hosts[i].energy_j);
    EXPECT_EQ(read_hosts[i].busy_fraction, hosts[i].busy_fraction);
    EXPECT_EQ(read_hosts[i].served, hosts[i].served);
    EXPECT_EQ(read_hosts[i].lost, hosts[i].lost);
    EXPECT_EQ(read_hosts[i].mean_queue, hosts[i].mean_queue);
    EXPECT_EQ(read_hosts[i].battery_soc_end, hosts[i].battery_soc_end);
    EXPECT_EQ(read_hosts[i].down_at, hosts[i].down_at);
  }

  const auto read_links = edgesim::io::read_links(path);
  ASSERT_EQ(read_links.size(), 1U);
  EXPECT_EQ(read_links[0].name, "wifi");
  EXPECT_EQ(read_links[0].energy_j, 1.5);
  EXPECT_EQ(read_links[0].bytes, 1e9);

  const auto read_summary = edgesim::io::read_summary(path);
  ASSERT_EQ(read_summary.size(), summary.size());
  for (std::size_t i = 0; i < summary.size(); ++i) {
    const SummaryRow& expected = summary[i];
    const SummaryRow& actual = read_summary[i];
    EXPECT_EQ(actual.tenant, expected.tenant);
    EXPECT_EQ(actual.offered, expected.offered);
    EXPECT_EQ(actual.served, expected.served);
    EXPECT_EQ(actual.lost, expected.lost);
    EXPECT_EQ(actual.loss_ratio, expected.loss_ratio);
    EXPECT_EQ(actual.throughput, expected.throughput);
    EXPECT_EQ(actual.latency_mean, expected.latency_mean);
    EXPECT_EQ(actual.latency_p50, expected.latency_p50);
    EXPECT_EQ(actual.latency_p95, expected.latency_p95);
    EXPECT_EQ(actual.latency_p99, expected.latency_p99);
    EXPECT_EQ(actual.accuracy, expected.accuracy);
    EXPECT_EQ(actual.effective_accuracy, expected.effective_accuracy);
    EXPECT_EQ(actual.slo_violation_ratio, expected.slo_violation_ratio);
    EXPECT_EQ(actual.energy_j, expected.energy_j);
    EXPECT_EQ(actual.energy_per_served_j, expected.energy_per_served_j);
  }
}

TEST_F(Hdf5WriterTest, MetaAttributesRoundTrip) {
  const fs::path path = file("meta.h5");
  const RunMeta meta = sample_meta();
  {
    RunWriter writer(path, fast_options());
    writer.write_meta(meta);
    writer.commit();
  }
  const RunMeta read = edgesim::io::read_meta(path);
  EXPECT_EQ(read.edgesim_version, meta.edgesim_version);
  EXPECT_EQ(read.git_describe, meta.git_describe);
  EXPECT_EQ(read.scenario, meta.scenario);
  EXPECT_EQ(read.platform, meta.platform);
  EXPECT_EQ(read.seed, meta.seed);
  EXPECT_EQ(read.started_at, meta.started_at);
  EXPECT_EQ(read.wall_seconds, meta.wall_seconds);
  EXPECT_EQ(read.interrupted, meta.interrupted);

  const H5::H5File h5(path.string(), H5F_ACC_RDONLY);
  const H5::Group group = h5.openGroup(std::string(edgesim::io::kMetaGroup));
  std::uint32_t version = 0;
  group.openAttribute(std::string(edgesim::io::kMetaFileFormatVersion)).read(H5::PredType::NATIVE_UINT32, &version);
  EXPECT_EQ(version, edgesim::io::kFileFormatVersion);
  // Free text is variable-length UTF-8 so h5py hands it over as str.
  const H5::StrType scenario_type = group.openAttribute("scenario").getStrType();
  EXPECT_TRUE(scenario_type.isVariableStr());
  EXPECT_EQ(scenario_type.getCset(), H5T_CSET_UTF8);
}

TEST_F(Hdf5WriterTest, ManyRowsKeepTheirOrderAcrossChunks) {
  const fs::path path = file("big.h5");
  constexpr std::size_t kRequests = 200'003; // three full chunks and a partial one
  constexpr std::size_t kSamples = 2 * edgesim::io::kDefaultChunkRows + 1;
  {
    RunWriter writer(path, fast_options());
    for (std::size_t i = 0; i < kRequests; ++i) {
      writer.append_request(i % 1000 == 999 ? lost_request(i) : served_request(i));
    }
    for (std::size_t i = 0; i < kSamples; ++i) {
      writer.append_timeline(timeline_sample(i));
    }
    writer.commit();
  }

  const auto requests = edgesim::io::read_requests(path);
  ASSERT_EQ(requests.size(), kRequests);
  for (std::size_t i = 0; i < kRequests; ++i) {
    ASSERT_EQ(requests[i].id, i);
  }
  expect_same_request(served_request(0), requests.front());
  expect_same_request(lost_request(999), requests[999]);
  expect_same_request(served_request(65'536), requests[65'536]);
  expect_same_request(served_request(kRequests - 1), requests.back());

  const auto timeline = edgesim::io::read_timeline(path);
  ASSERT_EQ(timeline.size(), kSamples);
  for (std::size_t i = 0; i < kSamples; ++i) {
    expect_same_timeline(timeline_sample(i), timeline[i]);
  }

  for (const std::string_view dataset : {edgesim::io::kRequestsDataset, edgesim::io::kTimelineDataset}) {
    const DatasetShape shape = dataset_shape(path, dataset);
    EXPECT_EQ(shape.layout, H5D_CHUNKED) << dataset;
    EXPECT_EQ(shape.chunk_rows, 65'536U) << dataset;
    EXPECT_EQ(shape.max_rows, H5S_UNLIMITED) << dataset;
  }
  EXPECT_EQ(dataset_shape(path, edgesim::io::kRequestsDataset).rows, kRequests);
  EXPECT_EQ(dataset_shape(path, edgesim::io::kTimelineDataset).rows, kSamples);
}

TEST_F(Hdf5WriterTest, SmallTablesGetOneChunkOfTheirOwnSize) {
  const fs::path path = file("small.h5");
  {
    RunWriter writer(path, fast_options());
    for (std::uint64_t i = 0; i < 10; ++i) {
      writer.append_request(served_request(i));
    }
    writer.commit();
  }
  const DatasetShape requests = dataset_shape(path, edgesim::io::kRequestsDataset);
  EXPECT_EQ(requests.layout, H5D_CHUNKED);
  EXPECT_EQ(requests.chunk_rows, 10U);
  EXPECT_EQ(requests.rows, 10U);
  EXPECT_EQ(requests.max_rows, H5S_UNLIMITED);
  // Full-size chunks would make this file several megabytes.
  EXPECT_LT(fs::file_size(path), 64U * 1024U);
}

TEST_F(Hdf5WriterTest, EmptyRunHasEveryTableWithNoRows) {
  const fs::path path = file("empty.h5");
  {
    RunWriter writer(path, fast_options());
    writer.commit();
  }
  EXPECT_TRUE(edgesim::io::read_requests(path).empty());
  EXPECT_TRUE(edgesim::io::read_timeline(path).empty());
  EXPECT_TRUE(edgesim::io::read_hosts(path).empty());
  EXPECT_TRUE(edgesim::io::read_links(path).empty());
  EXPECT_TRUE(edgesim::io::read_summary(path).empty());
}

TEST_F(Hdf5WriterTest, RequestsDocumentTheirReasonCodes) {
  const fs::path path = file("reasons.h5");
  {
    RunWriter writer(path, fast_options());
    writer.append_request(lost_request(0));
    writer.commit();
  }
  const H5::H5File h5(path.string(), H5F_ACC_RDONLY);
  const H5::DataSet requests = h5.openDataSet(std::string(edgesim::io::kRequestsDataset));
  const H5::Attribute codes = requests.openAttribute(std::string(edgesim::io::kReasonCodesAttribute));
  std::string text;
  codes.read(codes.getStrType(), text);
  EXPECT_EQ(text, "0 served, 1 buffer full, 2 deadline, 3 host down, 4 network buffer full");
  // The column itself stays a plain u8.
  const H5::CompType row_type = requests.getCompType();
  const H5::DataType reason = row_type.getMemberDataType(row_type.getMemberIndex("reason"));
  EXPECT_EQ(reason.getClass(), H5T_INTEGER);
  EXPECT_EQ(reason.getSize(), 1U);
}

TEST_F(Hdf5WriterTest, NamesAreFixedWidthAndTruncatedAtACharacterBoundary) {
  const fs::path path = file("names.h5");
  const std::string exactly_64(64, 'a');
  const std::string too_long(100, 'b');
  const std::string multibyte_across_the_limit = std::string(63, 'c') + "\xC3\xA9"; // 'é' would straddle byte 64
  {
    RunWriter writer(path, fast_options());
    const std::vector<HostRecord> hosts{
        {.name = exactly_64}, {.name = too_long}, {.name = multibyte_across_the_limit}, {.name = ""}};
    writer.write_hosts(hosts);
    writer.commit();
  }
  const auto hosts = edgesim::io::read_hosts(path);
  ASSERT_EQ(hosts.size(), 4U);
  EXPECT_EQ(hosts[0].name, exactly_64);
  EXPECT_EQ(hosts[1].name, std::string(64, 'b'));
  EXPECT_EQ(hosts[2].name, std::string(63, 'c'));
  EXPECT_EQ(hosts[3].name, "");

  const H5::H5File h5(path.string(), H5F_ACC_RDONLY);
  const H5::CompType row_type = h5.openDataSet(std::string(edgesim::io::kHostsDataset)).getCompType();
  const H5::StrType name_type = row_type.getMemberStrType(row_type.getMemberIndex("name"));
  EXPECT_FALSE(name_type.isVariableStr());
  EXPECT_EQ(name_type.getSize(), edgesim::io::kFixedStringBytes);
  EXPECT_EQ(name_type.getStrpad(), H5T_STR_NULLPAD);
}

TEST_F(Hdf5WriterTest, FinalFileAppearsOnlyOnCommit) {
  const fs::path path = file("atomic.h5");
  RunWriter writer(path, fast_options());
  EXPECT_EQ(writer.temp_path(), fs::path(path.string() + ".tmp." + std::to_string(::getpid())));
  writer.append_request(served_request(0));
  writer.write_meta(sample_meta());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::exists(writer.temp_path()));

  writer.commit();
  EXPECT_TRUE(writer.committed());
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(writer.temp_path()));
  EXPECT_EQ(edgesim::io::read_requests(path).size(), 1U);
}

TEST_F(Hdf5WriterTest, CommitWithFsyncReplacesAnExistingFile) {
  const fs::path path = file("replace.h5");
  touch(path, "previous run");
  {
    RunWriter writer(path); // default options: fsync on
    writer.append_request(served_request(5));
    writer.commit();
  }
  const auto requests = edgesim::io::read_requests(path);
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].id, 5U);
}

TEST_F(Hdf5WriterTest, UncommittedWriterRemovesItsTempAndKeepsThePreviousFile) {
  const fs::path path = file("abandoned.h5");
  touch(path, "previous run");
  fs::path temp;
  {
    RunWriter writer(path, fast_options());
    temp = writer.temp_path();
    for (std::uint64_t i = 0; i < 100'000; ++i) { // past a flush, so the file has data
      writer.append_request(served_request(i));
    }
    ASSERT_TRUE(fs::exists(temp));
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(contents(path), "previous run");
}

TEST_F(Hdf5WriterTest, WriterCanBeMovedBeforeCommit) {
  const fs::path path = file("moved.h5");
  RunWriter first(path, fast_options());
  first.append_request(served_request(1));
  RunWriter second(std::move(first));
  second.append_request(served_request(2));
  second.commit();
  EXPECT_EQ(edgesim::io::read_requests(path).size(), 2U);
}

TEST_F(Hdf5WriterTest, TruncatesATempFileLeftByAnEarlierWriterOfThisProcess) {
  const fs::path path = file("retry.h5");
  touch(edgesim::temporary_path(path, ::getpid()), "garbage");
  RunWriter writer(path, fast_options());
  writer.append_request(served_request(3));
  writer.commit();
  EXPECT_EQ(edgesim::io::read_requests(path).size(), 1U);
}

TEST_F(Hdf5WriterTest, CompressedTablesRoundTrip) {
  const fs::path path = file("deflate.h5");
  RunWriterOptions options = fast_options();
  options.deflate_level = 4;
  {
    RunWriter writer(path, options);
    for (std::uint64_t i = 0; i < 70'000; ++i) {
      writer.append_request(served_request(i));
    }
    writer.commit();
  }
  const auto requests = edgesim::io::read_requests(path);
  ASSERT_EQ(requests.size(), 70'000U);
  expect_same_request(served_request(69'999), requests.back());
  const H5::H5File h5(path.string(), H5F_ACC_RDONLY);
  const H5::DSetCreatPropList properties = h5.openDataSet(std::string(edgesim::io::kRequestsDataset)).getCreatePlist();
  EXPECT_TRUE(properties.allFiltersAvail());
  EXPECT_EQ(properties.getNfilters(), 2); // shuffle + deflate
}

TEST_F(Hdf5WriterTest, CallsAfterCommitOrTwiceWrittenTablesAreErrors) {
  const fs::path path = file("misuse.h5");
  RunWriter writer(path, fast_options());
  const std::vector<LinkRecord> links{{.name = "l0"}};
  writer.write_links(links);
  EXPECT_THROW(writer.write_links(links), RuntimeError);
  // That error left the writer failed: it refuses further work and cleans up.
  EXPECT_THROW(writer.append_request(served_request(0)), RuntimeError);
  EXPECT_THROW(writer.commit(), RuntimeError);
  EXPECT_FALSE(fs::exists(path));

  const fs::path other = file("after_commit.h5");
  RunWriter committed(other, fast_options());
  committed.commit();
  EXPECT_THROW(committed.append_request(served_request(0)), RuntimeError);
  EXPECT_THROW(committed.commit(), RuntimeError);
}

TEST_F(Hdf5WriterTest, ErrorsNameTheFile) {
  const fs::path unwritable = file("no_such_directory") / "run.h5";
  try {
    RunWriter writer(unwritable, fast_options());
    FAIL() << "expected RuntimeError";
  } catch (const RuntimeError& error) {
    EXPECT_NE(std::string(error.what()).find(unwritable.string()), std::string::npos) << error.what();
  }

  const fs::path missing = file("missing.h5");
  try {
    (void)edgesim::io::read_requests(missing);
    FAIL() << "expected RuntimeError";
  } catch (const RuntimeError& error) {
    EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos) << error.what();
  }

  // A valid HDF5 file without the run layout.
  const fs::path foreign = file("foreign.h5");
  H5::H5File(foreign.string(), H5F_ACC_TRUNC).close();
  EXPECT_THROW((void)edgesim::io::read_summary(foreign), RuntimeError);
  EXPECT_THROW((void)edgesim::io::read_meta(foreign), RuntimeError);
}

TEST_F(Hdf5WriterTest, RemoveStaleTempsDeletesOnlyTempsOfDeadProcesses) {
  const fs::path path = file("sweep.h5");
  const pid_t dead_pid = pid_of_finished_process();
  const fs::path dead_temp = edgesim::temporary_path(path, dead_pid);
  const fs::path own_temp = edgesim::temporary_path(path, ::getpid());
  const fs::path not_a_temp = file("sweep.h5.tmp.notapid");
  const fs::path other_runs_temp = edgesim::temporary_path(file("other.h5"), dead_pid);
  for (const fs::path& temp : {dead_temp, own_temp, not_a_temp, other_runs_temp}) {
    touch(temp);
  }
  touch(path, "final file");

  EXPECT_EQ(edgesim::remove_stale_temporaries(path), 1U);
  EXPECT_FALSE(fs::exists(dead_temp));
  EXPECT_TRUE(fs::exists(own_temp));
  EXPECT_TRUE(fs::exists(not_a_temp));
  EXPECT_TRUE(fs::exists(other_runs_temp));
  EXPECT_TRUE(fs::exists(path));

  // A directory that does not exist has nothing to clean.
  EXPECT_EQ(edgesim::remove_stale_temporaries(file("absent") / "x.h5"), 0U);
}

} // namespace
