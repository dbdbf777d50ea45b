// `edgesim dataset`: reproducibility (re-simulating a stored sample, --jobs 1 vs 2,
// shards, resume) and labels against exact queueing theory where it is exact.
#include "cli_runner.hpp"

#include "dataset/dataset_reader.hpp"
#include "dataset/sample_labels.hpp"
#include "queueing/mg1k.hpp"
#include "queueing/multiclass_fcfs.hpp"
#include "queueing/service_distribution.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <thread>

namespace edgesim {
namespace {

namespace fs = std::filesystem;
using dataset::Matrix;
using dataset::read_dataset_matrix;

const std::string kSmallSpec = std::string(EDGESIM_SOURCE_DIR) + "/scenarios/datasets/small.toml";
const std::string kExactSpec = std::string(EDGESIM_SOURCE_DIR) + "/scenarios/datasets/mm1k.toml";

// Every array of the file except the wall-clock times, which differ between runs.
const char* const kArrays[] = {
    "/samples/index",      "/samples/seed",          "/samples/duration",    "/graph/device_ptr", "/graph/chain_ptr",
    "/graph/fragment_ptr", "/graph/flow_ptr",        "/graph/placement_ptr", "/graph/link_ptr",   "/graph/scenario_ptr",
    "/graph/platform_ptr", "/nodes/device/x",        "/nodes/chain/x",       "/nodes/fragment/x", "/edges/flow/index",
    "/edges/flow/attr",    "/edges/placement/index", "/edges/link/index",    "/edges/link/attr",  "/targets/chain/y",
    "/targets/device/y",   "/text/scenario",         "/text/platform"};

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void generate(const std::string& spec, const std::string& output, int samples, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"dataset", spec, "--samples", std::to_string(samples), "-o", output, "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = test::run_edgesim(args, 300);
  ASSERT_EQ(result.exit_code, 0) << result.err;
}

TEST(Dataset, JobsDoNotChangeTheFileAndStoredSamplesResimulateBitForBit) {
  test::TempDir dir;
  generate(kSmallSpec, dir.file("j1.h5"), 12, {"--jobs", "1"});
  generate(kSmallSpec, dir.file("j2.h5"), 12, {"--jobs", "2"});
  for (const char* array : kArrays) {
    const Matrix a = read_dataset_matrix(dir.file("j1.h5"), array);
    const Matrix b = read_dataset_matrix(dir.file("j2.h5"), array);
    EXPECT_EQ(a.rows, b.rows) << array;
    EXPECT_TRUE(same_bits(a.values, b.values)) << array << " differs between --jobs 1 and --jobs 2";
  }
  EXPECT_EQ(read_dataset_matrix(dir.file("j1.h5"), "/samples/index").rows, 12U);

  // Re-simulate stored samples from their stored inputs, each in a fresh `edgesim run`.
  const Matrix chains = read_dataset_matrix(dir.file("j1.h5"), "/targets/chain/y");
  const Matrix devices = read_dataset_matrix(dir.file("j1.h5"), "/targets/device/y");
  const Matrix chain_ptr = read_dataset_matrix(dir.file("j1.h5"), "/graph/chain_ptr");
  const Matrix device_ptr = read_dataset_matrix(dir.file("j1.h5"), "/graph/device_ptr");
  for (std::size_t row : {0U, 5U, 11U}) {
    const std::string where = dir.file("sample" + std::to_string(row));
    const auto extract =
        test::run_edgesim({"dataset", "--extract", std::to_string(row), dir.file("j1.h5"), "-o", where});
    ASSERT_EQ(extract.exit_code, 0) << extract.err;
    const auto sample = dataset::extract_sample(dir.file("j1.h5"), row, where);
    const auto run =
        test::run_edgesim({"run", sample.scenario.filename().string(), "-q", "-o", "rerun.h5"}, 120, where);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto c0 = static_cast<std::size_t>(chain_ptr.values[row]);
    const auto c1 = static_cast<std::size_t>(chain_ptr.values[row + 1]);
    const auto d0 = static_cast<std::size_t>(device_ptr.values[row]);
    const auto d1 = static_cast<std::size_t>(device_ptr.values[row + 1]);
    const auto labels = dataset::read_run_labels(fs::path(where) / "rerun.h5", sample.index, c1 - c0, d1 - d0);
    const std::vector<double> stored_chains(chains.values.begin() + static_cast<std::ptrdiff_t>(c0 * chains.columns),
                                            chains.values.begin() + static_cast<std::ptrdiff_t>(c1 * chains.columns));
    const std::vector<double> stored_devices(devices.values.begin() + static_cast<std::ptrdiff_t>(d0 * devices.columns),
                                             devices.values.begin() +
                                                 static_cast<std::ptrdiff_t>(d1 * devices.columns));
    EXPECT_TRUE(same_bits(labels.chain_targets, stored_chains)) << "chain labels of row " << row;
    EXPECT_TRUE(same_bits(labels.device_targets, stored_devices)) << "device labels of row " << row;
    EXPECT_GT(stored_chains.size(), 0U);
  }
}

TEST(Dataset, ShardsPartitionTheSamplesAndResumeFinishesAnInterruptedRun) {
  test::TempDir dir;
  generate(kSmallSpec, dir.file("all.h5"), 9, {"--jobs", "2"});
  generate(kSmallSpec, dir.file("s0.h5"), 9, {"--shard", "0/2", "--jobs", "2"});
  generate(kSmallSpec, dir.file("s1.h5"), 9, {"--shard", "1/2", "--jobs", "2"});
  const Matrix all = read_dataset_matrix(dir.file("all.h5"), "/samples/index");
  const Matrix s0 = read_dataset_matrix(dir.file("s0.h5"), "/samples/index");
  const Matrix s1 = read_dataset_matrix(dir.file("s1.h5"), "/samples/index");
  EXPECT_EQ(s0.values, (std::vector<double>{0, 2, 4, 6, 8}));
  EXPECT_EQ(s1.values, (std::vector<double>{1, 3, 5, 7}));
  EXPECT_EQ(all.rows, 9U);
  // Sample 3 is row 3 of the whole file and row 1 of shard 1: same labels.
  const Matrix y_all = read_dataset_matrix(dir.file("all.h5"), "/targets/chain/y");
  const Matrix y_s1 = read_dataset_matrix(dir.file("s1.h5"), "/targets/chain/y");
  const Matrix p_all = read_dataset_matrix(dir.file("all.h5"), "/graph/chain_ptr");
  const Matrix p_s1 = read_dataset_matrix(dir.file("s1.h5"), "/graph/chain_ptr");
  const auto first_all = static_cast<std::size_t>(p_all.values[3]) * y_all.columns;
  const auto first_s1 = static_cast<std::size_t>(p_s1.values[1]) * y_s1.columns;
  EXPECT_EQ(std::memcmp(&y_all.values[first_all], &y_s1.values[first_s1], y_all.columns * sizeof(double)), 0);

  // Interrupt a run once a few samples are journaled, then resume it.
  const std::string output = dir.file("resumed.h5");
  const std::string journal = output + ".journal";
  const pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stderr);
    execl(EDGESIM_BINARY, EDGESIM_BINARY, "dataset", kSmallSpec.c_str(), "--samples", "20", "--jobs", "1", "-o",
          output.c_str(), "-q", static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && !(fs::exists(journal) && fs::file_size(journal) > 1200))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3) << "an interrupted dataset exits 3";
  EXPECT_FALSE(fs::exists(output));
  ASSERT_TRUE(fs::exists(journal));
  const auto resumed =
      test::run_edgesim({"dataset", kSmallSpec, "--samples", "20", "--jobs", "2", "-o", output, "--resume"}, 300);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resumed"), std::string::npos);
  EXPECT_EQ(resumed.out.find(" 0 resumed"), std::string::npos) << resumed.out;
  EXPECT_FALSE(fs::exists(journal));
  generate(kSmallSpec, dir.file("straight.h5"), 20, {"--jobs", "2"});
  for (const char* array : {"/targets/chain/y", "/targets/device/y", "/nodes/fragment/x", "/text/scenario"})
    EXPECT_TRUE(same_bits(read_dataset_matrix(output, array).values,
                          read_dataset_matrix(dir.file("straight.h5"), array).values))
        << array << " of a resumed dataset differs";
}

TEST(Dataset, SingleStationLabelsMatchExactMM1KAndMD1K) {
  test::TempDir dir;
  const int samples = 24;
  generate(kExactSpec, dir.file("exact.h5"), samples, {"--jobs", "2"});
  const Matrix chain = read_dataset_matrix(dir.file("exact.h5"), "/nodes/chain/x");
  const Matrix fragment = read_dataset_matrix(dir.file("exact.h5"), "/nodes/fragment/x");
  const Matrix y = read_dataset_matrix(dir.file("exact.h5"), "/targets/chain/y");
  ASSERT_EQ(chain.rows, static_cast<std::size_t>(samples));
  ASSERT_EQ(fragment.rows, static_cast<std::size_t>(samples)) << "one fragment per chain";
  double sum_loss_error = 0;
  double sum_squares = 0;
  int deterministic = 0;
  for (std::size_t i = 0; i < chain.rows; ++i) {
    const double rate = chain.at(i, chain.column("arrival_rate"));
    const double service = fragment.at(i, fragment.column("service_time"));
    const int K = static_cast<int>(fragment.at(i, fragment.column("buffer")));
    const bool exponential = chain.at(i, chain.column("work_scv")) == 1;
    deterministic += exponential ? 0 : 1;
    const auto law = exponential ? queueing::ServiceDistribution::exponential(service)
                                 : queueing::ServiceDistribution::deterministic(service);
    const auto exact = queueing::solve_mg1k(rate, law, K);
    const double loss = y.at(i, y.column("loss_ratio"));
    const double response = y.at(i, y.column("latency_mean"));
    // ~3800 measured arrivals per sample: a few hundredths of statistical error at most.
    EXPECT_NEAR(loss, exact.loss_probability, 0.05) << "sample " << i << " K=" << K << " rho=" << rate * service;
    EXPECT_NEAR(response / exact.mean_response_time, 1.0, 0.15) << "sample " << i << " K=" << K;
    sum_loss_error += loss - exact.loss_probability;
    sum_squares += (loss - exact.loss_probability) * (loss - exact.loss_probability);
  }
  EXPECT_GT(deterministic, 0);
  EXPECT_LT(deterministic, samples);
  // No bias: the mean signed error is within 4 standard errors of zero.
  const double mean = sum_loss_error / samples;
  const double sd = std::sqrt(sum_squares / samples - mean * mean);
  EXPECT_LT(std::abs(mean), 4 * sd / std::sqrt(samples) + 1e-4);
}

// devices.station = "shared": two chains on one device share one FCFS station (one K for
// both); with exponential work every sample's labels are those of the exact two-class
// FCFS/K Markov chain, which per-fragment stations (a K each) would not give.
TEST(Dataset, SharedDeviceStationLabelsMatchTheExactMulticlassChain) {
  test::TempDir dir;
  const std::string root = EDGESIM_SOURCE_DIR;
  const std::string spec =
      dir.write("shared.toml", "[dataset]\nseed = 5\n[devices]\nlibrary = \"" + root +
                                   "/platforms/devices.xml\"\nkinds = [\"rpi4b\", \"jetson_nano\"]\n"
                                   "count = 1\nbuffer = [2, 5]\nstation = \"shared\"\n"
                                   "[chains]\ncount = 2\nmodels = [\"" +
                                   root + "/scenarios/models/mobilenetv2.toml\", \"" + root +
                                   "/scenarios/models/resnet18.toml\"]\nfragments = 1\n"
                                   "load = [0.2, 0.9]\nwork = \"exponential\"\n"
                                   "[simulation]\nrequests = 6000\nwarmup = 0.05\n");
  const int samples = 8;
  generate(spec, dir.file("shared.h5"), samples, {"--jobs", "2"});
  const Matrix device = read_dataset_matrix(dir.file("shared.h5"), "/nodes/device/x");
  const Matrix chain = read_dataset_matrix(dir.file("shared.h5"), "/nodes/chain/x");
  const Matrix fragment = read_dataset_matrix(dir.file("shared.h5"), "/nodes/fragment/x");
  const Matrix y = read_dataset_matrix(dir.file("shared.h5"), "/targets/chain/y");
  ASSERT_EQ(device.rows, static_cast<std::size_t>(samples));
  ASSERT_EQ(chain.rows, 2U * samples);
  ASSERT_EQ(fragment.rows, 2U * samples);
  int far_from_per_fragment = 0;
  for (std::size_t s = 0; s < static_cast<std::size_t>(samples); ++s) {
    EXPECT_EQ(device.at(s, device.column("shared_station")), 1.0);
    EXPECT_EQ(device.at(s, device.column("processor_sharing")), 0.0);
    const int K = static_cast<int>(device.at(s, device.column("buffer")));
    std::vector<double> rates;
    std::vector<double> service_rates;
    for (std::size_t c = 2 * s; c < 2 * s + 2; ++c) {
      rates.push_back(chain.at(c, chain.column("arrival_rate")));
      service_rates.push_back(1 / fragment.at(c, fragment.column("service_time")));
    }
    const auto exact = queueing::solve_multiclass_fcfs(rates, service_rates, K);
    for (std::size_t c = 0; c < 2; ++c) {
      const std::size_t row = 2 * s + c;
      SCOPED_TRACE(::testing::Message() << "sample " << s << " chain " << c << " K=" << K);
      EXPECT_NEAR(y.at(row, y.column("loss_ratio")), exact.loss, 0.04);
      EXPECT_NEAR(y.at(row, y.column("throughput")) / exact.throughput[c], 1.0, 0.08);
      EXPECT_NEAR(y.at(row, y.column("latency_mean")) / exact.response_time[c], 1.0, 0.12);
      // A station of its own with the same K would lose less: the shared K is visible.
      const double alone =
          queueing::solve_mg1k(rates[c], queueing::ServiceDistribution::exponential(1 / service_rates[c]), K)
              .loss_probability;
      far_from_per_fragment += exact.loss - alone > 0.05 ? 1 : 0;
    }
  }
  EXPECT_GT(far_from_per_fragment, 0) << "the grid should include samples where sharing matters";
}

TEST(Dataset, InvalidSpecsAreInputErrorsNamingFileLineAndKey) {
  test::TempDir dir;
  const std::string library = std::string(EDGESIM_SOURCE_DIR) + "/platforms/devices.xml";
  const std::string model = std::string(EDGESIM_SOURCE_DIR) + "/scenarios/models/mobilenetv2.toml";
  const std::string head = "[devices]\nlibrary = \"" + library + "\"\n";
  const std::string chains = "[chains]\nmodels = [\"" + model + "\"]\n";
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {head + "count = [3, 2]\n" + chains, "bad.toml:3: devices.count: expected"},
      {head + "kinds = [\"toaster\"]\n" + chains, "devices.kinds: expected host ids"},
      {head + chains + "load = -1\n", "bad.toml:5: chains.load: expected"},
      {head + chains + "placement = \"teleport\"\n", "chains.placement: expected placements"},
      {head + chains + "colour = 1\n", "chains.colour: unknown key"},
      {head + "[links]\nbandwidth = \"fast\"\n" + chains, "links.bandwidth: expected a bandwidth"},
      {head + "[chains]\nmodels = [\"missing.toml\"]\n", "chains.models: expected model files"},
      {head + chains + "[simulation]\nrequests = 2\n", "simulation.requests: expected at least 10"},
      {head + "station = \"pooled\"\n" + chains, "devices.station: expected station models"},
      {head + chains + "distinct_devices = 1\n", "chains.distinct_devices: expected true or false"},
      {head + "all_used = \"yes\"\n" + chains, "devices.all_used: expected true or false"},
  };
  for (const Case& c : cases) {
    const std::string spec = dir.write("bad.toml", c.text);
    const auto result = test::run_edgesim({"dataset", spec, "--samples", "2", "-o", dir.file("x.h5")});
    EXPECT_EQ(result.exit_code, 1) << c.text << result.err;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << "one line: " << result.err;
  }
  const auto usage = test::run_edgesim({"dataset", kSmallSpec, "-o", dir.file("x.h5")});
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

} // namespace
} // namespace edgesim
