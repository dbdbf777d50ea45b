// Dataset generation without simulation: spec parsing, sample drawing, label records,
// the ChainNet text format.
#include "dataset/chainnet_writer.hpp"
#include "dataset/dataset_spec.hpp"
#include "dataset/device_library.hpp"
#include "dataset/sample_generator.hpp"
#include "dataset/sample_labels.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace edgesim::dataset {
namespace {

namespace fs = std::filesystem;

const std::string kSmallSpec = std::string(EDGESIM_SOURCE_DIR) + "/scenarios/datasets/small.toml";
const std::string kChainNetSpec = std::string(EDGESIM_SOURCE_DIR) + "/scenarios/datasets/chainnet.toml";

struct Loaded {
  DatasetSpec spec;
  std::vector<DeviceKind> library;
  std::vector<DatasetModel> models;
};

Loaded load(const std::string& file) {
  Loaded l;
  l.spec = load_dataset_spec(file);
  l.library = load_device_library(l.spec.library_file, l.spec.kinds, l.spec.file);
  l.models = load_dataset_models(l.spec);
  return l;
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

TEST(DatasetSpec, ReadsRangesUnitsAndLists) {
  const DatasetSpec spec = load_dataset_spec(kChainNetSpec);
  EXPECT_EQ(spec.seed, 2024U);
  EXPECT_EQ(spec.device_count.lo, 2);
  EXPECT_EQ(spec.device_count.hi, 10);
  EXPECT_EQ(spec.chain_count.hi, 3);
  EXPECT_DOUBLE_EQ(spec.bandwidth.lo, 20e6 / 8);
  EXPECT_DOUBLE_EQ(spec.bandwidth.hi, 1e9 / 8);
  EXPECT_TRUE(spec.bandwidth.log_scale);
  EXPECT_DOUBLE_EQ(spec.latency.hi, 5e-3);
  EXPECT_EQ(spec.rate_mode, RateMode::Load);
  EXPECT_EQ(spec.models.size(), 5U);
  EXPECT_TRUE(fs::is_regular_file(spec.models.front())) << "models resolve against the spec's directory";
  EXPECT_EQ(spec.kinds.size(), 5U);
}

TEST(DeviceLibrary, ReadsHostsAndPowerOfTheLibrary) {
  const Loaded l = load(kSmallSpec);
  ASSERT_EQ(l.library.size(), 4U);
  const auto& pi = l.library[0];
  EXPECT_EQ(pi.name, "rpi4b");
  EXPECT_EQ(pi.cores, 4);
  EXPECT_DOUBLE_EQ(pi.pstate_speeds.at(0), 5.148e9);
  EXPECT_DOUBLE_EQ(pi.idle_w, 2.7);
  EXPECT_DOUBLE_EQ(pi.busy_w, 6.4);
  EXPECT_DOUBLE_EQ(pi.ram_bytes, 2147483648.0);
  EXPECT_EQ(pi.properties.at("device_class"), "rpi4b");
}

TEST(SampleGenerator, ASampleIsAPureFunctionOfItsIndex) {
  const Loaded l = load(kChainNetSpec);
  const Sample a = draw_sample(l.spec, l.library, l.models, 17);
  const Sample b = draw_sample(l.spec, l.library, l.models, 17);
  const Sample c = draw_sample(l.spec, l.library, l.models, 18);
  EXPECT_EQ(scenario_toml(a, l.models, l.spec), scenario_toml(b, l.models, l.spec));
  EXPECT_EQ(platform_xml(a, l.library, l.spec), platform_xml(b, l.library, l.spec));
  EXPECT_NE(scenario_toml(a, l.models, l.spec), scenario_toml(c, l.models, l.spec));
  EXPECT_NE(a.seed, c.seed);
}

TEST(SampleGenerator, SamplesRespectTheSpecAndCoverEachModel) {
  const Loaded l = load(kChainNetSpec);
  for (std::uint64_t index = 0; index < 200; ++index) {
    const Sample s = draw_sample(l.spec, l.library, l.models, index);
    ASSERT_GE(s.devices.size(), 2U);
    ASSERT_LE(s.devices.size(), 10U);
    ASSERT_GE(s.chains.size(), 1U);
    ASSERT_LE(s.chains.size(), 3U);
    std::vector<double> ram(s.devices.size(), 0.0);
    for (const ChainNode& chain : s.chains) {
      ASSERT_GE(chain.fragments, 1U);
      ASSERT_LE(chain.fragments, 5U);
      ASSERT_GT(chain.arrival_rate, 0);
      const auto& model = l.models[chain.model].profile;
      std::size_t next_layer = 0;
      for (std::size_t f = chain.first_fragment; f < chain.first_fragment + chain.fragments; ++f) {
        const FragmentNode& fragment = s.fragments[f];
        EXPECT_EQ(fragment.first_layer, next_layer) << "fragments are contiguous";
        next_layer = fragment.last_layer + 1;
        EXPECT_GT(fragment.service_time, 0);
        EXPECT_LE(fragment.reach_prob, 1.0);
        EXPECT_GE(fragment.exit_prob, 0.0);
      }
      EXPECT_EQ(next_layer, model.layers.size()) << "fragments cover the model";
      if (chain.exit_policy == "probabilities") {
        double total = 0;
        for (double q : chain.exit_parameters)
          total += q;
        EXPECT_NEAR(total, 1.0, 1e-12);
      }
    }
    for (const DeviceNode& device : s.devices) {
      EXPECT_GE(device.buffer, 2);
      EXPECT_LE(device.buffer, 20);
      EXPECT_GE(device.access_bandwidth, l.spec.bandwidth.lo);
      EXPECT_LE(device.access_bandwidth, l.spec.bandwidth.hi);
    }
    EXPECT_GT(s.duration, 0);
    EXPECT_NEAR(s.warmup, 0.1 * s.duration, 1e-9 * s.duration);
  }
}

TEST(SampleGenerator, LinksAreLoadedBelowTheirBandwidth) {
  const Loaded l = load(kChainNetSpec);
  for (std::uint64_t index = 0; index < 100; ++index) {
    const Sample s = draw_sample(l.spec, l.library, l.models, index);
    std::vector<double> busy(s.devices.size(), 0.0); // star: one access link per device
    for (const ChainNode& chain : s.chains) {
      std::size_t from = chain.source;
      for (std::size_t f = chain.first_fragment; f < chain.first_fragment + chain.fragments; ++f) {
        const FragmentNode& fragment = s.fragments[f];
        if (from != fragment.device) {
          const double bytes = chain.arrival_rate * fragment.reach_prob * fragment.bytes_in;
          busy[from] += bytes / s.devices[from].access_bandwidth;
          busy[fragment.device] += bytes / s.devices[fragment.device].access_bandwidth;
        }
        from = fragment.device;
      }
    }
    for (double b : busy)
      EXPECT_LE(b, 0.8 + 1e-9) << "sample " << index;
  }
}

TEST(SampleLabels, RecordsRoundTripBitForBit) {
  SampleLabels labels;
  labels.index = 123456789012ULL;
  labels.wall_seconds = 0.25;
  labels.chains = 2;
  labels.devices = 1;
  for (std::size_t i = 0; i < 2 * chain_target_columns().size(); ++i)
    labels.chain_targets.push_back(i == 3 ? std::numeric_limits<double>::quiet_NaN()
                                          : 1.0 / (1.0 + static_cast<double>(i)));
  for (std::size_t i = 0; i < device_target_columns().size(); ++i)
    labels.device_targets.push_back(std::nextafter(2.0 * static_cast<double>(i), 100.0));
  const SampleLabels back = decode_labels(encode_labels(labels));
  EXPECT_EQ(back.index, labels.index);
  EXPECT_EQ(back.chains, 2U);
  ASSERT_EQ(back.chain_targets.size(), labels.chain_targets.size());
  EXPECT_EQ(
      std::memcmp(back.chain_targets.data(), labels.chain_targets.data(), labels.chain_targets.size() * sizeof(double)),
      0);
  EXPECT_EQ(back.device_targets, labels.device_targets);
  std::string truncated = encode_labels(labels);
  truncated.pop_back();
  EXPECT_THROW((void)decode_labels(truncated), RuntimeError);
}

TEST(ChainNetWriter, WritesOneLinePerSampleAndPerChain) {
  const Loaded l = load(kChainNetSpec);
  const fs::path directory = fs::temp_directory_path() / fmt::format("edgesim-chainnet-{}", ::getpid());
  std::size_t chains = 0;
  std::vector<Sample> samples;
  {
    ChainNetWriter writer(directory);
    for (std::uint64_t index = 0; index < 5; ++index) {
      const Sample s = draw_sample(l.spec, l.library, l.models, index);
      SampleLabels labels;
      labels.chains = s.chains.size();
      labels.devices = s.devices.size();
      for (const auto& chain : s.chains)
        for (const auto& column : chain_target_columns())
          labels.chain_targets.push_back(column == "throughput" ? chain.arrival_rate / 2 : 0.5);
      labels.device_targets.assign(s.devices.size() * device_target_columns().size(), 0.0);
      writer.append(s, labels);
      chains += s.chains.size();
      samples.push_back(s);
    }
    writer.commit();
  }
  // Samples 0-4 are all in the training split; the other splits exist, empty.
  const fs::path raw = directory / "train" / "raw";
  EXPECT_TRUE(lines_of(directory / "val" / "raw" / "numNodes.txt").empty());
  EXPECT_TRUE(lines_of(directory / "test" / "raw" / "numNodes.txt").empty());
  for (const char* per_sample : {"numNodes", "numClasses", "capacity", "capacityRatio"})
    EXPECT_EQ(lines_of(raw / (std::string(per_sample) + ".txt")).size(), 5U) << per_sample;
  for (const char* per_chain : {"arrival", "path", "service", "serRatio", "serStatProp", "classCapacityRatio",
                                "throughput", "responseTime", "tputRatio", "resptRatio", "workScv", "lossRatio"})
    EXPECT_EQ(lines_of(raw / (std::string(per_chain) + ".txt")).size(), chains) << per_chain;
  EXPECT_EQ(lines_of(raw / "numNodes.txt")[0], std::to_string(samples[0].devices.size()));
  EXPECT_NEAR(std::stod(lines_of(raw / "tputRatio.txt")[0]), 0.5, 1e-12) << "1 - loss ratio";
  // serRatio = service time / inter-arrival time; serStatProp = the fragment's share of
  // the service times on its device (ChainNet's released files).
  {
    const Sample& s0 = samples[0];
    const ChainNode& c0 = s0.chains[0];
    std::istringstream ser_ratio(lines_of(raw / "serRatio.txt")[0]);
    std::istringstream stat_prop(lines_of(raw / "serStatProp.txt")[0]);
    for (std::size_t f = c0.first_fragment; f < c0.first_fragment + c0.fragments; ++f) {
      const FragmentNode& fragment = s0.fragments[f];
      double device_service = 0;
      for (const FragmentNode& other : s0.fragments)
        device_service += other.device == fragment.device ? other.service_time : 0.0;
      double ratio = 0, prop = 0;
      ser_ratio >> ratio;
      stat_prop >> prop;
      EXPECT_NEAR(ratio, fragment.service_time * c0.arrival_rate, 1e-12 * ratio);
      EXPECT_NEAR(prop, fragment.service_time / device_service, 1e-12);
    }
  }
  // Path: 1-based device of each fragment of the first chain.
  std::istringstream path(lines_of(raw / "path.txt")[0]);
  const ChainNode& first = samples[0].chains[0];
  for (std::size_t f = first.first_fragment; f < first.first_fragment + first.fragments; ++f) {
    std::size_t device = 0;
    path >> device;
    EXPECT_EQ(device, samples[0].fragments[f].device + 1);
  }
  fs::remove_all(directory);
}

} // namespace
} // namespace edgesim::dataset
