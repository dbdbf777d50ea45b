#pragma once
// The device kinds a dataset draws devices from: the hosts of a SimGrid platform file
// (platforms/devices.xml by default), loaded by SimGrid itself through probe_platform,
// with every property kept so generated platforms copy a kind's host verbatim.
#include <map>
#include <string>
#include <vector>

namespace edgesim::dataset {

struct DeviceKind {
  std::string name;         // host id in the library
  std::string device_class; // `device_class` property (selects model efficiencies)
  std::vector<double> pstate_speeds;
  int cores = 1;
  double ram_bytes = 0;
  double idle_w = 0; // pstate 0 of wattage_per_state "Idle:Epsilon:AllCores"
  double busy_w = 0; // all cores busy
  std::map<std::string, std::string> properties;
};

/// The library's hosts named in `kinds` (all of them, sorted by name, when empty).
/// Throws InputError naming `spec_file` and the key `devices.kinds` for an unknown kind.
[[nodiscard]] std::vector<DeviceKind> load_device_library(const std::string& library_file,
                                                          const std::vector<std::string>& kinds,
                                                          const std::string& spec_file);

} // namespace edgesim::dataset
