#include "io/summary_json.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <string>

namespace edgesim::io {
namespace {

/// The extent of the JSON value (object/array) starting at `begin`; strings skipped.
std::size_t value_end(std::string_view json, std::size_t begin) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t pos = begin; pos < json.size(); ++pos) {
    const char c = json[pos];
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
  throw RuntimeError("run summary: unterminated JSON");
}

std::string_view member(std::string_view object, std::string_view key) {
  const std::string quoted = fmt::format("\"{}\":", key);
  const auto pos = object.find(quoted);
  if (pos == std::string_view::npos)
    throw RuntimeError(fmt::format("run summary: no field \"{}\"", key));
  return object.substr(pos + quoted.size());
}

double number_member(std::string_view object, std::string_view key) {
  const std::string_view text = member(object, key);
  if (text.starts_with("null"))
    return std::numeric_limits<double>::quiet_NaN();
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{})
    throw RuntimeError(fmt::format("run summary: \"{}\" is not a number", key));
  return value;
}

std::string string_member(std::string_view object, std::string_view key) {
  const std::string_view text = member(object, key);
  if (!text.starts_with('"'))
    throw RuntimeError(fmt::format("run summary: \"{}\" is not a string", key));
  std::string value;
  for (std::size_t pos = 1; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '"')
      return value;
    if (c == '\\' && pos + 1 < text.size()) {
      const char e = text[++pos];
      if (e == 'u' && pos + 4 < text.size()) { // the writer escapes control characters only
        unsigned code = 0;
        std::from_chars(text.data() + pos + 1, text.data() + pos + 5, code, 16);
        value.push_back(static_cast<char>(code));
        pos += 4;
      } else {
        value.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
      }
    } else {
      value.push_back(c);
    }
  }
  throw RuntimeError(fmt::format("run summary: unterminated string \"{}\"", key));
}

SummaryRow summary_row(std::string_view object) {
  SummaryRow row;
  row.tenant = string_member(object, "tenant");
  row.offered = static_cast<std::uint64_t>(number_member(object, "offered"));
  row.served = static_cast<std::uint64_t>(number_member(object, "served"));
  row.lost = static_cast<std::uint64_t>(number_member(object, "lost"));
  row.loss_ratio = number_member(object, "loss_ratio");
  row.throughput = number_member(object, "throughput");
  row.latency_mean = number_member(object, "latency_mean");
  row.latency_p50 = number_member(object, "latency_p50");
  row.latency_p95 = number_member(object, "latency_p95");
  row.latency_p99 = number_member(object, "latency_p99");
  row.accuracy = number_member(object, "accuracy");
  row.effective_accuracy = number_member(object, "effective_accuracy");
  row.slo_violation_ratio = number_member(object, "slo_violation_ratio");
  row.energy_j = number_member(object, "energy_j");
  row.energy_per_served_j = number_member(object, "energy_per_served_j");
  row.energy_dynamic_j = number_member(object, "energy_dynamic_j");
  row.energy_static_j = number_member(object, "energy_static_j");
  return row;
}

} // namespace

std::vector<SummaryRow> parse_summary_json(std::string_view json) {
  std::vector<SummaryRow> rows;
  const std::string_view tenants = member(json, "tenants");
  if (!tenants.starts_with('['))
    throw RuntimeError("run summary: \"tenants\" is not an array");
  const std::string_view array = tenants.substr(0, value_end(tenants, 0));
  for (std::size_t pos = 1; pos < array.size();) {
    const auto open = array.find('{', pos);
    if (open == std::string_view::npos)
      break;
    const auto end = value_end(array, open);
    rows.push_back(summary_row(array.substr(open, end - open)));
    pos = end;
  }
  const std::string_view all = member(json, "all");
  if (!all.starts_with('{'))
    throw RuntimeError("run summary: \"all\" is not an object");
  rows.push_back(summary_row(all.substr(0, value_end(all, 0))));
  return rows;
}

} // namespace edgesim::io
