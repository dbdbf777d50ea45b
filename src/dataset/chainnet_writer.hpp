#pragma once
// The sample/chain text format of the ChainNet repository (imperial-qore/ChainNet,
// Niu, Roveri, Casale, DSN 2024), so its ProcessData() trains on edgesim samples:
// DIR/{train,val,test}/raw/<field>.txt (samples with index % 10 < 8, == 8, == 9),
// space-separated numbers, one line per sample (numNodes, numClasses, capacity,
// capacityRatio) or per chain, samples in order (arrival, path, service, serRatio,
// serStatProp, classCapacityRatio, throughput, responseTime, tputRatio, resptRatio,
// plus workScv and lossRatio, which ChainNet's loader ignores). The meaning of each
// field is that of ChainNet's released files (docs/datasets.md). Written into
// DIR.tmp.PID and renamed onto DIR at commit().
#include "dataset/sample_generator.hpp"
#include "dataset/sample_labels.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace edgesim::dataset {

class ChainNetWriter {
public:
  explicit ChainNetWriter(std::filesystem::path directory);
  ~ChainNetWriter();
  ChainNetWriter(const ChainNetWriter&) = delete;
  ChainNetWriter& operator=(const ChainNetWriter&) = delete;

  void append(const Sample& sample, const SampleLabels& labels);
  void commit();

private:
  std::ofstream& field(const std::string& split, const std::string& name);

  std::filesystem::path directory_;
  std::filesystem::path temporary_;
  std::map<std::string, std::ofstream> files_;
  bool committed_ = false;
};

} // namespace edgesim::dataset
