#pragma once
// Registration of the built-in policies, arrival processes and work laws. Each built-in
// lives in its own file under policies/exit, policies/place, policies/arrival or
// policies/work and exposes one register_* function; listing them
// here (rather than relying on static initialisers, which a static library drops)
// makes the registry the single way every policy is found.
#include <edgesim/policy.hpp>

namespace edgesim {

void register_builtin_policies(Registry& registry);
/// The arrival processes and work laws, in the order their names are listed.
void register_builtin_processes(Registry& registry);

void register_exit_none(Registry& registry);
void register_exit_fixed(Registry& registry);
void register_exit_oracle(Registry& registry);
void register_exit_per_workload(Registry& registry);
void register_exit_probabilities(Registry& registry);
void register_exit_threshold(Registry& registry);
void register_exit_knapsack(Registry& registry);
void register_exit_ucb(Registry& registry);
void register_exit_criteria(Registry& registry);
void register_exit_queueing_lp(Registry& registry);
void register_exit_pareto(Registry& registry);
void register_exit_bayesopt(Registry& registry);
void register_place_manual(Registry& registry);
void register_place_source_only(Registry& registry);
void register_place_neurosurgeon(Registry& registry);
void register_place_chain_dp(Registry& registry);
void register_place_ilp(Registry& registry);
void register_place_greedy(Registry& registry);
void register_place_random(Registry& registry);
void register_place_splitplace(Registry& registry);
void register_arrival_poisson(Registry& registry);
void register_arrival_periodic(Registry& registry);
void register_arrival_mmpp2(Registry& registry);
void register_arrival_trace(Registry& registry);
void register_work_phase_type(Registry& registry);

} // namespace edgesim
