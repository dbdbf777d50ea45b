// Solve times of the placement optimisers on the bandwidth sweep's problems
// (scenarios/placement-bandwidth.toml: MobileNetV2 and ResNet-50 on pi-jetson-server.xml),
// and the cut each finds. Run from the repository root:
//   cmake --build build --target placement_bench && build/bench/placement_bench
#include "core/placement_problem.hpp"
#include "policies/place/chain_dp.hpp"
#include "policies/place/ilp.hpp"
#include "scenario/scenario_loader.hpp"

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <vector>

int main() {
  using namespace edgesim;
  using Clock = std::chrono::steady_clock;
  const std::vector<std::string> models{"models/mobilenetv2.toml", "models/resnet50.toml"};
  const std::vector<std::string> bandwidths{"0.05", "0.2", "0.5", "1", "2", "4", "8", "16"};
  fmt::print("{:<12} {:>8} {:>6} {:>12} {:>12} {:>14}  {}\n", "model", "MB/s", "obj", "chain-dp ms", "ilp ms",
             "ilp optimal", "ilp placement");
  for (const auto& model : models) {
    for (const auto& bandwidth : bandwidths) {
      const Scenario scenario =
          load_scenario("scenarios/placement-bandwidth.toml",
                        {"tenants.0.model=" + model, "links.ap-jetson.bandwidth=" + bandwidth + "MBps"});
      const PlacementInputs inputs = probe_placement_inputs(scenario);
      const PlacementProblem problem = make_placement_problem(inputs, scenario.tenants[0], 0);
      const auto all = place::all_hosts(problem);
      for (auto objective : {place::ChainObjective::Latency, place::ChainObjective::Throughput}) {
        const auto t0 = Clock::now();
        const auto dp = place::chain_dp(problem, objective, all);
        const double dp_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        const auto ilp = place::solve_placement_ilp(problem, objective, all, 60.0);
        std::string placement;
        for (const auto& f : ilp.fragments)
          placement += fmt::format(" [{}-{}]@{}", f.first_layer, f.last_layer, f.host);
        fmt::print("{:<12} {:>8} {:>6} {:>12.3f} {:>12.1f} {:>14}  {}\n", scenario.tenants[0].model.name, bandwidth,
                   objective == place::ChainObjective::Latency ? "lat" : "thr", dp_ms, ilp.solve_seconds * 1e3,
                   ilp.proven_optimal ? "yes" : "no", placement);
      }
    }
  }
  return 0;
}
