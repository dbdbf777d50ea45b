#include "dataset/chainnet_writer.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <cmath>

namespace edgesim::dataset {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFields[] = {"numNodes",   "numClasses",   "capacity",  "capacityRatio", "arrival",
                                   "path",       "service",      "serRatio",  "serStatProp",   "classCapacityRatio",
                                   "throughput", "responseTime", "tputRatio", "resptRatio"};

std::string number(double v) {
  return std::isfinite(v) ? fmt::format("{:.15g}", v) : "nan";
}

// Index of a chain target column by name (the targets are laid out as in sample_labels).
std::size_t target(std::string_view name) {
  const auto columns = chain_target_columns();
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name)
      return i;
  throw RuntimeError(fmt::format("no chain target {}", name));
}

} // namespace

ChainNetWriter::ChainNetWriter(fs::path directory)
    : directory_(std::move(directory)), temporary_(directory_.string() + fmt::format(".tmp.{}", ::getpid())) {
  std::error_code ec;
  fs::remove_all(temporary_, ec);
  fs::create_directories(temporary_ / "raw", ec);
  if (ec)
    throw RuntimeError(fmt::format("{}: cannot create directory: {}", temporary_.string(), ec.message()));
  for (const char* name : kFields)
    (void)field(name);
}

ChainNetWriter::~ChainNetWriter() {
  if (committed_)
    return;
  files_.clear();
  std::error_code ec;
  fs::remove_all(temporary_, ec);
}

std::ofstream& ChainNetWriter::field(const std::string& name) {
  auto it = files_.find(name);
  if (it == files_.end()) {
    it = files_.emplace(name, std::ofstream(temporary_ / "raw" / (name + ".txt"), std::ios::trunc)).first;
    if (!it->second)
      throw RuntimeError(fmt::format("{}: cannot write {}.txt", temporary_.string(), name));
  }
  return it->second;
}

void ChainNetWriter::append(const Sample& sample, const SampleLabels& labels) {
  const std::size_t columns = chain_target_columns().size();
  // Offered load of every fragment (lambda x P(reach) x mean service time) and per device.
  std::vector<double> device_load(sample.devices.size(), 0.0);
  std::vector<int> device_fragments(sample.devices.size(), 0);
  for (const FragmentNode& f : sample.fragments) {
    device_load[f.device] += sample.chains[f.chain].arrival_rate * f.reach_prob * f.service_time;
    device_fragments[f.device] += 1;
  }
  field("numNodes") << sample.devices.size() << "\n";
  field("numClasses") << sample.chains.size() << "\n";
  std::string capacity;
  std::string capacity_ratio;
  for (std::size_t d = 0; d < sample.devices.size(); ++d) {
    const double K = sample.devices[d].buffer;
    capacity += fmt::format("{}{}", d == 0 ? "" : " ", sample.devices[d].buffer);
    capacity_ratio += (d == 0 ? "" : " ") + number(device_fragments[d] / K);
  }
  field("capacity") << capacity << "\n";
  field("capacityRatio") << capacity_ratio << "\n";

  for (std::size_t c = 0; c < sample.chains.size(); ++c) {
    const ChainNode& chain = sample.chains[c];
    const double interarrival = 1.0 / chain.arrival_rate;
    std::string path, service, ser_ratio, stat_prop, class_capacity;
    double work = 0;
    for (std::size_t f = chain.first_fragment; f < chain.first_fragment + chain.fragments; ++f) {
      const FragmentNode& fragment = sample.fragments[f];
      const std::string gap = f == chain.first_fragment ? "" : " ";
      const double load = chain.arrival_rate * fragment.reach_prob * fragment.service_time;
      path += fmt::format("{}{}", gap, fragment.device + 1);
      service += gap + number(fragment.service_time);
      ser_ratio += gap + number(load);
      stat_prop += gap + number(device_load[fragment.device] > 0 ? load / device_load[fragment.device] : 1.0);
      class_capacity += gap + number(1.0 / sample.devices[fragment.device].buffer);
      work += fragment.reach_prob * fragment.service_time;
    }
    const double* y = &labels.chain_targets[c * columns];
    const double throughput = y[target("throughput")];
    const double response = y[target("latency_mean")];
    field("arrival") << number(interarrival) << "\n";
    field("path") << path << "\n";
    field("service") << service << "\n";
    field("serRatio") << ser_ratio << "\n";
    field("serStatProp") << stat_prop << "\n";
    field("classCapacityRatio") << class_capacity << "\n";
    field("throughput") << number(throughput) << "\n";
    field("responseTime") << number(response) << "\n";
    field("tputRatio") << number(throughput * interarrival) << "\n";
    field("resptRatio") << number(response > 0 ? work / response : std::nan("")) << "\n";
  }
}

void ChainNetWriter::commit() {
  for (auto& [name, out] : files_) {
    out.close();
    if (!out)
      throw RuntimeError(fmt::format("{}: cannot write {}.txt", temporary_.string(), name));
  }
  std::error_code ec;
  fs::remove_all(directory_, ec);
  fs::rename(temporary_, directory_, ec);
  if (ec)
    throw RuntimeError(
        fmt::format("{}: cannot rename {} onto it: {}", directory_.string(), temporary_.string(), ec.message()));
  committed_ = true;
}

} // namespace edgesim::dataset
