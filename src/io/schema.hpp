#pragma once
// The HDF5 side of a run file's layout (docs/formats.md): the packed compound type of
// each table io/record_schema.hpp describes, and the row packing its writers and
// readers share.
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
#include "io/record_schema.hpp"

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
