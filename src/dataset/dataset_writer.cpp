#include "dataset/dataset_writer.hpp"

#include <edgesim/error.hpp>

#include "dataset/appendable_array.hpp"
#include "io/hdf5_support.hpp"
#include "util/atomic_file.hpp"

#include <fmt/format.h>

#include <H5Cpp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

namespace edgesim::dataset {
namespace {

namespace fs = std::filesystem;

constexpr int kFormatVersion = 1;
constexpr std::size_t kNodeChunkRows = 4096;
constexpr std::size_t kTextChunkBytes = 1U << 16U;
constexpr int kDeflate = 4;

constexpr std::array<std::string_view, 12> kDeviceColumns = {"kind",           "speed",          "cores",
                                                             "speed_total",    "ram_bytes",      "idle_w",
                                                             "busy_w",         "buffer",         "access_bandwidth",
                                                             "access_latency", "shared_station", "processor_sharing"};
constexpr std::array<std::string_view, 10> kChainColumns = {
    "model",    "source",      "arrival_rate", "input_bytes", "fragments",
    "work_scv", "exit_policy", "placement",    "total_flops", "input_transfer_time"};
constexpr std::array<std::string_view, 16> kFragmentColumns = {
    "chain",     "position",    "device", "first_layer", "last_layer", "flops",        "exit_flops", "bytes_in",
    "bytes_out", "param_bytes", "exits",  "exit_prob",   "reach_prob", "service_time", "buffer",     "load"};

std::string joined(std::span<const std::string_view> names) {
  std::string out;
  for (auto name : names)
    out += (out.empty() ? "" : ",") + std::string(name);
  return out;
}

double exit_policy_code(const std::string& policy) {
  const auto* it = std::find(kSampleExitPolicies.begin(), kSampleExitPolicies.end(), policy);
  return it == kSampleExitPolicies.end() ? 0 : static_cast<double>(it - kSampleExitPolicies.begin());
}

/// Time to move `bytes` between two devices (0 on the same device).
double transfer_time(const Sample& sample, const DatasetSpec& spec, std::size_t from, std::size_t to, double bytes) {
  if (from == to)
    return 0;
  const Route route = route_between(sample, spec, from, to);
  return route.latency + bytes / route.bandwidth;
}

} // namespace

std::span<const std::string_view> device_feature_columns() {
  return kDeviceColumns;
}
std::span<const std::string_view> chain_feature_columns() {
  return kChainColumns;
}
std::span<const std::string_view> fragment_feature_columns() {
  return kFragmentColumns;
}

struct DatasetWriter::Impl {
  fs::path output;
  fs::path temporary;
  const DatasetSpec& spec;
  const std::vector<DeviceKind>& library;
  const std::vector<DatasetModel>& models;
  std::optional<H5::H5File> file;
  std::optional<AppendableArray<std::int64_t>> sample_index, sample_seed;
  std::optional<AppendableArray<double>> sample_wall, sample_duration;
  std::optional<AppendableArray<std::int64_t>> device_ptr, chain_ptr, fragment_ptr, flow_ptr, placement_ptr, link_ptr,
      scenario_ptr, platform_ptr;
  std::optional<AppendableArray<double>> device_x, chain_x, fragment_x, chain_y, device_y;
  std::optional<AppendableArray<std::int64_t>> flow_index, placement_index, link_index;
  std::optional<AppendableArray<double>> flow_attr, link_attr;
  std::optional<AppendableArray<std::uint8_t>> scenario_text, platform_text;
  std::int64_t devices = 0, chains = 0, fragments = 0, flows = 0, placements = 0, links = 0;
  std::int64_t scenario_bytes = 0, platform_bytes = 0;

  Impl(fs::path out, const DatasetSpec& s, const std::vector<DeviceKind>& lib, const std::vector<DatasetModel>& m)
      : output(std::move(out)), temporary(temporary_path(output)), spec(s), library(lib), models(m) {
    H5::FileAccPropList access;
    access.setFcloseDegree(H5F_CLOSE_STRONG);
    file.emplace(temporary.string(), H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, access);
  }

  /// The group at `path` ("/a/b"), creating it and its parents as needed.
  H5::Group group(const std::string& path) {
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1))
      if (!file->nameExists(path.substr(0, slash)))
        file->createGroup(path.substr(0, slash));
    return file->nameExists(path) ? file->openGroup(path) : file->createGroup(path);
  }

  template <class T>
  void open(std::optional<AppendableArray<T>>& array, const std::string& group_path, const std::string& name,
            std::size_t columns, std::size_t chunk, int deflate = kDeflate) {
    array.emplace(group(group_path), name, columns, chunk, deflate);
  }

  void create_layout(const DatasetMeta& meta) {
    H5::Group root_meta = group("/meta");
    io::write_string_attribute(root_meta, "format", "edgesim-gnn-dataset");
    io::write_u32_attribute(root_meta, "file_format_version", kFormatVersion);
    io::write_string_attribute(root_meta, "edgesim_version", EDGESIM_VERSION);
    io::write_string_attribute(root_meta, "git_describe", EDGESIM_GIT_DESCRIBE);
    io::write_string_attribute(root_meta, "spec", spec.text);
    io::write_string_attribute(root_meta, "spec_file", spec.file);
    io::write_u64_attribute(root_meta, "seed", spec.seed);
    io::write_u64_attribute(root_meta, "samples_requested", meta.samples_requested);
    io::write_string_attribute(root_meta, "shard", meta.shard);
    io::write_string_attribute(root_meta, "command_line", meta.command_line);
    io::write_string_attribute(root_meta, "created_at", meta.created_at);
    io::write_string_attribute(root_meta, "topology", spec.topology == Topology::Star ? "star" : "mesh");
    std::string kinds;
    for (const auto& kind : library)
      kinds += (kinds.empty() ? "" : ",") + kind.name;
    io::write_string_attribute(root_meta, "device_kinds", kinds);
    std::string model_names;
    for (const auto& model : models)
      model_names += (model_names.empty() ? "" : ",") + model.reference;
    io::write_string_attribute(root_meta, "models", model_names);
    io::write_string_attribute(root_meta, "placements",
                               joined(std::vector<std::string_view>(spec.placements.begin(), spec.placements.end())));

    // The model files the scenarios name, byte for byte, for re-simulation.
    H5::Group model_group = group("/models");
    for (const auto& model : models) {
      const hsize_t size = model.text.size();
      const H5::DataSpace space(1, &size);
      H5::DataSet data =
          model_group.createDataSet(fs::path(model.reference).filename().string(), H5::PredType::NATIVE_UINT8, space);
      if (size > 0)
        data.write(model.text.data(), H5::PredType::NATIVE_UINT8);
    }

    open(sample_index, "/samples", "index", 0, kNodeChunkRows);
    open(sample_seed, "/samples", "seed", 0, kNodeChunkRows);
    open(sample_wall, "/samples", "wall_seconds", 0, kNodeChunkRows);
    open(sample_duration, "/samples", "duration", 0, kNodeChunkRows);
    open(device_ptr, "/graph", "device_ptr", 0, kNodeChunkRows);
    open(chain_ptr, "/graph", "chain_ptr", 0, kNodeChunkRows);
    open(fragment_ptr, "/graph", "fragment_ptr", 0, kNodeChunkRows);
    open(flow_ptr, "/graph", "flow_ptr", 0, kNodeChunkRows);
    open(placement_ptr, "/graph", "placement_ptr", 0, kNodeChunkRows);
    open(link_ptr, "/graph", "link_ptr", 0, kNodeChunkRows);
    open(scenario_ptr, "/graph", "scenario_ptr", 0, kNodeChunkRows);
    open(platform_ptr, "/graph", "platform_ptr", 0, kNodeChunkRows);
    for (auto* ptr :
         {&device_ptr, &chain_ptr, &fragment_ptr, &flow_ptr, &placement_ptr, &link_ptr, &scenario_ptr, &platform_ptr})
      (*ptr)->append_one(0);

    open(device_x, "/nodes/device", "x", kDeviceColumns.size(), kNodeChunkRows);
    open(chain_x, "/nodes/chain", "x", kChainColumns.size(), kNodeChunkRows);
    open(fragment_x, "/nodes/fragment", "x", kFragmentColumns.size(), kNodeChunkRows);
    io::write_string_attribute(device_x->dataset(), "columns", joined(kDeviceColumns));
    io::write_string_attribute(chain_x->dataset(), "columns", joined(kChainColumns));
    io::write_string_attribute(fragment_x->dataset(), "columns", joined(kFragmentColumns));

    open(chain_y, "/targets/chain", "y", chain_target_columns().size(), kNodeChunkRows);
    open(device_y, "/targets/device", "y", device_target_columns().size(), kNodeChunkRows);
    io::write_string_attribute(chain_y->dataset(), "columns", joined(chain_target_columns()));
    io::write_string_attribute(device_y->dataset(), "columns", joined(device_target_columns()));

    open(flow_index, "/edges/flow", "index", 2, kNodeChunkRows);
    open(flow_attr, "/edges/flow", "attr", 2, kNodeChunkRows);
    io::write_string_attribute(flow_attr->dataset(), "columns", "bytes,transfer_time");
    H5::Group flow_group = group("/edges/flow");
    io::write_string_attribute(flow_group, "relation", "fragment,flow,fragment");
    open(placement_index, "/edges/placement", "index", 2, kNodeChunkRows);
    H5::Group placement_group = group("/edges/placement");
    io::write_string_attribute(placement_group, "relation", "fragment,placed_on,device");
    open(link_index, "/edges/link", "index", 2, kNodeChunkRows);
    open(link_attr, "/edges/link", "attr", 2, kNodeChunkRows);
    io::write_string_attribute(link_attr->dataset(), "columns", "bandwidth,latency");
    H5::Group link_group = group("/edges/link");
    io::write_string_attribute(link_group, "relation", "device,link,device");

    open(scenario_text, "/text", "scenario", 0, kTextChunkBytes);
    open(platform_text, "/text", "platform", 0, kTextChunkBytes);
  }

  void append(const Sample& sample, const SampleLabels& labels, std::string_view scenario, std::string_view platform) {
    sample_index->append_one(static_cast<std::int64_t>(sample.index));
    sample_seed->append_one(static_cast<std::int64_t>(sample.seed));
    sample_wall->append_one(labels.wall_seconds);
    sample_duration->append_one(sample.duration);

    for (const DeviceNode& device : sample.devices) {
      const DeviceKind& kind = library[device.kind];
      const std::array<double, kDeviceColumns.size()> row = {static_cast<double>(device.kind),
                                                             kind.pstate_speeds.at(0),
                                                             static_cast<double>(kind.cores),
                                                             kind.pstate_speeds.at(0) * kind.cores,
                                                             kind.ram_bytes,
                                                             kind.idle_w,
                                                             kind.busy_w,
                                                             static_cast<double>(device.buffer),
                                                             device.access_bandwidth,
                                                             device.access_latency,
                                                             device.shared_station ? 1.0 : 0.0,
                                                             device.processor_sharing ? 1.0 : 0.0};
      device_x->append(row);
    }
    for (const ChainNode& chain : sample.chains) {
      const auto placement = static_cast<double>(
          std::find(spec.placements.begin(), spec.placements.end(), chain.placement) - spec.placements.begin());
      const FragmentNode& first = sample.fragments[chain.first_fragment];
      const std::array<double, kChainColumns.size()> row = {
          static_cast<double>(chain.model),
          static_cast<double>(chain.source),
          chain.arrival_rate,
          chain.input_bytes,
          static_cast<double>(chain.fragments),
          chain.work_scv,
          exit_policy_code(chain.exit_policy),
          placement,
          models[chain.model].profile.total_flops(),
          transfer_time(sample, spec, chain.source, first.device, chain.input_bytes)};
      chain_x->append(row);
    }
    for (const FragmentNode& f : sample.fragments) {
      const ChainNode& chain = sample.chains[f.chain];
      const std::array<double, kFragmentColumns.size()> row = {static_cast<double>(f.chain),
                                                               static_cast<double>(f.position),
                                                               static_cast<double>(f.device),
                                                               static_cast<double>(f.first_layer),
                                                               static_cast<double>(f.last_layer),
                                                               f.flops,
                                                               f.exit_flops,
                                                               f.bytes_in,
                                                               f.bytes_out,
                                                               f.param_bytes,
                                                               f.exits,
                                                               f.exit_prob,
                                                               f.reach_prob,
                                                               f.service_time,
                                                               static_cast<double>(sample.devices[f.device].buffer),
                                                               chain.arrival_rate * f.reach_prob * f.service_time};
      fragment_x->append(row);
      const std::array<std::int64_t, 2> placed = {static_cast<std::int64_t>(&f - sample.fragments.data()),
                                                  static_cast<std::int64_t>(f.device)};
      placement_index->append(placed);
    }
    std::int64_t sample_flows = 0;
    for (const ChainNode& chain : sample.chains) {
      for (std::size_t f = chain.first_fragment; f + 1 < chain.first_fragment + chain.fragments; ++f) {
        const FragmentNode& from = sample.fragments[f];
        const FragmentNode& to = sample.fragments[f + 1];
        const std::array<std::int64_t, 2> edge = {static_cast<std::int64_t>(f), static_cast<std::int64_t>(f + 1)};
        const std::array<double, 2> attr = {from.bytes_out,
                                            transfer_time(sample, spec, from.device, to.device, from.bytes_out)};
        flow_index->append(edge);
        flow_attr->append(attr);
        ++sample_flows;
      }
    }
    std::int64_t sample_links = 0;
    for (std::size_t a = 0; a < sample.devices.size(); ++a) {
      for (std::size_t b = 0; b < sample.devices.size(); ++b) {
        if (a == b)
          continue;
        const Route route = route_between(sample, spec, a, b);
        const std::array<std::int64_t, 2> edge = {static_cast<std::int64_t>(a), static_cast<std::int64_t>(b)};
        const std::array<double, 2> attr = {route.bandwidth, route.latency};
        link_index->append(edge);
        link_attr->append(attr);
        ++sample_links;
      }
    }
    chain_y->append(labels.chain_targets);
    device_y->append(labels.device_targets);
    scenario_text->append(std::span(reinterpret_cast<const std::uint8_t*>(scenario.data()), scenario.size()));
    platform_text->append(std::span(reinterpret_cast<const std::uint8_t*>(platform.data()), platform.size()));

    devices += static_cast<std::int64_t>(sample.devices.size());
    chains += static_cast<std::int64_t>(sample.chains.size());
    fragments += static_cast<std::int64_t>(sample.fragments.size());
    flows += sample_flows;
    placements += static_cast<std::int64_t>(sample.fragments.size());
    links += sample_links;
    scenario_bytes += static_cast<std::int64_t>(scenario.size());
    platform_bytes += static_cast<std::int64_t>(platform.size());
    device_ptr->append_one(devices);
    chain_ptr->append_one(chains);
    fragment_ptr->append_one(fragments);
    flow_ptr->append_one(flows);
    placement_ptr->append_one(placements);
    link_ptr->append_one(links);
    scenario_ptr->append_one(scenario_bytes);
    platform_ptr->append_one(platform_bytes);
  }

  void flush_all() {
    for (auto* a : {&sample_index, &sample_seed, &device_ptr, &chain_ptr, &fragment_ptr, &flow_ptr, &placement_ptr,
                    &link_ptr, &scenario_ptr, &platform_ptr, &flow_index, &placement_index, &link_index})
      (*a)->flush();
    for (auto* a : {&sample_wall, &sample_duration, &device_x, &chain_x, &fragment_x, &chain_y, &device_y, &flow_attr,
                    &link_attr})
      (*a)->flush();
    scenario_text->flush();
    platform_text->flush();
    H5::Group root_meta = file->openGroup("/meta");
    io::write_u64_attribute(root_meta, "samples", sample_index->rows());
  }

  /// Releases every dataset handle, then the file.
  void close() {
    sample_index.reset();
    sample_seed.reset();
    sample_wall.reset();
    sample_duration.reset();
    for (auto* a : {&device_ptr, &chain_ptr, &fragment_ptr, &flow_ptr, &placement_ptr, &link_ptr, &scenario_ptr,
                    &platform_ptr, &flow_index, &placement_index, &link_index})
      a->reset();
    for (auto* a : {&device_x, &chain_x, &fragment_x, &chain_y, &device_y, &flow_attr, &link_attr})
      a->reset();
    scenario_text.reset();
    platform_text.reset();
    file->close();
  }
};

DatasetWriter::DatasetWriter(fs::path output, const DatasetSpec& spec, const std::vector<DeviceKind>& library,
                             const std::vector<DatasetModel>& models, const DatasetMeta& meta) {
  io::quiet_hdf5_errors();
  io::translate_hdf5_errors(output.string(),
                            [&] { impl_ = std::make_unique<Impl>(std::move(output), spec, library, models); });
  try {
    io::translate_hdf5_errors(impl_->temporary.string(), [&] { impl_->create_layout(meta); });
  } catch (...) {
    discard(); // the destructor does not run for a constructor that throws
    throw;
  }
}

DatasetWriter::~DatasetWriter() {
  discard();
}

void DatasetWriter::discard() noexcept {
  if (!impl_)
    return;
  const fs::path temporary = impl_->temporary;
  try {
    impl_->close();
  } catch (...) {
    // Best effort: the temporary is removed next anyway.
  }
  impl_.reset();
  std::error_code ec;
  fs::remove(temporary, ec);
}

void DatasetWriter::append(const Sample& sample, const SampleLabels& labels, std::string_view scenario_text,
                           std::string_view platform_text) {
  io::translate_hdf5_errors(impl_->temporary.string(),
                            [&] { impl_->append(sample, labels, scenario_text, platform_text); });
}

void DatasetWriter::commit() {
  io::translate_hdf5_errors(impl_->temporary.string(), [&] {
    impl_->flush_all();
    impl_->close();
  });
  const fs::path temporary = impl_->temporary;
  const fs::path output = impl_->output;
  impl_.reset();
  commit_temporary(temporary, output, Durability::Volatile);
}

} // namespace edgesim::dataset
