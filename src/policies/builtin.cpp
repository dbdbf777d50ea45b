#include "policies/builtin.hpp"

namespace edgesim {

void register_builtin_policies(Registry& registry) {
  register_exit_none(registry);
  register_exit_fixed(registry);
  register_exit_oracle(registry);
  register_exit_per_workload(registry);
  register_exit_probabilities(registry);
  register_exit_threshold(registry);
  register_exit_knapsack(registry);
  register_exit_ucb(registry);
  register_exit_criteria(registry);
  register_exit_queueing_lp(registry);
  register_exit_pareto(registry);
  register_exit_bayesopt(registry);
  register_place_manual(registry);
  register_place_source_only(registry);
  register_place_neurosurgeon(registry);
  register_place_chain_dp(registry);
  register_place_ilp(registry);
  register_place_greedy(registry);
  register_place_random(registry);
  register_place_splitplace(registry);
}

void register_builtin_processes(Registry& registry) {
  register_arrival_poisson(registry);
  register_arrival_periodic(registry);
  register_arrival_mmpp2(registry);
  register_arrival_trace(registry);
  register_work_phase_type(registry);
}

} // namespace edgesim
