#include "dataset/device_library.hpp"

#include <edgesim/error.hpp>

#include "core/platform_probe.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace edgesim::dataset {

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
    kind.idle_w = host.idle_watts.empty() ? 0.0 : host.idle_watts.front();
    kind.busy_w = host.busy_watts.empty() ? 0.0 : host.busy_watts.front();
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
