#pragma once
// The one description of every record edgesim writes (docs/formats.md): for each record
// type of edgesim/results.hpp its table and its columns in file order, each column a
// name and the record field it holds. The HDF5 layout (io/schema.hpp), the JSON summary
// (io/summary_json.hpp), the sweep file's summary columns, the dataset labels and the
// Python loaders' field lists (checked against `edgesim list columns` by a test) all
// follow it, so adding a field to a record is this one edit plus its computation.
//
// Column names are the public file format (h5py, pandas, the JSON output): renaming one
// or changing its type is a format change (bump kFileFormatVersion); adding one is not.
#include <edgesim/results.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace edgesim::io {

// Datasets and groups of a run file.
inline constexpr std::string_view kMetaGroup = "/meta";
inline constexpr std::string_view kRequestsDataset = "/requests";
inline constexpr std::string_view kHostsDataset = "/hosts";
inline constexpr std::string_view kTimelineDataset = "/timeline";
inline constexpr std::string_view kSummaryDataset = "/summary";
inline constexpr std::string_view kLinksDataset = "/links";
inline constexpr std::string_view kPlacementsDataset = "/placements";
inline constexpr std::string_view kPolicyDataset = "/policy";
inline constexpr std::string_view kLayerLatencyDataset = "/meta/layer_latency";

// Attributes of /meta (RunMeta's field names), plus the layout version of the file.
inline constexpr std::string_view kMetaEdgesimVersion = "edgesim_version";
inline constexpr std::string_view kMetaGitDescribe = "git_describe";
inline constexpr std::string_view kMetaScenario = "scenario";
inline constexpr std::string_view kMetaPlatform = "platform";
inline constexpr std::string_view kMetaSeed = "seed";
inline constexpr std::string_view kMetaStartedAt = "started_at";
inline constexpr std::string_view kMetaWallSeconds = "wall_seconds";
inline constexpr std::string_view kMetaInterrupted = "interrupted";
inline constexpr std::string_view kMetaWarmupSeconds = "warmup_s";
inline constexpr std::string_view kMetaFileFormatVersion = "file_format_version";
// Bumped when a column or attribute changes meaning or disappears (adding is compatible).
inline constexpr std::uint32_t kFileFormatVersion = 1;

// Attribute of /meta/layer_latency documenting its source codes.
inline constexpr std::string_view kLatencySourceAttribute = "source_codes";
inline constexpr std::string_view kLatencySourceText = "0 FLOPs cost model, 1 measured latency";

// Attribute of /requests documenting LossReason.
inline constexpr std::string_view kReasonCodesAttribute = "reason_codes";
inline constexpr std::string_view kReasonCodesText =
    "0 served, 1 buffer full, 2 deadline, 3 host down, 4 network buffer full";

inline constexpr std::size_t kFixedStringBytes = 64;
inline constexpr std::size_t kDefaultChunkRows = 65536;

// One column of a table: its name in the file and the record field it holds.
template <class Record, class Value> struct Column {
  using record_type = Record;
  using value_type = Value;
  std::string_view name;
  Value Record::*member;
  // Files written before the column existed lack it; readers keep the field's default.
  bool optional_on_read = false;
};

// Spelled out because clang (up to 16) lacks deduction for aggregates.
template <class Record, class Value> Column(std::string_view, Value Record::*) -> Column<Record, Value>;
template <class Record, class Value> Column(std::string_view, Value Record::*, bool) -> Column<Record, Value>;

// TableSchema<Record>::columns lists the columns in file order.
template <class Record> struct TableSchema;

template <> struct TableSchema<RequestRecord> {
  static constexpr std::string_view dataset = kRequestsDataset;
  static constexpr std::tuple columns{
      Column{"id", &RequestRecord::id},
      Column{"tenant", &RequestRecord::tenant},
      Column{"arrival", &RequestRecord::arrival},
      Column{"finish", &RequestRecord::finish},
      Column{"latency", &RequestRecord::latency},
      Column{"exit", &RequestRecord::exit},
      Column{"correct", &RequestRecord::correct},
      Column{"confidence", &RequestRecord::confidence},
      Column{"lost_at", &RequestRecord::lost_at},
      Column{"reason", &RequestRecord::reason},
      Column{"placement", &RequestRecord::placement},
  };
};

template <> struct TableSchema<PlacementRecord> {
  static constexpr std::string_view dataset = kPlacementsDataset;
  static constexpr std::tuple columns{
      Column{"time", &PlacementRecord::time},
      Column{"tenant", &PlacementRecord::tenant},
      Column{"placement", &PlacementRecord::placement},
      Column{"fragment", &PlacementRecord::fragment},
      Column{"first_layer", &PlacementRecord::first_layer},
      Column{"last_layer", &PlacementRecord::last_layer},
      Column{"host", &PlacementRecord::host},
      Column{"branch", &PlacementRecord::branch},
      Column{"branches", &PlacementRecord::branches},
  };
};

template <> struct TableSchema<PolicyRecord> {
  static constexpr std::string_view dataset = kPolicyDataset;
  static constexpr std::tuple columns{
      Column{"time", &PolicyRecord::time},     Column{"tenant", &PolicyRecord::tenant},
      Column{"policy", &PolicyRecord::policy}, Column{"name", &PolicyRecord::name},
      Column{"value", &PolicyRecord::value},
  };
};

template <> struct TableSchema<TimelineRecord> {
  static constexpr std::string_view dataset = kTimelineDataset;
  static constexpr std::tuple columns{
      Column{"t", &TimelineRecord::t},
      Column{"host", &TimelineRecord::host},
      Column{"queue_len", &TimelineRecord::queue_len},
      Column{"queue_mean", &TimelineRecord::queue_mean},
      Column{"power_w", &TimelineRecord::power_w},
      Column{"battery_soc", &TimelineRecord::battery_soc},
  };
};

template <> struct TableSchema<HostRecord> {
  static constexpr std::string_view dataset = kHostsDataset;
  static constexpr std::tuple columns{
      Column{"name", &HostRecord::name},
      Column{"energy_j", &HostRecord::energy_j},
      Column{"energy_static_j", &HostRecord::energy_static_j},
      Column{"energy_dynamic_j", &HostRecord::energy_dynamic_j},
      Column{"busy_fraction", &HostRecord::busy_fraction},
      Column{"served", &HostRecord::served},
      Column{"lost", &HostRecord::lost},
      Column{"mean_queue", &HostRecord::mean_queue},
      Column{"battery_soc_end", &HostRecord::battery_soc_end},
      Column{"down_at", &HostRecord::down_at},
  };
};

template <> struct TableSchema<SummaryRow> {
  static constexpr std::string_view dataset = kSummaryDataset;
  static constexpr std::tuple columns{
      Column{"tenant", &SummaryRow::tenant},
      Column{"offered", &SummaryRow::offered},
      Column{"served", &SummaryRow::served},
      Column{"lost", &SummaryRow::lost},
      Column{"loss_ratio", &SummaryRow::loss_ratio},
      Column{"throughput", &SummaryRow::throughput},
      Column{"latency_mean", &SummaryRow::latency_mean},
      Column{"latency_p50", &SummaryRow::latency_p50},
      Column{"latency_p95", &SummaryRow::latency_p95},
      Column{"latency_p99", &SummaryRow::latency_p99},
      Column{"accuracy", &SummaryRow::accuracy},
      Column{"effective_accuracy", &SummaryRow::effective_accuracy},
      Column{"slo_violation_ratio", &SummaryRow::slo_violation_ratio},
      Column{"energy_j", &SummaryRow::energy_j},
      Column{"energy_per_served_j", &SummaryRow::energy_per_served_j},
      Column{"energy_dynamic_j", &SummaryRow::energy_dynamic_j},
      Column{"energy_static_j", &SummaryRow::energy_static_j},
  };
};

template <> struct TableSchema<LayerLatencyRecord> {
  static constexpr std::string_view dataset = kLayerLatencyDataset;
  static constexpr std::tuple columns{
      Column{"tenant", &LayerLatencyRecord::tenant},         Column{"layer", &LayerLatencyRecord::layer},
      Column{"layer_name", &LayerLatencyRecord::layer_name}, Column{"host", &LayerLatencyRecord::host},
      Column{"source", &LayerLatencyRecord::source},         Column{"seconds", &LayerLatencyRecord::seconds},
  };
};

template <> struct TableSchema<LinkRecord> {
  static constexpr std::string_view dataset = kLinksDataset;
  static constexpr std::tuple columns{
      Column{"name", &LinkRecord::name},
      Column{"energy_j", &LinkRecord::energy_j},
      Column{"bytes", &LinkRecord::bytes},
  };
};

// The attributes of /meta, in the same form (a file's layout version is written beside
// them: kMetaFileFormatVersion).
template <> struct TableSchema<RunMeta> {
  static constexpr std::string_view dataset = kMetaGroup;
  static constexpr std::tuple columns{
      Column{kMetaEdgesimVersion, &RunMeta::edgesim_version},
      Column{kMetaGitDescribe, &RunMeta::git_describe},
      Column{kMetaScenario, &RunMeta::scenario},
      Column{kMetaPlatform, &RunMeta::platform},
      Column{kMetaSeed, &RunMeta::seed},
      Column{kMetaStartedAt, &RunMeta::started_at},
      Column{kMetaWallSeconds, &RunMeta::wall_seconds},
      Column{kMetaInterrupted, &RunMeta::interrupted},
      Column{kMetaWarmupSeconds, &RunMeta::warmup_s, true},
  };
};

// Calls visit(column) for each column of Record in file order.
template <class Record, class Visitor> constexpr void for_each_column(Visitor&& visit) {
  std::apply([&](const auto&... column) { (visit(column), ...); }, TableSchema<Record>::columns);
}

// Whether Record has a column named `name` (usable in static_assert).
template <class Record> constexpr bool has_column(std::string_view name) {
  bool found = false;
  for_each_column<Record>([&](const auto& column) { found = found || column.name == name; });
  return found;
}

// The value of Record's numeric column `name` as a double; nullopt if there is no such
// numeric column.
template <class Record> std::optional<double> numeric_column(const Record& record, std::string_view name) {
  std::optional<double> value;
  for_each_column<Record>([&](const auto& column) {
    using Value = typename std::remove_cvref_t<decltype(column)>::value_type;
    if constexpr (std::is_arithmetic_v<Value>)
      if (column.name == name)
        value = static_cast<double>(record.*(column.member));
  });
  return value;
}

// The numpy dtype of a column holding Value, as h5py reports it ("<f8", "S64", ...).
template <class Value> constexpr std::string_view numpy_dtype() {
  if constexpr (std::is_same_v<Value, std::string>) {
    static_assert(kFixedStringBytes == 64, "spell the new width here");
    return "S64";
  } else if constexpr (std::is_same_v<Value, bool> || std::is_same_v<Value, std::uint8_t>) {
    return "|u1";
  } else if constexpr (std::is_same_v<Value, std::int8_t>) {
    return "|i1";
  } else if constexpr (std::is_floating_point_v<Value>) {
    return sizeof(Value) == 8 ? "<f8" : "<f4";
  } else if constexpr (std::is_signed_v<Value>) {
    return sizeof(Value) == 8 ? "<i8" : sizeof(Value) == 4 ? "<i4" : "<i2";
  } else {
    return sizeof(Value) == 8 ? "<u8" : sizeof(Value) == 4 ? "<u4" : "<u2";
  }
}

// One column of a run file, for listings (`edgesim list columns`).
struct ColumnDescription {
  std::string_view table; // "/requests", ..., "/meta" for its attributes
  std::string_view column;
  std::string_view dtype; // numpy_dtype(), or "str" for a text attribute of /meta
};

// Every column of every table of a run file, tables in file order.
[[nodiscard]] std::vector<ColumnDescription> run_file_columns();

} // namespace edgesim::io
