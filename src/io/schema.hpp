#pragma once
// The on-disk layout of a run file (docs/formats.md): dataset and attribute names, and one
// compound type per record type of edgesim/results.hpp. Column names are the record's
// field names, so they are the public file format (h5py, pandas, the JSON output).
//
// Layout decisions:
// - Compound types are packed (no alignment padding) and little-endian, so the file
//   does not depend on the compiler's struct layout. Rows are packed into byte buffers
//   by pack_row() in exactly this layout, so writing needs no HDF5 type conversion
//   (converting struct -> packed inside HDF5 runs about 3x slower).
// - Strings inside compound rows (host, link and tenant names) are fixed-width,
//   kFixedStringBytes bytes, UTF-8, null-padded, truncated at a character boundary.
//   numpy/h5py see them as dtype "S64" (bytes; `.decode()` or `.asstr()` gives str).
//   Free text of unbounded size (scenario TOML, platform XML) lives in variable-length
//   string attributes of /meta instead.
// - The reason column stays a u8; /requests carries an attribute spelling out its codes.
// - /placements holds one row per fragment of every placement a tenant used: the one at
//   t = 0 (placement 0) and each change made by re-planning (placement.replan_every),
//   with the time it took effect; /requests' `placement` column names the version each
//   request was admitted under, so a request can be joined to the hosts it ran on. Its
//   chunks are small (few rows). `branch` is -1 for layer-wise fragments; a semantic
//   split has `branches` rows with branch 0..branches-1 over the whole model.
#include <edgesim/results.hpp>

#include <H5Cpp.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace edgesim::io {

static_assert(std::endian::native == std::endian::little,
              "pack_row() copies native bytes into little-endian file columns");

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
};

// Spelled out because clang (up to 16) lacks deduction for aggregates.
template <class Record, class Value> Column(std::string_view, Value Record::*) -> Column<Record, Value>;

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

namespace detail {

template <class> inline constexpr bool kUnsupportedColumnType = false;

template <class Value> constexpr std::size_t column_bytes() {
  if constexpr (std::is_same_v<Value, std::string>) {
    return kFixedStringBytes;
  } else {
    static_assert(std::is_arithmetic_v<Value>);
    return sizeof(Value);
  }
}

// Number of leading bytes of `text` that fit in a fixed-width column without cutting
// a UTF-8 sequence in half (a cut name would otherwise fail to decode in Python).
inline std::size_t fitting_utf8_prefix(std::string_view text) {
  if (text.size() <= kFixedStringBytes) {
    return text.size();
  }
  std::size_t length = kFixedStringBytes;
  auto is_continuation_byte = [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; };
  while (length > 0 && is_continuation_byte(text[length])) {
    --length;
  }
  return length;
}

template <class Value> std::byte* pack_value(const Value& value, std::byte* out) {
  if constexpr (std::is_same_v<Value, std::string>) {
    const std::size_t length = fitting_utf8_prefix(value);
    std::memcpy(out, value.data(), length);
    std::memset(out + length, 0, kFixedStringBytes - length);
    return out + kFixedStringBytes;
  } else {
    std::memcpy(out, &value, sizeof(Value));
    return out + sizeof(Value);
  }
}

template <class Value> const std::byte* unpack_value(const std::byte* in, Value& value) {
  if constexpr (std::is_same_v<Value, std::string>) {
    const auto* chars = reinterpret_cast<const char*>(in);
    value.assign(chars, std::find(chars, chars + kFixedStringBytes, '\0'));
    return in + kFixedStringBytes;
  } else if constexpr (std::is_same_v<Value, bool>) {
    // Any non-zero byte is true: a bool object must never hold another bit pattern.
    value = *in != std::byte{0};
    return in + 1;
  } else {
    std::memcpy(&value, in, sizeof(Value));
    return in + sizeof(Value);
  }
}

} // namespace detail

// Size in bytes of one packed row of Record in the file (and in write buffers).
template <class Record>
inline constexpr std::size_t kPackedRowBytes = std::apply(
    [](const auto&... column) {
      return (detail::column_bytes<typename std::remove_cvref_t<decltype(column)>::value_type>() + ...);
    },
    TableSchema<Record>::columns);

// Serializes `record` into kPackedRowBytes<Record> bytes at `out`.
template <class Record> inline void pack_row(const Record& record, std::byte* out) {
  std::apply([&](const auto&... column) { ((out = detail::pack_value(record.*(column.member), out)), ...); },
             TableSchema<Record>::columns);
}

// Inverse of pack_row().
template <class Record> inline void unpack_row(const std::byte* in, Record& record) {
  std::apply([&](const auto&... column) { ((in = detail::unpack_value(in, record.*(column.member))), ...); },
             TableSchema<Record>::columns);
}

// Fixed-width string column type: kFixedStringBytes bytes, UTF-8, null-padded.
H5::StrType fixed_string_type();
// Variable-length UTF-8 string, for attributes of unbounded size.
H5::StrType variable_string_type();

// HDF5 type of a column holding Value.
template <class Value> H5::DataType column_type() {
  if constexpr (std::is_same_v<Value, std::string>) {
    return fixed_string_type();
  } else if constexpr (std::is_same_v<Value, double>) {
    return H5::PredType::IEEE_F64LE;
  } else if constexpr (std::is_same_v<Value, float>) {
    return H5::PredType::IEEE_F32LE;
  } else if constexpr (std::is_same_v<Value, std::uint8_t> || std::is_same_v<Value, bool>) {
    return H5::PredType::STD_U8LE; // bool: 0 or 1
  } else if constexpr (std::is_same_v<Value, std::uint16_t>) {
    return H5::PredType::STD_U16LE;
  } else if constexpr (std::is_same_v<Value, std::uint32_t>) {
    return H5::PredType::STD_U32LE;
  } else if constexpr (std::is_same_v<Value, std::uint64_t>) {
    return H5::PredType::STD_U64LE;
  } else if constexpr (std::is_same_v<Value, std::int16_t>) {
    return H5::PredType::STD_I16LE;
  } else if constexpr (std::is_same_v<Value, std::int32_t>) {
    return H5::PredType::STD_I32LE;
  } else if constexpr (std::is_same_v<Value, std::int64_t>) {
    return H5::PredType::STD_I64LE;
  } else {
    static_assert(detail::kUnsupportedColumnType<Value>, "no HDF5 column type for this field type");
  }
}

// The packed compound type of Record's table; used both as file type and as memory
// type of the packed row buffers.
template <class Record> H5::CompType compound_type() {
  H5::CompType type(kPackedRowBytes<Record>);
  std::size_t offset = 0;
  std::apply(
      [&](const auto&... column) {
        auto insert = [&](const auto& one_column) {
          using Value = typename std::remove_cvref_t<decltype(one_column)>::value_type;
          type.insertMember(std::string(one_column.name), offset, column_type<Value>());
          offset += detail::column_bytes<Value>();
        };
        (insert(column), ...);
      },
      TableSchema<Record>::columns);
  return type;
}

inline H5::CompType request_type() {
  return compound_type<RequestRecord>();
}
inline H5::CompType timeline_type() {
  return compound_type<TimelineRecord>();
}
inline H5::CompType host_type() {
  return compound_type<HostRecord>();
}
inline H5::CompType summary_type() {
  return compound_type<SummaryRow>();
}
inline H5::CompType link_type() {
  return compound_type<LinkRecord>();
}

} // namespace edgesim::io
