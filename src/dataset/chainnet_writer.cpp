#include "dataset/chainnet_writer.hpp"

#include "util/atomic_file.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <cmath>

namespace edgesim::dataset {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFields[] = {"numNodes",   "numClasses",   "capacity",  "capacityRatio", "arrival",
                                   "path",       "service",      "serRatio",  "serStatProp",   "classCapacityRatio",
                                   "throughput", "responseTime", "tputRatio", "resptRatio",    "workScv",
                                   "lossRatio"};
constexpr const char* kSplits[] = {"train", "val", "test"};

// Samples 0-7 of every ten train, 8 validates, 9 tests: fixed by the index, so shards and
// resumed runs put a sample in the same split.
const char* split_of(std::uint64_t index) {
  const std::uint64_t r = index % 10;
  return r < 8 ? "train" : (r == 8 ? "val" : "test");
}

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
    : directory_(std::move(directory)), temporary_(temporary_path(directory_)) {
  std::error_code ec;
  fs::remove_all(temporary_, ec);
  for (const char* split : kSplits) {
    fs::create_directories(temporary_ / split / "raw", ec);
    if (ec)
      throw RuntimeError(fmt::format("{}: cannot create directory: {}", temporary_.string(), ec.message()));
    for (const char* name : kFields)
      (void)field(split, name);
  }
}

ChainNetWriter::~ChainNetWriter() {
  if (committed_)
    return;
  files_.clear();
  std::error_code ec;
  fs::remove_all(temporary_, ec);
}

std::ofstream& ChainNetWriter::field(const std::string& split, const std::string& name) {
  const std::string key = split + "/raw/" + name + ".txt";
  auto it = files_.find(key);
  if (it == files_.end()) {
    it = files_.emplace(key, std::ofstream(temporary_ / key, std::ios::trunc)).first;
    if (!it->second)
      throw RuntimeError(fmt::format("{}: cannot write {}", temporary_.string(), key));
  }
  return it->second;
}

void ChainNetWriter::append(const Sample& sample, const SampleLabels& labels) {
  const std::size_t columns = chain_target_columns().size();
  const std::string split = split_of(sample.index);
  auto out = [&](const char* name) -> std::ofstream& { return field(split, name); };
  // ChainNet's serStatProp: a fragment's share of the service times (not of the load) of
  // the fragments on its device.
  std::vector<double> device_service(sample.devices.size(), 0.0);
  std::vector<int> device_fragments(sample.devices.size(), 0);
  for (const FragmentNode& f : sample.fragments) {
    device_service[f.device] += f.service_time;
    device_fragments[f.device] += 1;
  }
  out("numNodes") << sample.devices.size() << "\n";
  out("numClasses") << sample.chains.size() << "\n";
  std::string capacity;
  std::string capacity_ratio;
  for (std::size_t d = 0; d < sample.devices.size(); ++d) {
    const double K = sample.devices[d].buffer;
    capacity += fmt::format("{}{}", d == 0 ? "" : " ", sample.devices[d].buffer);
    capacity_ratio += (d == 0 ? "" : " ") + number(device_fragments[d] / K);
  }
  out("capacity") << capacity << "\n";
  out("capacityRatio") << capacity_ratio << "\n";

  for (std::size_t c = 0; c < sample.chains.size(); ++c) {
    const ChainNode& chain = sample.chains[c];
    const double interarrival = 1.0 / chain.arrival_rate;
    std::string path, service, ser_ratio, stat_prop, class_capacity;
    double work = 0;
    for (std::size_t f = chain.first_fragment; f < chain.first_fragment + chain.fragments; ++f) {
      const FragmentNode& fragment = sample.fragments[f];
      const std::string gap = f == chain.first_fragment ? "" : " ";
      path += fmt::format("{}{}", gap, fragment.device + 1);
      service += gap + number(fragment.service_time);
      ser_ratio += gap + number(fragment.service_time / interarrival);
      stat_prop +=
          gap +
          number(device_service[fragment.device] > 0 ? fragment.service_time / device_service[fragment.device] : 1.0);
      class_capacity += gap + number(1.0 / sample.devices[fragment.device].buffer);
      work += fragment.service_time;
    }
    const double* y = &labels.chain_targets[c * columns];
    const double throughput = y[target("throughput")];
    const double response = y[target("latency_mean")];
    const double loss = y[target("loss_ratio")];
    const bool served = std::isfinite(response) && response > 0;
    out("arrival") << number(interarrival) << "\n";
    out("path") << path << "\n";
    out("service") << service << "\n";
    out("serRatio") << ser_ratio << "\n";
    out("serStatProp") << stat_prop << "\n";
    out("classCapacityRatio") << class_capacity << "\n";
    out("throughput") << number(std::isfinite(throughput) ? throughput : 0.0) << "\n";
    // A chain that served nothing has no response time: 0 here (and a resptRatio of 0,
    // the limit of work / response), so every file stays numeric.
    out("responseTime") << number(served ? response : 0.0) << "\n";
    out("tputRatio") << number(std::isfinite(loss) ? 1.0 - loss : 0.0) << "\n";
    out("resptRatio") << number(served ? work / response : 0.0) << "\n";
    out("workScv") << number(chain.work_scv) << "\n";
    out("lossRatio") << number(std::isfinite(loss) ? loss : 1.0) << "\n";
  }
}

void ChainNetWriter::commit() {
  for (auto& [name, out] : files_) {
    out.close();
    if (!out)
      throw RuntimeError(fmt::format("{}: cannot write {}.txt", temporary_.string(), name));
  }
  committed_ = true; // the temporary is gone either way
  commit_temporary(temporary_, directory_, Durability::Volatile);
}

} // namespace edgesim::dataset
