#pragma once
// What the platform probe's child process reports for each host, and its validation in
// the parent. The child only copies SimGrid's view of a host (name, cores, pstate
// speeds, the text of edgesim's host properties) onto a pipe; the parent decodes that
// and checks every property, so a bad property value is an InputError naming the file,
// the host and the property, never a silently wrong number.
//
// Wire format: one line per host, tab-separated fields; a property field is empty when
// the property is absent and "=" + its value otherwise; the power lists follow, then
// every host property as "key<US>value". Backslash, tab, newline and
// carriage return inside a field are escaped (\\, \t, \n, \r), so host names and
// property values may hold any byte.
#include "core/platform_probe.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim {

struct ProbeHostRecord {
  std::string name;
  int cores = 1;
  std::vector<double> pstate_speeds; // flops, pstate 0 first
  std::optional<std::string> ram_bytes;
  std::optional<std::string> device_class;
  std::optional<std::string> battery_wh;
  std::optional<std::string> wifi_rate;
  bool has_wattage = false;                      // wattage_per_state is set
  std::vector<double> idle_watts;                // per pstate, as SimGrid's energy plugin reads them
  std::vector<double> busy_watts;                // per pstate, every core busy
  double tx_watts = 0;                           // radio transmit power (see route_table.hpp)
  std::map<std::string, std::string> properties; // every <prop> of the host, verbatim
  bool operator==(const ProbeHostRecord&) const = default;
};

/// One line, ending in '\n'.
std::string encode_host_record(const ProbeHostRecord& host);

/// The records of a probe's output; a line that does not follow the wire format is a
/// RuntimeError (the child and the parent disagree: our bug, not the user's).
std::vector<ProbeHostRecord> decode_host_records(std::string_view text);

/// Checks the record's properties: ram_bytes (bytes, a number or a size such as
/// "4GiB"), battery_wh (Wh) are finite and non-negative, wifi_rate a rate level index
/// (integer >= 0). Throws InputError naming `file`, the host and the property.
ProbedHost validate_host_record(const ProbeHostRecord& host, const std::string& file);

} // namespace edgesim
