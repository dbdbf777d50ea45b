#include "dataset/device_library.hpp"

#include <edgesim/error.hpp>

#include "core/platform_probe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace edgesim::dataset {
namespace {

/// Idle and all-cores power of pstate 0 from "Idle:Epsilon:AllCores[,...]"; 0 W when absent.
std::pair<double, double> pstate0_power(const std::map<std::string, std::string>& properties,
                                        const std::string& library_file, const std::string& host) {
  const auto it = properties.find("wattage_per_state");
  if (it == properties.end())
    return {0.0, 0.0};
  const std::string first = it->second.substr(0, it->second.find(','));
  std::vector<double> values;
  std::size_t start = 0;
  while (start <= first.size()) {
    const std::size_t colon = std::min(first.find(':', start), first.size());
    const std::string field = first.substr(start, colon - start);
    char* end = nullptr;
    const double value = std::strtod(field.c_str(), &end);
    if (field.empty() || *end != '\0')
      throw InputError(fmt::format("{}: host {}: wattage_per_state: expected \"Idle:Epsilon:AllCores\" watts, found "
                                   "\"{}\"",
                                   library_file, host, it->second));
    values.push_back(value);
    start = colon + 1;
  }
  if (values.size() < 2)
    throw InputError(fmt::format("{}: host {}: wattage_per_state: expected \"Idle:Epsilon:AllCores\" watts, found "
                                 "\"{}\"",
                                 library_file, host, it->second));
  return {values.front(), values.back()};
}

} // namespace

std::vector<DeviceKind> load_device_library(const std::string& library_file, const std::vector<std::string>& kinds,
                                            const std::string& spec_file) {
  const PlatformInfo platform = probe_platform(library_file);
  std::vector<DeviceKind> library;
  for (const ProbedHost& host : platform.hosts) {
    DeviceKind kind;
    kind.name = host.info.name;
    kind.device_class = host.info.device_class;
    kind.pstate_speeds = host.pstate_speeds;
    kind.cores = host.info.cores;
    kind.ram_bytes = host.info.ram_bytes;
    kind.properties = host.properties;
    std::tie(kind.idle_w, kind.busy_w) = pstate0_power(host.properties, library_file, kind.name);
    library.push_back(std::move(kind));
  }
  if (kinds.empty())
    return library;
  std::vector<DeviceKind> chosen;
  for (const auto& name : kinds) {
    auto it = std::find_if(library.begin(), library.end(), [&](const DeviceKind& k) { return k.name == name; });
    if (it == library.end()) {
      std::string names;
      for (const auto& k : library)
        names += (names.empty() ? "" : ", ") + k.name;
      throw InputError(fmt::format("{}: devices.kinds: expected host ids of {} ({}), found \"{}\"", spec_file,
                                   library_file, names, name));
    }
    chosen.push_back(*it);
  }
  return chosen;
}

} // namespace edgesim::dataset
