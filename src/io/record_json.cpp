#include "io/record_json.hpp"

#include <edgesim/error.hpp>

#include <charconv>
#include <cmath>
#include <limits>

namespace edgesim::io::json {
namespace {

/// One past the bracket closing the object or array that starts at `begin`; strings are
/// skipped, so brackets inside names do not count.
std::size_t value_end(std::string_view text, std::size_t begin, std::string_view what) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t pos = begin; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0)
        return pos + 1;
    }
  }
  throw RuntimeError(fmt::format("{}: unterminated JSON", what));
}

template <class Integer> Integer read_integer(std::string_view value, std::string_view key, std::string_view what) {
  Integer number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc{} ||
      (end != value.data() + value.size() && std::string_view(",}] \t\r\n").find(*end) == std::string_view::npos))
    throw RuntimeError(fmt::format("{}: \"{}\" is not an integer", what, key));
  return number;
}

} // namespace

void append_number(std::string& out, double value) {
  if (std::isfinite(value))
    fmt::format_to(std::back_inserter(out), "{:.17g}", value);
  else
    out += "null";
}

void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
      continue;
    }
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  out += '"';
}

std::optional<std::string_view> find_member(std::string_view object, std::string_view key) {
  const std::string quoted = fmt::format("\"{}\":", key);
  const auto pos = object.find(quoted);
  if (pos == std::string_view::npos)
    return std::nullopt;
  return object.substr(pos + quoted.size());
}

std::string_view member(std::string_view object, std::string_view key, std::string_view what) {
  const auto value = find_member(object, key);
  if (!value)
    throw RuntimeError(fmt::format("{}: no field \"{}\"", what, key));
  return *value;
}

std::string_view enclosed_value(std::string_view text, std::string_view what) {
  if (!text.starts_with('{') && !text.starts_with('['))
    throw RuntimeError(fmt::format("{}: expected an object or an array", what));
  return text.substr(0, value_end(text, 0, what));
}

std::vector<std::string_view> array_objects(std::string_view array, std::string_view what) {
  std::vector<std::string_view> objects;
  for (std::size_t pos = 1; pos < array.size();) {
    const auto open = array.find('{', pos);
    if (open == std::string_view::npos)
      break;
    const auto end = value_end(array, open, what);
    objects.push_back(array.substr(open, end - open));
    pos = end;
  }
  return objects;
}

double read_double(std::string_view value, std::string_view key, std::string_view what) {
  if (value.starts_with("null"))
    return std::numeric_limits<double>::quiet_NaN();
  double number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc{})
    throw RuntimeError(fmt::format("{}: \"{}\" is not a number", what, key));
  return number;
}

std::uint64_t read_unsigned(std::string_view value, std::string_view key, std::string_view what) {
  return read_integer<std::uint64_t>(value, key, what);
}

std::int64_t read_signed(std::string_view value, std::string_view key, std::string_view what) {
  return read_integer<std::int64_t>(value, key, what);
}

std::string read_string(std::string_view value, std::string_view key, std::string_view what) {
  if (!value.starts_with('"'))
    throw RuntimeError(fmt::format("{}: \"{}\" is not a string", what, key));
  std::string text;
  for (std::size_t pos = 1; pos < value.size(); ++pos) {
    const char c = value[pos];
    if (c == '"')
      return text;
    if (c == '\\' && pos + 1 < value.size()) {
      const char escaped = value[++pos];
      if (escaped == 'u' && pos + 4 < value.size()) { // append_string escapes control characters so
        unsigned code = 0;
        std::from_chars(value.data() + pos + 1, value.data() + pos + 5, code, 16);
        text.push_back(static_cast<char>(code));
        pos += 4;
      } else {
        text.push_back(escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped);
      }
    } else {
      text.push_back(c);
    }
  }
  throw RuntimeError(fmt::format("{}: unterminated string \"{}\"", what, key));
}

} // namespace edgesim::io::json
