// Fuzz target: edgesim's own handling of a probed platform (core/probe_host_record.cpp):
// the wire format between the probe's child and parent, and the validation of host
// properties (ram_bytes, battery_wh, wifi_rate). SimGrid's XML parsing is not fuzzed
// here: it runs in the probe's forked child, where an abort is already turned into an
// InputError.
//
// Input: fields separated by '\0' - host name, ram_bytes, device_class, battery_wh,
// wifi_rate; a missing trailing field is an absent property. The same bytes are also
// decoded as raw probe output, which may only be refused with a RuntimeError.
#include "fuzz_support.hpp"

#include "core/probe_host_record.hpp"

#include <edgesim/error.hpp>

#include <cmath>
#include <optional>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using edgesim::fuzz::require;
  const std::string_view input = edgesim::fuzz::as_text(data, size);
  try {
    for (const auto& record : edgesim::decode_host_records(input))
      require(edgesim::decode_host_records(edgesim::encode_host_record(record)).front() == record,
              "decoded records encode back to themselves");
  } catch (const edgesim::RuntimeError&) {
  }

  const auto fields = edgesim::fuzz::split(input, '\0');
  auto field = [&](std::size_t i) -> std::optional<std::string> {
    return i < fields.size() ? std::optional<std::string>(fields[i]) : std::nullopt;
  };
  edgesim::ProbeHostRecord record;
  record.name = std::string(fields[0]);
  record.cores = 1 + static_cast<int>(size % 8);
  record.pstate_speeds = {1e9, 5e8};
  record.ram_bytes = field(1);
  record.device_class = field(2);
  record.battery_wh = field(3);
  record.wifi_rate = field(4);
  record.has_wattage = size % 2 == 0;
  const auto decoded = edgesim::decode_host_records(edgesim::encode_host_record(record));
  require(decoded.size() == 1 && decoded.front() == record, "a record survives the probe's pipe unchanged");
  return edgesim::fuzz::accept_input_errors([&] {
    const auto host = edgesim::validate_host_record(decoded.front(), "fuzz.xml");
    require(host.info.name == record.name, "host name");
    require(host.info.ram_bytes >= 0 && std::isfinite(host.info.ram_bytes), "finite, non-negative ram_bytes");
    require(host.battery_wh >= 0 && std::isfinite(host.battery_wh), "finite, non-negative battery_wh");
    require(host.wifi_rate >= 0, "wifi_rate >= 0");
  });
}
