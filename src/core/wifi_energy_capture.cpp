#include "core/wifi_energy_capture.hpp"

#include <xbt/log.h>

#include <cstdlib>
#include <sstream>
#include <string>

XBT_LOG_EXTERNAL_CATEGORY(link_energy_wifi);

namespace edgesim {

WifiEnergyCapture::WifiEnergyCapture() : stream_(open_memstream(&buffer_, &size_)) {
  if (stream_ == nullptr)
    return;
  auto* category = &_simgrid_log_category__link_energy_wifi;
  xbt_log_appender_set(category, xbt_log_appender_stream(stream_));
  xbt_log_layout_set(category, xbt_log_layout_format_new("%m%n"));
  xbt_log_additivity_set(category, 0);
  xbt_log_threshold_set(category, xbt_log_priority_info);
}

WifiEnergyCapture::~WifiEnergyCapture() {
  release();
}

void WifiEnergyCapture::release() {
  if (stream_ == nullptr)
    return;
  // Point the category back at stderr before the memory stream goes away.
  auto* category = &_simgrid_log_category__link_energy_wifi;
  xbt_log_appender_set(category, xbt_log_appender_stream(stderr));
  xbt_log_threshold_set(category, xbt_log_priority_warning);
  std::fclose(stream_);
  stream_ = nullptr;
  std::free(buffer_); // NOLINT(cppcoreguidelines-no-malloc): open_memstream's buffer
  buffer_ = nullptr;
}

std::vector<LinkRecord> WifiEnergyCapture::take() {
  std::vector<LinkRecord> links;
  if (stream_ == nullptr)
    return links;
  std::fflush(stream_);
  std::istringstream lines(std::string(buffer_, size_));
  // "Link NAME destroyed, consumed: X J dyn: ..."
  static constexpr std::string_view kPrefix = "Link ";
  static constexpr std::string_view kMiddle = " destroyed, consumed: ";
  for (std::string line; std::getline(lines, line);) {
    const auto middle = line.find(kMiddle);
    if (line.rfind(kPrefix, 0) != 0 || middle == std::string::npos)
      continue;
    LinkRecord record;
    record.name = line.substr(kPrefix.size(), middle - kPrefix.size());
    record.energy_j = std::strtod(line.c_str() + middle + kMiddle.size(), nullptr);
    links.push_back(std::move(record));
  }
  release();
  return links;
}

} // namespace edgesim
