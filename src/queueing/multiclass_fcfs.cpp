#include "queueing/multiclass_fcfs.hpp"

#include <Eigen/Dense>

#include <map>
#include <stdexcept>

namespace edgesim::queueing {

MulticlassResult solve_multiclass_fcfs(std::span<const double> arrival_rates, std::span<const double> service_rates,
                                       int K, std::size_t max_states) {
  const std::size_t classes = arrival_rates.size();
  if (classes == 0 || service_rates.size() != classes || K < 1)
    throw std::invalid_argument("solve_multiclass_fcfs: one arrival and service rate per class, K >= 1");
  // Enumerate the sequences breadth first: states[i] is a sequence of class indices.
  std::vector<std::vector<std::size_t>> states{{}};
  std::map<std::vector<std::size_t>, std::size_t> index{{{}, 0}};
  for (std::size_t at = 0; at < states.size(); ++at) {
    if (states[at].size() == static_cast<std::size_t>(K))
      continue;
    for (std::size_t c = 0; c < classes; ++c) {
      auto next = states[at];
      next.push_back(c);
      if (states.size() >= max_states)
        throw std::invalid_argument("solve_multiclass_fcfs: state space too large");
      index.emplace(next, states.size());
      states.push_back(std::move(next));
    }
  }
  const auto n = static_cast<Eigen::Index>(states.size());
  // Generator transposed (Q^T pi = 0), one balance row replaced by the normalisation.
  Eigen::MatrixXd qt = Eigen::MatrixXd::Zero(n, n);
  for (std::size_t s = 0; s < states.size(); ++s) {
    const auto& seq = states[s];
    const auto from = static_cast<Eigen::Index>(s);
    if (seq.size() < static_cast<std::size_t>(K)) {
      for (std::size_t c = 0; c < classes; ++c) {
        auto next = seq;
        next.push_back(c);
        const auto to = static_cast<Eigen::Index>(index.at(next));
        qt(to, from) += arrival_rates[c];
        qt(from, from) -= arrival_rates[c];
      }
    }
    if (!seq.empty()) {
      const std::vector<std::size_t> next(seq.begin() + 1, seq.end());
      const auto to = static_cast<Eigen::Index>(index.at(next));
      qt(to, from) += service_rates[seq.front()];
      qt(from, from) -= service_rates[seq.front()];
    }
  }
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n);
  qt.row(0).setOnes();
  rhs(0) = 1.0;
  const Eigen::VectorXd pi = qt.partialPivLu().solve(rhs);

  MulticlassResult result;
  result.throughput.assign(classes, 0.0);
  result.mean_in_system.assign(classes, 0.0);
  result.response_time.assign(classes, 0.0);
  for (std::size_t s = 0; s < states.size(); ++s) {
    const double p = pi(static_cast<Eigen::Index>(s));
    if (states[s].size() == static_cast<std::size_t>(K))
      result.loss += p;
    for (std::size_t c : states[s])
      result.mean_in_system[c] += p;
  }
  for (std::size_t c = 0; c < classes; ++c) {
    result.throughput[c] = arrival_rates[c] * (1.0 - result.loss);
    result.response_time[c] = result.throughput[c] > 0 ? result.mean_in_system[c] / result.throughput[c] : 0.0;
  }
  return result;
}

} // namespace edgesim::queueing
