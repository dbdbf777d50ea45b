#pragma once
// A record as one JSON object, its members the record's columns (io/record_schema.hpp)
// in file order: the form `edgesim run --json` prints and sweeps keep per run. Numbers
// are written with 17 significant digits, so they read back bit for bit; a non-finite
// double is written as null and reads back as NaN. Strings escape quotes, backslashes
// and control characters, and nothing else (names are UTF-8).
//
// Reading looks each column up by name inside the object, so members may come in any
// order and unknown members are ignored; a missing member is an error (a column of
// zeros would be silently wrong), except for a column marked optional_on_read.
#include "io/record_schema.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace edgesim::io {

namespace json {

void append_number(std::string& out, double value);
void append_string(std::string& out, std::string_view text);

/// The text of the value of member `key` of `object` up to the end of `object`;
/// nullopt if there is no such member.
[[nodiscard]] std::optional<std::string_view> find_member(std::string_view object, std::string_view key);
/// As find_member; throws RuntimeError "what: no field KEY" when it is missing.
[[nodiscard]] std::string_view member(std::string_view object, std::string_view key, std::string_view what);
/// The object or array that `text` starts with (up to its matching bracket).
[[nodiscard]] std::string_view enclosed_value(std::string_view text, std::string_view what);
/// The objects of the array `array` (as enclosed_value gives it), in order.
[[nodiscard]] std::vector<std::string_view> array_objects(std::string_view array, std::string_view what);

[[nodiscard]] double read_double(std::string_view value, std::string_view key, std::string_view what);
[[nodiscard]] std::uint64_t read_unsigned(std::string_view value, std::string_view key, std::string_view what);
[[nodiscard]] std::int64_t read_signed(std::string_view value, std::string_view key, std::string_view what);
[[nodiscard]] std::string read_string(std::string_view value, std::string_view key, std::string_view what);

} // namespace json

/// Appends `record` as one JSON object to `out`.
template <class Record> void append_json(std::string& out, const Record& record) {
  char separator = '{';
  for_each_column<Record>([&](const auto& column) {
    using Value = typename std::remove_cvref_t<decltype(column)>::value_type;
    out += separator;
    separator = ',';
    json::append_string(out, column.name);
    out += ':';
    const Value& value = record.*(column.member);
    if constexpr (std::is_same_v<Value, std::string>)
      json::append_string(out, value);
    else if constexpr (std::is_floating_point_v<Value>)
      json::append_number(out, static_cast<double>(value));
    else
      fmt::format_to(std::back_inserter(out), "{}",
                     static_cast<std::conditional_t<std::is_same_v<Value, bool>, int, Value>>(value));
  });
  out += '}';
}

/// Reads a record from the JSON object `object` (as append_json writes it). Throws
/// RuntimeError naming `what` and the member when a member is missing or malformed.
template <class Record> Record read_json(std::string_view object, std::string_view what) {
  Record record;
  for_each_column<Record>([&](const auto& column) {
    using Value = typename std::remove_cvref_t<decltype(column)>::value_type;
    // A required member is looked up with member(), which throws naming it when missing.
    const std::optional<std::string_view> text = column.optional_on_read
                                                     ? json::find_member(object, column.name)
                                                     : std::optional(json::member(object, column.name, what));
    if (!text)
      return;
    Value& value = record.*(column.member);
    if constexpr (std::is_same_v<Value, std::string>)
      value = json::read_string(*text, column.name, what);
    else if constexpr (std::is_floating_point_v<Value>)
      value = static_cast<Value>(json::read_double(*text, column.name, what));
    else if constexpr (std::is_same_v<Value, bool>)
      value = json::read_unsigned(*text, column.name, what) != 0;
    else if constexpr (std::is_signed_v<Value>)
      value = static_cast<Value>(json::read_signed(*text, column.name, what));
    else
      value = static_cast<Value>(json::read_unsigned(*text, column.name, what));
  });
  return record;
}

} // namespace edgesim::io
