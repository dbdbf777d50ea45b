#pragma once
// SimGrid 3.32's WiFi energy plugin has no getter: it reports each WiFi link's energy
// in a log line when the link is destroyed (with the engine). This captures that log
// category in memory for the lifetime of one engine and parses the figures afterwards.
#include <edgesim/results.hpp>

#include <cstdio>
#include <vector>

namespace edgesim {

class WifiEnergyCapture {
public:
  WifiEnergyCapture();
  ~WifiEnergyCapture();
  WifiEnergyCapture(const WifiEnergyCapture&) = delete;
  WifiEnergyCapture& operator=(const WifiEnergyCapture&) = delete;

  /// Energy per WiFi link; call after the engine has been destroyed.
  std::vector<LinkRecord> take();

private:
  void release();
  char* buffer_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* stream_ = nullptr;
};

} // namespace edgesim
