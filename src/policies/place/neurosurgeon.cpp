// `neurosurgeon`: one cut between the source device and an offload target (Kang et al.,
// "Neurosurgeon: collaborative intelligence between the cloud and mobile edge",
// ASPLOS 2017). Per-layer latency on each device comes from a regression per layer type
// fitted to the model's measured layer latencies on the device's class (LayerLatency-
// Regression); a class without measurements is fitted to the FLOPs cost model, which it
// then reproduces. For each split point
// and target it predicts
//   latency = local compute + upload (route latency + bytes / current bandwidth) + remote compute
//   energy  = source busy power x local compute + (source idle + radio Ptx) x upload
// (the mobile-energy objective: what the device spends; waiting for the server is free)
// and keeps the best.
#include "policies/place/neurosurgeon.hpp"

#include "policies/builtin.hpp"

#include <Eigen/Dense>
#include <fmt/format.h>

#include <limits>
#include <utility>

namespace edgesim::place {
namespace {

std::array<double, 4> features(const Layer& layer) {
  return {1.0, layer.flops, layer.param_bytes, layer.out_bytes};
}

// Least squares on features scaled to [-1, 1] by their largest magnitude; rank-revealing
// QR, so collinear features (or fewer layers than features) give the minimum-norm fit.
LayerLatencyRegression::Fit fit(const std::vector<const Layer*>& layers, const std::vector<double>& seconds) {
  const auto rows = static_cast<Eigen::Index>(layers.size());
  Eigen::MatrixXd x(rows, 4);
  Eigen::VectorXd y(rows);
  std::array<double, 4> scale{};
  for (const Layer* layer : layers) {
    const auto f = features(*layer);
    for (std::size_t c = 0; c < 4; ++c)
      scale[c] = std::max(scale[c], std::abs(f[c]));
  }
  for (auto& s : scale)
    s = s > 0 ? s : 1.0;
  for (Eigen::Index r = 0; r < rows; ++r) {
    const auto f = features(*layers[static_cast<std::size_t>(r)]);
    for (Eigen::Index c = 0; c < 4; ++c)
      x(r, c) = f[static_cast<std::size_t>(c)] / scale[static_cast<std::size_t>(c)];
    y(r) = seconds[static_cast<std::size_t>(r)];
  }
  const Eigen::VectorXd beta = x.completeOrthogonalDecomposition().solve(y);
  LayerLatencyRegression::Fit out;
  for (std::size_t c = 0; c < 4; ++c)
    out.coefficients[c] = beta(static_cast<Eigen::Index>(c)) / scale[c];
  return out;
}

} // namespace

LayerLatencyRegression::LayerLatencyRegression(const ModelProfile& model, const HostInfo& host) {
  std::vector<const Layer*> measured_layers;
  std::vector<double> measured_times;
  if (const LatencyMeasurement* m = model.measurement_on(host.device_class)) {
    for (std::size_t l = 0; l < model.layers.size(); ++l)
      if (const auto latency = model.measured_layer_latency(l, host.device_class)) {
        measured_layers.push_back(&model.layers[l]);
        measured_times.push_back(measured_seconds(*m, *latency, host));
      }
  }
  measured_ = measured_layers.size() >= 2;
  if (!measured_) {
    // No profile of this class: the cost model is the "measurement".
    std::vector<const Layer*> all;
    std::vector<double> seconds;
    for (std::size_t l = 0; l < model.layers.size(); ++l) {
      all.push_back(&model.layers[l]);
      seconds.push_back(layer_seconds(model, l, host));
    }
    pooled_ = fit(all, seconds);
    return;
  }
  pooled_ = fit(measured_layers, measured_times);
  std::map<std::string, std::pair<std::vector<const Layer*>, std::vector<double>>, std::less<>> groups;
  for (std::size_t i = 0; i < measured_layers.size(); ++i) {
    auto& [layers, seconds] = groups[measured_layers[i]->type];
    layers.push_back(measured_layers[i]);
    seconds.push_back(measured_times[i]);
  }
  for (const auto& [type, group] : groups)
    if (group.first.size() >= 2)
      by_type_.emplace(type, fit(group.first, group.second));
}

const LayerLatencyRegression::Fit& LayerLatencyRegression::fit_for(std::string_view layer_type) const {
  auto it = by_type_.find(layer_type);
  return it == by_type_.end() ? pooled_ : it->second;
}

double LayerLatencyRegression::predict(const Layer& layer) const {
  const auto f = features(layer);
  const auto& coefficients = fit_for(layer.type).coefficients;
  double t = 0;
  for (std::size_t c = 0; c < 4; ++c)
    t += coefficients[c] * f[c];
  return std::max(0.0, t);
}

std::optional<NeurosurgeonSplit> neurosurgeon_split(const PlacementProblem& problem, NeurosurgeonObjective objective,
                                                    std::span<const std::size_t> targets) {
  const ModelProfile& model = problem.model;
  const std::size_t layers = model.layers.size();
  const HostInfo* source = problem.host(problem.source_host);
  if (source == nullptr || !source->available)
    return std::nullopt;
  // Predicted time of layers 0..k-1 on the source.
  const LayerLatencyRegression on_source(model, *source);
  std::vector<double> local(layers + 1, 0.0);
  for (std::size_t l = 0; l < layers; ++l)
    local[l + 1] = local[l] + on_source.predict(model.layers[l]);

  std::optional<NeurosurgeonSplit> best;
  // Best by the objective; on a tie (the device's energy does not depend on which
  // target computes the rest) the sooner one.
  const auto key = [&](const NeurosurgeonSplit& s) {
    return objective == NeurosurgeonObjective::Latency ? std::pair{s.latency_s, s.energy_j}
                                                       : std::pair{s.energy_j, s.latency_s};
  };
  const auto consider = [&](NeurosurgeonSplit candidate) {
    if (!best || key(candidate) < key(*best))
      best = std::move(candidate);
  };
  if (fits_ram(model, 0, layers - 1, *source))
    consider({layers, "", local[layers], source->busy_watts * local[layers]});
  for (std::size_t t : targets) {
    const HostInfo& target = problem.hosts[t];
    const RouteInfo* uplink = problem.route(source->name, target.name);
    if (target.name == source->name || uplink == nullptr)
      continue;
    const LayerLatencyRegression on_target(model, target);
    double remote = 0; // layers split..L-1 on the target, accumulated from the end
    for (std::size_t split = layers; split-- > 0;) {
      remote += on_target.predict(model.layers[split]);
      if (!fits_ram(model, split, layers - 1, target) || (split > 0 && !fits_ram(model, 0, split - 1, *source)))
        continue;
      const double upload = transfer_seconds(*uplink, cut_bytes(problem, split));
      consider({split, target.name, local[split] + upload + remote,
                source->busy_watts * local[split] + (source->idle_watts + source->tx_watts) * upload});
    }
  }
  return best;
}

namespace {

class NeurosurgeonPlacement final : public PlacementPolicy {
public:
  explicit NeurosurgeonPlacement(const ConfigView& config)
      : where_(config.where("policy")), objective_where_(config.where("objective")),
        target_where_(config.where("target")) {
    const std::string objective = config.get_string("objective", "latency");
    if (objective == "energy")
      objective_ = NeurosurgeonObjective::Energy;
    else if (objective != "latency")
      config.fail("objective", "\"latency\" or \"energy\"");
    if (config.has("target"))
      target_ = config.get_string("target");
  }

  std::vector<Fragment> place(const PlacementProblem& problem) override {
    const std::vector<std::string> names = target_.empty() ? std::vector<std::string>{} : std::vector{target_};
    const auto targets = candidate_hosts(problem, names, target_where_);
    const HostInfo* source = problem.host(problem.source_host);
    if (objective_ == NeurosurgeonObjective::Energy && source != nullptr && source->busy_watts <= 0)
      throw InputError(fmt::format("{}: expected a source host with a power model for objective = \"energy\": host "
                                   "{} has no wattage_per_state",
                                   objective_where_, problem.source_host));
    const auto best = neurosurgeon_split(problem, objective_, targets);
    if (!best)
      throw_infeasible(problem, "neurosurgeon", where_, targets);
    const std::size_t layers = problem.model.layers.size();
    std::vector<Fragment> fragments;
    if (best->split > 0)
      fragments.push_back(Fragment{0, best->split - 1, problem.source_host});
    if (best->split < layers)
      fragments.push_back(Fragment{best->split, layers - 1, best->target});
    return fragments;
  }

private:
  NeurosurgeonObjective objective_ = NeurosurgeonObjective::Latency;
  std::string target_;
  std::string where_;
  std::string objective_where_;
  std::string target_where_;
};

} // namespace
} // namespace edgesim::place

namespace edgesim {

void register_place_neurosurgeon(Registry& registry) {
  registry.add_placement_policy(
      "neurosurgeon",
      "best single split between the source and one offload target from regression-predicted layer latency and "
      "the uplink bandwidth: objective = latency | energy (source device), target = host (default: best of all)",
      [](const PlacementPolicyArgs& args) -> std::unique_ptr<PlacementPolicy> {
        args.config.require_only({"policy", "objective", "target"});
        return std::make_unique<place::NeurosurgeonPlacement>(args.config);
      });
}

} // namespace edgesim
