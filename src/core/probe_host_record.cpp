#include "core/probe_host_record.hpp"

#include <edgesim/error.hpp>

#include "config/units.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace edgesim {
namespace {

// name, cores, speeds, four properties, wattage flag, idle, busy, tx; then properties.
constexpr std::size_t kFixedFields = 11;
constexpr char kKeyValueSeparator = '\x1f';

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case kKeyValueSeparator:
      out += "\\u";
      break;
    default:
      out += c;
    }
  }
}

[[noreturn]] void malformed(std::string_view line, std::string_view why) {
  throw RuntimeError(fmt::format("unexpected platform probe output ({}): \"{}\"", why, line));
}

std::string unescape(std::string_view field, std::string_view line) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      out += field[i];
      continue;
    }
    if (++i == field.size())
      malformed(line, "a field ends in a lone backslash");
    switch (field[i]) {
    case '\\':
      out += '\\';
      break;
    case 't':
      out += '\t';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    case 'u':
      out += kKeyValueSeparator;
      break;
    default:
      malformed(line, "unknown escape");
    }
  }
  return out;
}

void append_property(std::string& out, const std::optional<std::string>& value) {
  out += '\t';
  if (value) {
    out += '=';
    append_escaped(out, *value);
  }
}

std::optional<std::string> property(std::string_view field, std::string_view line) {
  if (field.empty())
    return std::nullopt;
  if (field.front() != '=')
    malformed(line, "a property field neither empty nor starting with '='");
  return unescape(field.substr(1), line);
}

template <class Number> Number whole_number(std::string_view text, std::string_view line, std::string_view what) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size())
    malformed(line, what);
  return value;
}

[[noreturn]] void bad_property(const std::string& file, const ProbeHostRecord& host, std::string_view property,
                               std::string_view expected, std::string_view found) {
  throw InputError(
      fmt::format("{}: host {}: property {}: expected {}, found \"{}\"", file, host.name, property, expected, found));
}

// A plain number: no unit, no leading space or '+', finite.
std::optional<double> plain_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

void append_numbers(std::string& out, const std::vector<double>& values) {
  for (std::size_t i = 0; i < values.size(); ++i)
    out += fmt::format("{}{:.17g}", i == 0 ? "" : ",", values[i]);
}

std::vector<double> numbers(std::string_view list, std::string_view line, std::string_view what) {
  std::vector<double> values;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    values.push_back(whole_number<double>(list.substr(0, comma), line, what));
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
  return values;
}

} // namespace

std::string encode_host_record(const ProbeHostRecord& host) {
  std::string out;
  append_escaped(out, host.name);
  out += fmt::format("\t{}\t", host.cores);
  append_numbers(out, host.pstate_speeds);
  append_property(out, host.ram_bytes);
  append_property(out, host.device_class);
  append_property(out, host.battery_wh);
  append_property(out, host.wifi_rate);
  out += host.has_wattage ? "\t1\t" : "\t0\t";
  append_numbers(out, host.idle_watts);
  out += '\t';
  append_numbers(out, host.busy_watts);
  out += fmt::format("\t{:.17g}", host.tx_watts);
  for (const auto& [key, value] : host.properties) {
    out += '\t';
    append_escaped(out, key);
    out += kKeyValueSeparator;
    append_escaped(out, value);
  }
  out += '\n';
  return out;
}

std::vector<ProbeHostRecord> decode_host_records(std::string_view text) {
  std::vector<ProbeHostRecord> hosts;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    if (newline == std::string_view::npos)
      malformed(text, "the last line is not terminated");
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    std::vector<std::string_view> fields;
    for (std::string_view rest = line;;) {
      const std::size_t tab = rest.find('\t');
      fields.push_back(rest.substr(0, tab));
      if (tab == std::string_view::npos)
        break;
      rest.remove_prefix(tab + 1);
    }
    if (fields.size() < kFixedFields)
      malformed(line, fmt::format("{} fields instead of at least {}", fields.size(), kFixedFields));
    ProbeHostRecord host;
    host.name = unescape(fields[0], line);
    host.cores = whole_number<int>(fields[1], line, "core count");
    host.pstate_speeds = numbers(fields[2], line, "pstate speed");
    if (host.pstate_speeds.empty())
      malformed(line, "no pstate speed");
    host.ram_bytes = property(fields[3], line);
    host.device_class = property(fields[4], line);
    host.battery_wh = property(fields[5], line);
    host.wifi_rate = property(fields[6], line);
    if (fields[7] != "0" && fields[7] != "1")
      malformed(line, "wattage flag");
    host.has_wattage = fields[7] == "1";
    host.idle_watts = numbers(fields[8], line, "idle power");
    host.busy_watts = numbers(fields[9], line, "busy power");
    host.tx_watts = whole_number<double>(fields[10], line, "transmit power");
    for (std::size_t f = kFixedFields; f < fields.size(); ++f) {
      const std::size_t separator = fields[f].find(kKeyValueSeparator);
      if (separator == std::string_view::npos)
        malformed(line, "a property without a key/value separator");
      host.properties.emplace(unescape(fields[f].substr(0, separator), line),
                              unescape(fields[f].substr(separator + 1), line));
    }
    hosts.push_back(std::move(host));
  }
  return hosts;
}

ProbedHost validate_host_record(const ProbeHostRecord& host, const std::string& file) {
  ProbedHost probed;
  probed.info.name = host.name;
  if (host.cores < 1)
    throw InputError(fmt::format("{}: host {}: expected at least one core, found {}", file, host.name, host.cores));
  for (double speed : host.pstate_speeds)
    if (!(speed > 0) || !std::isfinite(speed))
      throw InputError(fmt::format("{}: host {}: expected positive, finite speeds", file, host.name));
  if (host.pstate_speeds.empty())
    throw InputError(fmt::format("{}: host {}: expected at least one pstate speed", file, host.name));
  probed.info.cores = host.cores;
  probed.pstate_speeds = host.pstate_speeds;
  probed.info.speed = host.pstate_speeds.front();
  if (host.ram_bytes) {
    const auto bytes = units::parse_bytes(*host.ram_bytes);
    if (!bytes || !(*bytes >= 0))
      bad_property(file, host, "ram_bytes", "a non-negative size in bytes (a number or \"4GiB\")", *host.ram_bytes);
    probed.info.ram_bytes = *bytes;
  }
  probed.info.device_class = host.device_class.value_or("");
  if (host.battery_wh) {
    const auto wh = plain_number(*host.battery_wh);
    if (!wh || !(*wh >= 0))
      bad_property(file, host, "battery_wh", "a non-negative, finite capacity in Wh", *host.battery_wh);
    probed.battery_wh = *wh;
  }
  if (host.wifi_rate) {
    const std::string& text = *host.wifi_rate;
    int level = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), level);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || level < 0)
      bad_property(file, host, "wifi_rate", "a WiFi rate level index (an integer >= 0)", text);
    probed.wifi_rate = level;
  }
  probed.has_wattage = host.has_wattage;
  probed.info.pstate_speeds = probed.pstate_speeds;
  probed.info.battery_wh = probed.battery_wh;
  probed.idle_watts = host.idle_watts;
  probed.busy_watts = host.busy_watts;
  probed.info.idle_watts = host.idle_watts.empty() ? 0 : host.idle_watts.front();
  probed.info.busy_watts = host.busy_watts.empty() ? 0 : host.busy_watts.front();
  probed.info.tx_watts = host.tx_watts;
  probed.properties = host.properties;
  return probed;
}

} // namespace edgesim
