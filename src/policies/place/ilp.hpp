#pragma once
// The placement ILP in the style of Disabato, Roveri & Alippi ("Distributed deep
// convolutional neural networks for the Internet-of-Things", IEEE Trans. Computers
// 2021), solved with GLPK's branch and cut.
#include "policies/place/chain_placement.hpp"

namespace edgesim::place {

struct IlpSolution {
  std::vector<Fragment> fragments; // empty when the problem is infeasible
  bool proven_optimal = false;     // false: the time limit stopped GLPK at an incumbent
  double solve_seconds = 0;        // wall time spent in GLPK
};

/// Solves the placement of the model on `candidates` (indices into problem.hosts) for
/// the objective within `time_limit_s`. Throws RuntimeError when the limit is reached
/// without any feasible placement found.
IlpSolution solve_placement_ilp(const PlacementProblem& problem, ChainObjective objective,
                                std::span<const std::size_t> candidates, double time_limit_s);

struct JointIlpSolution {
  std::vector<std::vector<Fragment>> plans; // one per problem; empty when infeasible
  bool proven_optimal = false;
  double solve_seconds = 0;
};

/// The joint placement of every problem's tenant in one program (joint_placement.hpp):
/// shared host RAM, utilisation at most `max_utilisation`, the joint objective.
JointIlpSolution solve_joint_placement_ilp(std::span<const PlacementProblem> problems, ChainObjective objective,
                                           std::span<const std::size_t> candidates, double time_limit_s,
                                           double max_utilisation);

} // namespace edgesim::place
