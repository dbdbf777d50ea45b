#pragma once
// Parsing of quantities with units, as they appear in scenario files and --set values:
// "250ms", "12MBps", "100Mbps", "5W", "12.1Wh", "2GiB". Each parser returns SI base
// units (seconds, bytes/s, watts, joules, bytes) or std::nullopt when the text is not a
// number followed by a unit of the right kind.
#include <optional>
#include <string_view>

namespace edgesim::units {

std::optional<double> parse_seconds(std::string_view text);
std::optional<double> parse_bandwidth(std::string_view text); // bytes per second
std::optional<double> parse_watts(std::string_view text);
std::optional<double> parse_energy(std::string_view text); // joules ("12Wh", "5J", "3kJ")
std::optional<double> parse_bytes(std::string_view text);

} // namespace edgesim::units
