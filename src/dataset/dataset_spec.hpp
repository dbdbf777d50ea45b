#pragma once
// The specification of a GNN training dataset (`edgesim dataset SPEC.toml`): the
// distributions every random part of a sample is drawn from. Validated like a scenario:
// unknown keys, wrong types and impossible ranges are InputErrors naming the file, the
// line and the key path. See docs/datasets.md for the keys.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::dataset {

/// An inclusive integer range drawn uniformly.
struct IntRange {
  int lo = 1;
  int hi = 1;
};

/// A real range [lo, hi]; drawn log-uniformly when `log_scale` (bandwidths, latencies).
struct RealRange {
  double lo = 0;
  double hi = 0;
  bool log_scale = false;
};

enum class Topology { Star, Mesh };
enum class RateMode { Rate, Load };

struct DatasetSpec {
  std::string file;     // as given
  std::string text;     // the TOML text, stored in the dataset
  std::string base_dir; // relative paths resolve against it
  std::uint64_t seed = 1;

  // [devices]
  std::string library_file;       // SimGrid platform whose hosts are the device kinds
  std::vector<std::string> kinds; // host ids of the library to draw from (empty: all)
  IntRange device_count{2, 4};
  IntRange buffer{2, 10}; // K of every station on the device
  // Station model of a device, drawn per device: "per-fragment" (a station with its own K
  // per fragment) or "shared" (one station, one K, for every fragment on the device);
  // discipline "fcfs" or "ps" (processor sharing). One entry: every device uses it.
  std::vector<std::string> stations{"per-fragment"};
  std::vector<std::string> disciplines{"fcfs"};
  bool all_used = false; // every device holds a fragment (random placements; redrawn otherwise)

  // [links]
  Topology topology = Topology::Star;
  RealRange bandwidth{12.5e6, 125e6, true}; // bytes/s
  RealRange latency{1e-4, 5e-3, true};      // seconds

  // [chains]
  IntRange chain_count{1, 3};
  std::vector<std::string> models; // resolved model files
  IntRange fragments{1, 3};
  std::vector<std::string> placements{"random"}; // "random" or a placement policy name
  RateMode rate_mode = RateMode::Load;
  RealRange arrival{0.2, 1.2, false};                  // requests/s (rate) or load of the bottleneck fragment
  std::vector<std::string> work{"deterministic"};      // registered work laws that take no parameters
  std::map<std::string, double, std::less<>> work_scv; // of each law in `work`, a chain feature
  std::vector<std::string> exit_policies{"none"};      // of kSampleExitPolicies
  RealRange threshold{0.5, 0.95, false};
  // A chain's fragments on distinct devices, its requests born on the first one (random
  // placements): ChainNet's chains, which never revisit a device.
  bool distinct_devices = false;

  // [simulation]
  std::uint64_t requests = 1000; // mean arrivals per chain (sets the simulated duration)
  double warmup_fraction = 0.1;  // of the duration, excluded from the labels
  std::string network_model = "CM02";
};

/// The exit policies the sample generator draws parameters for (exit probabilities, or
/// thresholds), in the order of their code in /chains. A sample's features describe its
/// chains' exit probabilities, which the generator knows for these alone: another
/// registered exit policy is refused by name.
inline constexpr std::array<std::string_view, 3> kSampleExitPolicies{"none", "probabilities", "threshold"};

/// Reads and validates SPEC.toml; throws InputError "file:line: key: expected ...".
[[nodiscard]] DatasetSpec load_dataset_spec(const std::string& file);

} // namespace edgesim::dataset
