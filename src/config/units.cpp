#include "config/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

namespace edgesim::units {
namespace {

struct Unit {
  std::string_view suffix;
  double factor;
};

// Splits "12.5ms" into 12.5 and "ms"; leading/trailing spaces allowed.
std::optional<std::pair<double, std::string_view>> split_number(std::string_view text) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  double value = 0;
  const auto* begin = text.data();
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc{} || ptr == begin || !std::isfinite(value))
    return std::nullopt;
  std::string_view rest(ptr, static_cast<std::size_t>(end - ptr));
  while (!rest.empty() && rest.front() == ' ')
    rest.remove_prefix(1);
  return std::pair{value, rest};
}

template <std::size_t N>
std::optional<double> parse_with(std::string_view text, const std::array<Unit, N>& table, bool bare_allowed) {
  auto parsed = split_number(text);
  if (!parsed)
    return std::nullopt;
  auto [value, suffix] = *parsed;
  if (suffix.empty())
    return bare_allowed ? std::optional<double>(value) : std::nullopt;
  for (const auto& unit : table)
    if (suffix == unit.suffix)
      return value * unit.factor;
  return std::nullopt;
}

constexpr std::array kTimeUnits{Unit{"s", 1.0},    Unit{"ms", 1e-3},  Unit{"us", 1e-6},  Unit{"ns", 1e-9},
                                Unit{"min", 60.0}, Unit{"h", 3600.0}, Unit{"d", 86400.0}};
// Byte-based (B) and bit-based (b) rates; decimal prefixes as network vendors use them.
constexpr std::array kBandwidthUnits{Unit{"Bps", 1.0},           Unit{"kBps", 1e3},     Unit{"KBps", 1e3},
                                     Unit{"MBps", 1e6},          Unit{"GBps", 1e9},     Unit{"bps", 0.125},
                                     Unit{"kbps", 125.0},        Unit{"Kbps", 125.0},   Unit{"Mbps", 125000.0},
                                     Unit{"Gbps", 1.25e8},       Unit{"KiBps", 1024.0}, Unit{"MiBps", 1048576.0},
                                     Unit{"GiBps", 1073741824.0}};
constexpr std::array kPowerUnits{Unit{"W", 1.0}, Unit{"mW", 1e-3}, Unit{"kW", 1e3}};
constexpr std::array kEnergyUnits{Unit{"J", 1.0}, Unit{"kJ", 1e3}, Unit{"Wh", 3600.0}, Unit{"mWh", 3.6},
                                  Unit{"kWh", 3.6e6}};
constexpr std::array kByteUnits{Unit{"B", 1.0},         Unit{"kB", 1e3},          Unit{"KB", 1e3},
                                Unit{"MB", 1e6},        Unit{"GB", 1e9},          Unit{"KiB", 1024.0},
                                Unit{"MiB", 1048576.0}, Unit{"GiB", 1073741824.0}};

} // namespace

std::optional<double> parse_seconds(std::string_view text) {
  return parse_with(text, kTimeUnits, true);
}
std::optional<double> parse_bandwidth(std::string_view text) {
  return parse_with(text, kBandwidthUnits, true);
}
std::optional<double> parse_watts(std::string_view text) {
  return parse_with(text, kPowerUnits, true);
}
std::optional<double> parse_energy(std::string_view text) {
  return parse_with(text, kEnergyUnits, true);
}
std::optional<double> parse_bytes(std::string_view text) {
  return parse_with(text, kByteUnits, true);
}

} // namespace edgesim::units
