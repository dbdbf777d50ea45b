#pragma once
// What the chain placement policies (chain-dp, ilp, greedy, random, neurosurgeon) share.
// A placement is a sequence of contiguous fragments on pairwise distinct hosts: a simple
// path through the platform, so each host holds at most one fragment of the tenant and
// its RAM need is that fragment's (fragment_memory_bytes). Its cost is predicted from
// edgesim's cost model (policy.hpp, docs/calibration.md) and the probed routes:
//
//   latency    = transfer(source -> host 1, input) + sum_i compute_i
//                + sum_i transfer(host i -> host i+1, activation at the cut)
//   bottleneck = max(compute_i, bytes_i / bandwidth_i)   (the slowest pipeline stage)
//
// where transfer = route latency + bytes / bottleneck bandwidth, 0 on the same host.
// Queueing and exit classifiers are not part of the prediction.
#include <edgesim/policy.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::place {

enum class ChainObjective { Latency, Throughput };

/// Reads `objective = "latency" | "throughput"` (default latency).
ChainObjective chain_objective(const ConfigView& config);

struct ChainCost {
  double latency_s = 0;
  double bottleneck_s = 0;
  [[nodiscard]] double value(ChainObjective objective) const {
    return objective == ChainObjective::Latency ? latency_s : bottleneck_s;
  }
};

/// Reads the optional `hosts = ["a", "b"]` of a policy table (empty: all hosts).
std::vector<std::string> host_names(const ConfigView& config);

/// Indices into problem.hosts a policy may use: the available hosts, restricted to
/// `names` when it is not empty. An unknown name is an InputError at `where`.
std::vector<std::size_t> candidate_hosts(const PlacementProblem& problem, std::span<const std::string> names,
                                         std::string_view where);

/// Every host of the problem, by index (what tests and benchmarks give the optimisers).
std::vector<std::size_t> all_hosts(const PlacementProblem& problem);

/// Bytes crossing a cut just before layer k (k = 0: the request's input).
double cut_bytes(const PlacementProblem& problem, std::size_t k);

/// Seconds layers first..last take on `host` by the cost model.
double compute_seconds(const ModelProfile& model, std::size_t first, std::size_t last, const HostInfo& host);

/// Whether layers first..last fit in `host`'s RAM with `used` bytes already taken.
bool fits_ram(const ModelProfile& model, std::size_t first, std::size_t last, const HostInfo& host, double used = 0);

/// Time to move `bytes` from one host to another: 0 on the same host, nullopt without a
/// route. With `with_latency` false, only bytes / bandwidth (a pipeline stage's time).
std::optional<double> transfer_time(const PlacementProblem& problem, std::string_view from, std::string_view to,
                                    double bytes, bool with_latency = true);

/// Predicted cost of `fragments`; nullopt when they are not a placement (not covering
/// the model contiguously, a host unknown, unavailable or used twice, RAM exceeded, no
/// route).
std::optional<ChainCost> evaluate_chain(const PlacementProblem& problem, std::span<const Fragment> fragments);

/// The InputError for a problem without a feasible placement: names `where` (scenario
/// file and placement key), the policy, and the first reason found.
[[noreturn]] void throw_infeasible(const PlacementProblem& problem, std::string_view policy, std::string_view where,
                                   std::span<const std::size_t> candidates);

} // namespace edgesim::place
