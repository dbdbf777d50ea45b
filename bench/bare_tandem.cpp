// Reference point for bench/run_bench.py: the model of scenarios/bench-chain.toml written
// directly on SimGrid 3.32, without edgesim. One controller actor drives everything through
// the activity API: Poisson arrivals at the Pi 4B, three FCFS single-server stations with
// K = 10 places each (in service included; an arrival to a full station is lost),
// deterministic service (an exec of all the host's cores), and the activation sent to the
// next host with Comm::sendto_async. No tracing, no statistics beyond counts and mean latency.
//
//   bare_tandem PLATFORM.xml [--requests N] [--rate R] [--K K] [--seed S] [--energy]
//
// --energy loads SimGrid's host, link and WiFi energy plugins, as edgesim always does.
// Prints one JSON object on stdout.
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

// Fragments of scenarios/bench-chain.toml (models/mobilenetv2.toml, manual placement).
// flops per thread = fragment flops / (cores x efficiency[model][device_class]), run with
// set_thread_count(cores), exactly as edgesim does (docs/calibration.md).
struct StageSpec {
  const char* host;
  double flops; // fragment flops (sum of its layers)
  int cores;    // threads of the exec
  double efficiency;
  double out_bytes; // activation sent to the next stage (0 for the last one)
};
constexpr StageSpec kStages[] = {
    {"pi4-1", 226519552.0, 4, 0.402268, 100352}, // layers 0-6
    {"opi-1", 35750400.0, 4, 0.579816, 50176},   // layers 7-8
    {"jetson-1", 359900992.0, 1, 0.561316, 0},   // layers 9-19
};
constexpr int kNumStages = 3;

struct Station {
  sg4::Host* host = nullptr;
  double per_thread_flops = 0;
  int threads = 1;
  int in_system = 0;
  bool busy = false;
  std::deque<std::uint32_t> queue;
};

struct Tag {
  bool exec;
  int stage; // exec: its station; comm: destination station
  std::uint32_t request;
};

struct Options {
  std::uint64_t requests = 200000;
  double rate = 31.0;
  int capacity = 10;
  std::uint64_t seed = 1;
  bool energy = false;
};

class Tandem {
public:
  explicit Tandem(const Options& options) : options_(options), rng_(options.seed), interarrival_(options.rate) {
    for (int s = 0; s < kNumStages; ++s) {
      stations_[s].host = sg4::Host::by_name(kStages[s].host);
      stations_[s].threads = kStages[s].cores;
      stations_[s].per_thread_flops = kStages[s].flops / (kStages[s].cores * kStages[s].efficiency);
    }
  }

  void run() {
    double next_arrival = interarrival_(rng_);
    while (generated_ < options_.requests || !activities_.empty()) {
      const double now = sg4::Engine::get_clock();
      const bool more = generated_ < options_.requests;
      ssize_t done = -1;
      if (activities_.empty())
        sg4::this_actor::sleep_for(next_arrival - now);
      else if (more)
        done = sg4::Activity::wait_any_for(activities_, std::max(0.0, next_arrival - now));
      else
        done = sg4::Activity::wait_any(activities_);

      if (done < 0) { // an arrival
        arrive(new_request(next_arrival), 0);
        next_arrival += interarrival_(rng_);
        continue;
      }
      const auto index = static_cast<std::size_t>(done);
      const Tag tag = tags_[index];
      activities_[index] = std::move(activities_.back());
      activities_.pop_back();
      tags_[index] = tags_.back();
      tags_.pop_back();
      if (tag.exec)
        service_done(tag.stage, tag.request);
      else
        arrive(tag.request, tag.stage);
    }
  }

  std::uint64_t generated_ = 0, served_ = 0, lost_ = 0;
  double latency_sum_ = 0;

private:
  std::uint32_t new_request(double at) {
    generated_++;
    std::uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<std::uint32_t>(arrival_.size());
      arrival_.push_back(at);
    } else {
      slot = free_.back();
      free_.pop_back();
      arrival_[slot] = at;
    }
    return slot;
  }

  void arrive(std::uint32_t request, int s) {
    Station& st = stations_[s];
    if (st.in_system >= options_.capacity) {
      lost_++;
      free_.push_back(request);
      return;
    }
    st.in_system++;
    if (st.busy)
      st.queue.push_back(request);
    else
      start(request, s);
  }

  void start(std::uint32_t request, int s) {
    Station& st = stations_[s];
    st.busy = true;
    auto exec = sg4::Exec::init();
    exec->set_flops_amount(st.per_thread_flops)->set_host(st.host);
    if (st.threads > 1)
      exec->set_thread_count(st.threads);
    exec->start();
    activities_.push_back(exec);
    tags_.push_back(Tag{true, s, request});
  }

  void service_done(int s, std::uint32_t request) {
    Station& st = stations_[s];
    st.in_system--;
    st.busy = false;
    if (!st.queue.empty()) {
      const std::uint32_t next = st.queue.front();
      st.queue.pop_front();
      start(next, s);
    }
    if (s + 1 == kNumStages) {
      served_++;
      latency_sum_ += sg4::Engine::get_clock() - arrival_[request];
      free_.push_back(request);
      return;
    }
    activities_.push_back(
        sg4::Comm::sendto_async(st.host, stations_[s + 1].host, static_cast<std::uint64_t>(kStages[s].out_bytes)));
    tags_.push_back(Tag{false, s + 1, request});
  }

  Options options_;
  std::mt19937_64 rng_;
  std::exponential_distribution<double> interarrival_;
  Station stations_[kNumStages];
  std::vector<sg4::ActivityPtr> activities_;
  std::vector<Tag> tags_;
  std::vector<double> arrival_;
  std::vector<std::uint32_t> free_;
};

} // namespace

int main(int argc, char** argv) {
  xbt_log_control_set("root.thresh:warning");
  sg4::Engine engine(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PLATFORM.xml [--requests N] [--rate R] [--K K] [--seed S] [--energy]\n", argv[0]);
    return 2;
  }
  Options options;
  for (int i = 2; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--energy") == 0)
      options.energy = true;
    else if (std::strcmp(argv[i], "--requests") == 0 && has_value)
      options.requests = static_cast<std::uint64_t>(std::atof(argv[++i]));
    else if (std::strcmp(argv[i], "--rate") == 0 && has_value)
      options.rate = std::atof(argv[++i]);
    else if (std::strcmp(argv[i], "--K") == 0 && has_value)
      options.capacity = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--seed") == 0 && has_value)
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "unknown or incomplete option: %s\n", argv[i]);
      return 2;
    }
  }

  const auto wall_start = std::chrono::steady_clock::now();
  if (options.energy) {
    sg_host_energy_plugin_init();
    sg_link_energy_plugin_init();
    sg_wifi_energy_plugin_init();
  }
  engine.set_config("network/model:CM02");
  engine.set_config("network/crosstraffic:0");
  engine.load_platform(argv[1]);
  Tandem tandem(options);
  sg4::Actor::create("controller", sg4::Host::by_name(kStages[0].host), [&tandem] { tandem.run(); });
  engine.run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  std::printf("{\"requests\":%llu,\"served\":%llu,\"lost\":%llu,\"latency_mean\":%.9g,\"simulated_seconds\":%.9g,"
              "\"wall_seconds\":%.6f,\"requests_per_second\":%.1f}\n",
              static_cast<unsigned long long>(tandem.generated_), static_cast<unsigned long long>(tandem.served_),
              static_cast<unsigned long long>(tandem.lost_),
              tandem.served_ > 0 ? tandem.latency_sum_ / static_cast<double>(tandem.served_) : 0.0,
              sg4::Engine::get_clock(), wall, static_cast<double>(tandem.generated_) / wall);
  return 0;
}
