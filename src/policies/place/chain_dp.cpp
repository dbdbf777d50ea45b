// `chain-dp`: the exact optimum for contiguous fragments of the model on a path of
// distinct hosts, under RAM and routes. State (k, i, used): layers 0..k-1 placed, the
// last fragment on candidate i, `used` the set of candidates holding a fragment. Both
// objectives decompose over fragments (a sum for latency, a max for the bottleneck), so
// the best completion of a state does not depend on how it was reached. For throughput
// a second pass minimises latency among placements whose every stage stays within the
// optimal bottleneck, so ties are broken the same way every time.
//
// Placing one tenant of a joint placement (joint_placement.hpp) among others, the same
// DP holds with what the others use: a fragment's stage is the host's utilisation (the
// others' plus rate x compute), a transfer's the route's, the RAM left is the host's
// minus theirs, and no host may pass max_utilisation. The joint placement itself is
// coordinate descent over these best responses.
#include "policies/place/chain_dp.hpp"

#include "policies/builtin.hpp"
#include "policies/place/joint_placement.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace edgesim::place {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

class ChainDp {
public:
  ChainDp(const PlacementProblem& problem, std::span<const std::size_t> candidates, double max_utilisation)
      : problem_(problem), candidates_(candidates.begin(), candidates.end()), layers_(problem.model.layers.size()),
        hosts_(candidates_.size()), masks_(std::size_t{1} << hosts_) {
    const ModelProfile& model = problem.model;
    // Alone, a stage is its own seconds (weight 1, nothing else on the host).
    busy_offset_.assign(hosts_, 0.0);
    if (problem.co_tenants != nullptr) {
      weight_ = problem.workload.arrival_rate;
      max_utilisation_ = max_utilisation;
      for (std::size_t i = 0; i < hosts_; ++i)
        if (candidates_[i] < problem.co_tenants->hosts.size())
          busy_offset_[i] = problem.co_tenants->hosts[candidates_[i]].utilisation;
    }
    // Per candidate: prefix sums of the FLOPs-model layers' flops and of the measured
    // layers' seconds (docs/calibration.md), so a fragment's compute is two differences.
    flops_prefix_.assign(hosts_, std::vector<double>(layers_ + 1, 0.0));
    measured_prefix_.assign(hosts_, std::vector<double>(layers_ + 1, 0.0));
    for (std::size_t i = 0; i < hosts_; ++i) {
      const LatencyMeasurement* m = model.measurement_on(host(i).device_class);
      for (std::size_t l = 0; l < layers_; ++l) {
        const auto latency = m != nullptr ? model.measured_layer_latency(l, host(i).device_class) : std::nullopt;
        flops_prefix_[i][l + 1] = flops_prefix_[i][l] + (latency ? 0.0 : model.layers[l].flops);
        measured_prefix_[i][l + 1] = measured_prefix_[i][l] + (latency ? measured_seconds(*m, *latency, host(i)) : 0.0);
      }
    }
    fits_.assign(hosts_ * layers_ * layers_, false);
    for (std::size_t i = 0; i < hosts_; ++i)
      for (std::size_t first = 0; first < layers_; ++first)
        for (std::size_t last = first; last < layers_; ++last)
          fits_[(i * layers_ + first) * layers_ + last] = fits_ram(model, first, last, host(i), ram_used(i));
  }

  /// Minimal cost; `stage_limit` bounds every stage (compute and bytes/bandwidth).
  std::vector<Fragment> solve(ChainObjective objective, double stage_limit, double* best_value) {
    const std::size_t states = (layers_ + 1) * hosts_ * masks_;
    cost_.assign(states, kInf);
    parent_.assign(states, kNone);
    // Fragments starting at layer 0 come from the source host.
    for (std::size_t i = 0; i < hosts_; ++i)
      extend(objective, stage_limit, 0, kNone, problem_.source_host, 0.0, i, 0);
    for (std::size_t k = 1; k < layers_; ++k)
      for (std::size_t i = 0; i < hosts_; ++i)
        for (std::size_t mask = 0; mask < masks_; ++mask) {
          const std::size_t from = index(k, i, mask);
          if (cost_[from] == kInf)
            continue;
          for (std::size_t j = 0; j < hosts_; ++j)
            if ((mask >> j & 1U) == 0)
              extend(objective, stage_limit, k, from, host(i).name, cost_[from], j, mask);
        }
    std::size_t best = kNone;
    for (std::size_t i = 0; i < hosts_; ++i)
      for (std::size_t mask = 0; mask < masks_; ++mask) {
        const std::size_t at = index(layers_, i, mask);
        if (cost_[at] < kInf && (best == kNone || cost_[at] < cost_[best]))
          best = at;
      }
    if (best == kNone)
      return {};
    *best_value = cost_[best];
    std::vector<Fragment> fragments;
    for (std::size_t at = best; at != kNone; at = parent_[at]) {
      const std::size_t last = at / (hosts_ * masks_); // layers placed at this state
      const std::size_t i = at / masks_ % hosts_;
      const std::size_t first = parent_[at] == kNone ? 0 : parent_[at] / (hosts_ * masks_);
      fragments.insert(fragments.begin(), Fragment{first, last - 1, host(i).name});
    }
    return fragments;
  }

private:
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

  [[nodiscard]] const HostInfo& host(std::size_t i) const { return problem_.hosts[candidates_[i]]; }
  [[nodiscard]] double ram_used(std::size_t i) const {
    const CoTenantLoad* load = problem_.co_tenants;
    return load != nullptr && candidates_[i] < load->hosts.size() ? load->hosts[candidates_[i]].ram_bytes : 0.0;
  }
  [[nodiscard]] double route_offset(std::string_view from, std::string_view to) const {
    return problem_.co_tenants != nullptr ? problem_.co_tenants->route(from, to) : 0.0;
  }
  [[nodiscard]] std::size_t index(std::size_t k, std::size_t i, std::size_t mask) const {
    return (k * hosts_ + i) * masks_ + mask;
  }

  // Every fragment k..m-1 on candidate j after a state of cost `so_far` ending on `from_host`.
  void extend(ChainObjective objective, double stage_limit, std::size_t k, std::size_t from, std::string_view from_host,
              double so_far, std::size_t j, std::size_t mask) {
    const HostInfo& to = host(j);
    const double bytes = cut_bytes(problem_, k);
    const auto transfer = transfer_time(problem_, from_host, to.name, bytes);
    if (!transfer)
      return;
    const double stage_transfer =
        route_offset(from_host, to.name) + weight_ * *transfer_time(problem_, from_host, to.name, bytes, false);
    if (stage_transfer > stage_limit)
      return;
    const double busy_limit = std::min(stage_limit, max_utilisation_);
    const double rate = model_flops_per_second(problem_.model, to);
    const std::size_t next_mask = mask | std::size_t{1} << j;
    for (std::size_t m = k + 1; m <= layers_; ++m) {
      if (!fits_[(j * layers_ + k) * layers_ + (m - 1)])
        break; // RAM need only grows with the fragment
      const double compute =
          (flops_prefix_[j][m] - flops_prefix_[j][k]) / rate + (measured_prefix_[j][m] - measured_prefix_[j][k]);
      const double busy = busy_offset_[j] + weight_ * compute;
      if (busy > busy_limit)
        break;
      const double cost = objective == ChainObjective::Latency ? so_far + *transfer + compute
                                                               : std::max({so_far, stage_transfer, busy});
      const std::size_t at = index(m, j, next_mask);
      if (cost < cost_[at]) {
        cost_[at] = cost;
        parent_[at] = from;
      }
    }
  }

  const PlacementProblem& problem_;
  std::vector<std::size_t> candidates_;
  std::size_t layers_;
  std::size_t hosts_;
  std::size_t masks_;
  std::vector<std::vector<double>> flops_prefix_;
  std::vector<std::vector<double>> measured_prefix_;
  std::vector<bool> fits_;
  double weight_ = 1; // the tenant's arrival rate among co-tenants: stages are utilisations
  double max_utilisation_ = kInf;
  std::vector<double> busy_offset_; // per candidate: the co-tenants' utilisation
  std::vector<double> cost_;
  std::vector<std::size_t> parent_;
};

class ChainDpPlacement final : public PlacementPolicy {
public:
  explicit ChainDpPlacement(const ConfigView& config)
      : objective_(chain_objective(config)), joint_(joint_settings(config)), host_names_(host_names(config)),
        where_(config.where("policy")), hosts_where_(config.where("hosts")), joint_where_(config.where("joint")) {}

  std::vector<Fragment> place(const PlacementProblem& problem) override {
    const auto candidates = checked_candidates(problem);
    auto fragments = chain_dp(problem, objective_, candidates, joint_.max_utilisation);
    if (fragments.empty())
      throw_infeasible(problem, "chain-dp", where_, candidates);
    return fragments;
  }

  [[nodiscard]] bool places_jointly() const override { return joint_.joint; }

  std::vector<std::vector<Fragment>> place_jointly(std::span<const PlacementProblem> problems) override {
    check_joint_rates(problems, joint_where_);
    auto plans =
        best_response_placement(problems, objective_, joint_.max_utilisation, [&](const PlacementProblem& problem) {
          return chain_dp(problem, objective_, checked_candidates(problem), joint_.max_utilisation);
        });
    if (plans.empty())
      throw_joint_infeasible(problems, "chain-dp", joint_where_, joint_.max_utilisation);
    return plans;
  }

private:
  [[nodiscard]] std::vector<std::size_t> checked_candidates(const PlacementProblem& problem) const {
    auto candidates = candidate_hosts(problem, host_names_, hosts_where_);
    if (candidates.size() > kChainDpMaxHosts)
      throw InputError(fmt::format("{}: expected at most {} candidate hosts for chain-dp (the platform has {}): "
                                   "list them in hosts = [...]",
                                   hosts_where_, kChainDpMaxHosts, candidates.size()));
    return candidates;
  }

  ChainObjective objective_;
  JointSettings joint_;
  std::vector<std::string> host_names_;
  std::string where_;
  std::string hosts_where_;
  std::string joint_where_;
};

} // namespace

std::vector<Fragment> chain_dp(const PlacementProblem& problem, ChainObjective objective,
                               std::span<const std::size_t> candidates, double max_utilisation) {
  if (candidates.empty() || problem.model.layers.empty())
    return {};
  ChainDp dp(problem, candidates, max_utilisation);
  double best = 0;
  auto fragments = dp.solve(objective, kInf, &best);
  if (objective == ChainObjective::Throughput && !fragments.empty()) {
    // Among co-tenants the peak may be on a host this tenant does not use.
    if (problem.co_tenants != nullptr)
      best = std::max(best, problem.co_tenants->peak());
    // Stages within the optimal bottleneck (up to rounding), then the fastest of those.
    auto fastest = dp.solve(ChainObjective::Latency, best * (1 + 1e-12), &best);
    if (!fastest.empty())
      fragments = std::move(fastest);
  }
  return fragments;
}

} // namespace edgesim::place

namespace edgesim {

void register_place_chain_dp(Registry& registry) {
  registry.add_placement_policy(
      "chain-dp",
      "exact optimum (dynamic programming) of contiguous fragments on distinct hosts under RAM: objective = "
      "latency | throughput (bottleneck stage); joint = true places the tenants sharing [placement] together "
      "(coordinate descent) within max_utilisation (1)",
      [](const PlacementPolicyArgs& args) -> std::unique_ptr<PlacementPolicy> {
        args.config.require_only({"policy", "objective", "hosts", "joint", "max_utilisation"});
        return std::make_unique<place::ChainDpPlacement>(args.config);
      });
}

} // namespace edgesim
