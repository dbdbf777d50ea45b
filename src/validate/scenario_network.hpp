#pragma once
// The queueing network of a scenario, for `edgesim validate --network --scenario FILE`:
// every tenant is a class with Poisson arrivals whose route is its fragments' hosts in
// order, every host a station (one FCFS server of capacity K shared by everything on
// it), every visit served by the tenant's work law (or its fragment_work law) scaled to
// the fragment's compute time alone (core/deployment fragment_seconds). Transfers are
// taken at their time alone (route latency + bytes / bottleneck bandwidth) and added to
// the class's response as a constant delay: exact for the stations while links are not
// contended. What the model cannot express is an input error naming the key: other
// arrival processes, exit policies, semantic branches, processor sharing or several
// servers, and hosts with a station per fragment holding more than one fragment (the
// run's /hosts counters, which the comparison reads, are per host).
#include <edgesim/policy.hpp>

#include "core/deployment.hpp"
#include "core/platform_probe.hpp"
#include "queueing/loss_tandem.hpp"
#include "scenario/scenario.hpp"

#include <optional>
#include <string>
#include <vector>

namespace edgesim::validate {

struct ScenarioNetwork {
  queueing::LossNetwork network;
  std::vector<int> station_hosts; // platform host index of each station (its /hosts row)
  std::vector<std::string> station_names;
  std::vector<double> transfer_delay; // per class: its transfers' time alone, seconds
  std::string description;            // "host:K ..." for the table
};

/// Throws InputError naming the scenario file and key when the scenario is not such a
/// network.
[[nodiscard]] ScenarioNetwork scenario_network(const Scenario& scenario, const PlatformInfo& platform,
                                               const Deployment& deployment);

/// The law of a per-visit work factor (mean 1), as the engine draws it; nullopt when the
/// law has no phase-type shape (WorkLaw::branches() is empty).
[[nodiscard]] std::optional<queueing::ServiceDistribution> work_law(const WorkLaw& law);

} // namespace edgesim::validate
