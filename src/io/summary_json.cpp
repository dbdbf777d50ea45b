#include "io/summary_json.hpp"

#include "io/record_json.hpp"

#include <edgesim/error.hpp>

#include <span>

namespace edgesim::io {
namespace {

constexpr std::string_view kWhat = "run summary";

template <class Record> void append_array(std::string& out, std::string_view key, std::span<const Record> records) {
  json::append_string(out, key);
  out += ":[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i > 0)
      out += ',';
    append_json(out, records[i]);
  }
  out += ']';
}

template <class Record> std::vector<Record> read_array(std::string_view json, std::string_view key) {
  const std::string_view value = json::member(json, key, kWhat);
  if (!value.starts_with('['))
    throw RuntimeError(fmt::format("{}: \"{}\" is not an array", kWhat, key));
  std::vector<Record> records;
  for (const std::string_view object : json::array_objects(json::enclosed_value(value, kWhat), kWhat))
    records.push_back(read_json<Record>(object, kWhat));
  return records;
}

SummaryRow read_all_row(std::string_view json) {
  const std::string_view all = json::member(json, "all", kWhat);
  if (!all.starts_with('{'))
    throw RuntimeError(fmt::format("{}: \"all\" is not an object", kWhat));
  return read_json<SummaryRow>(json::enclosed_value(all, kWhat), kWhat);
}

} // namespace

std::string summary_json(const RunSummary& summary) {
  const std::span<const SummaryRow> rows(summary.rows);
  std::string out = "{";
  append_array(out, "tenants", rows.first(rows.size() - 1));
  out += ",\"all\":";
  append_json(out, rows.back());
  out += ',';
  append_array(out, "hosts", std::span<const HostRecord>(summary.hosts));
  out += ',';
  append_array(out, "links", std::span<const LinkRecord>(summary.links));
  out += ",\"simulated_seconds\":";
  json::append_number(out, summary.simulated_seconds);
  out += "}\n";
  return out;
}

std::vector<SummaryRow> parse_summary_json(std::string_view json) {
  std::vector<SummaryRow> rows = read_array<SummaryRow>(json, "tenants");
  rows.push_back(read_all_row(json));
  return rows;
}

RunSummary parse_run_summary_json(std::string_view json) {
  RunSummary summary;
  summary.rows = parse_summary_json(json);
  summary.hosts = read_array<HostRecord>(json, "hosts");
  summary.links = read_array<LinkRecord>(json, "links");
  summary.simulated_seconds =
      json::read_double(json::member(json, "simulated_seconds", kWhat), "simulated_seconds", kWhat);
  return summary;
}

} // namespace edgesim::io
