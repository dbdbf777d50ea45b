#pragma once
// What a multi-exit network "says" about one request at each exit: a confidence and
// whether that exit's answer is right. Either replayed from a measured per-sample trace
// or drawn from a synthetic generator calibrated to each exit's accuracy, in which a
// per-request difficulty shared across exits makes a request that is easy (confident
// and right) at exit 1 likely to be easy later too.
#include <edgesim/model.hpp>

#include <edgesim/random.hpp>

#include <vector>

namespace edgesim {

struct ExitOutcomeDraw {
  double confidence = 0;
  bool correct = false;
};

class ExitOracle {
public:
  ExitOracle(const ModelProfile& model, std::uint64_t seed);
  /// Starts a new request: draws its difficulty (or trace sample).
  void begin_request(double& difficulty, std::uint64_t& sample);
  /// Outcome at exit i (num_exits = final classifier) for a request started above.
  ExitOutcomeDraw at_exit(std::size_t exit, double difficulty, std::uint64_t sample);

private:
  const ModelProfile* model_;
  Rng rng_;
  std::vector<double> thresholds_; // Phi^-1(accuracy_i)
  std::size_t trace_samples_ = 0;
};

double standard_normal_cdf(double x);
double standard_normal_quantile(double p);

} // namespace edgesim
