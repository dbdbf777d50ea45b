#pragma once
// One dataset sample: a random edge deployment (devices, links, service chains cut into
// fragments placed on devices) drawn from a DatasetSpec, and the platform XML and
// scenario TOML that `edgesim run` simulates to label it.
//
// A sample is a pure function of (spec, device library, models, index): its generator is
// seeded with stream_seed(spec.seed, "dataset-sample", index), so sample i is the same
// whatever other samples are drawn, in any order, on any number of processes.
#include "dataset/dataset_spec.hpp"
#include "dataset/device_library.hpp"

#include <edgesim/model.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace edgesim::dataset {

/// A model a dataset may draw: its profile and the path a generated scenario names it by.
struct DatasetModel {
  ModelProfile profile;
  std::string file;      // resolved path it was loaded from
  std::string reference; // "models/<file name>", relative to the scenario
  std::string text;      // file contents (stored in the dataset for re-simulation)
};

/// Loads the spec's models; throws InputError for a bad model or two models with one file name.
[[nodiscard]] std::vector<DatasetModel> load_dataset_models(const DatasetSpec& spec);

struct DeviceNode {
  std::size_t kind = 0;        // index into the device library
  std::string name;            // host id in the generated platform
  int buffer = 1;              // K of every station on the device
  bool shared_station = false; // one station (one K) for every fragment on the device
  bool processor_sharing = false;
  double access_bandwidth = 0; // star topology: the device's access link, bytes/s
  double access_latency = 0;   // seconds
};

struct LinkNode {
  std::size_t a = 0, b = 0; // device indices (a == b: a star access link of device a)
  double bandwidth = 0;     // bytes/s
  double latency = 0;       // seconds
};

struct ChainNode {
  std::size_t model = 0;  // index into the dataset models
  std::size_t source = 0; // device where requests are born
  double arrival_rate = 0;
  double input_bytes = 0;
  std::string work = "deterministic";
  double work_scv = 0; // squared coefficient of variation of the work law
  std::string exit_policy = "none";
  std::vector<double> exit_parameters; // probabilities (n + 1) or thresholds (n)
  std::string placement;               // "random" or the policy that placed it
  std::size_t first_fragment = 0;
  std::size_t fragments = 0;
};

struct FragmentNode {
  std::size_t chain = 0;
  std::size_t position = 0; // 0 = first fragment of its chain
  std::size_t first_layer = 0, last_layer = 0;
  std::size_t device = 0;
  double flops = 0;      // layers only
  double exit_flops = 0; // classifiers inside the fragment
  double bytes_in = 0;   // activation received (the chain's input for the first)
  double bytes_out = 0;  // activation of its last layer
  double param_bytes = 0;
  double exits = 0;        // intermediate exits inside the fragment
  double exit_prob = 0;    // P(leave inside | reached), `probabilities` policy, else 0
  double reach_prob = 1;   // P(a request reaches this fragment)
  double service_time = 0; // mean compute time of one visit on its device, alone
};

struct Sample {
  std::uint64_t index = 0;
  std::uint64_t seed = 0; // simulation.seed of its scenario
  std::vector<DeviceNode> devices;
  std::vector<LinkNode> links; // platform links (star: one per device; mesh: one per pair)
  std::vector<ChainNode> chains;
  std::vector<FragmentNode> fragments;
  double duration = 0; // simulated arrival window, seconds
  double warmup = 0;   // seconds
};

/// The device-to-device route of an ordered pair: bottleneck bandwidth and total latency.
struct Route {
  double bandwidth = 0;
  double latency = 0;
};
[[nodiscard]] Route route_between(const Sample& sample, const DatasetSpec& spec, std::size_t a, std::size_t b);

[[nodiscard]] Sample draw_sample(const DatasetSpec& spec, const std::vector<DeviceKind>& library,
                                 const std::vector<DatasetModel>& models, std::uint64_t index);

/// File names of a sample's generated inputs ("s0000042.xml", "s0000042.toml").
[[nodiscard]] std::string platform_file_name(std::uint64_t index);
[[nodiscard]] std::string scenario_file_name(std::uint64_t index);

[[nodiscard]] std::string platform_xml(const Sample& sample, const std::vector<DeviceKind>& library,
                                       const DatasetSpec& spec);
[[nodiscard]] std::string scenario_toml(const Sample& sample, const std::vector<DatasetModel>& models,
                                        const DatasetSpec& spec);

} // namespace edgesim::dataset
