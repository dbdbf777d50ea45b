#include <edgesim/exit_oracle.hpp>

#include <cmath>
#include <limits>

namespace edgesim {

double standard_normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// Acklam's rational approximation refined by one Halley step: |error| < 1e-12.
double standard_normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  if (p <= 0)
    return -std::numeric_limits<double>::infinity();
  if (p >= 1)
    return std::numeric_limits<double>::infinity();
  double x = 0;
  constexpr double low = 0.02425;
  if (p < low) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    double q = p - 0.5;
    double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double e = standard_normal_cdf(x) - p;
  double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

ExitOracle::ExitOracle(const ModelProfile& model, std::uint64_t seed) : model_(&model), rng_(seed) {
  for (std::size_t i = 0; i <= model.exits.size(); ++i)
    thresholds_.push_back(standard_normal_quantile(model.exit_accuracy(i)));
  if (!model.trace.empty())
    trace_samples_ = model.trace.size() / (model.exits.size() + 1);
}

void ExitOracle::begin_request(double& difficulty, std::uint64_t& sample) {
  if (trace_samples_ > 0) {
    sample = rng_.below(trace_samples_);
    difficulty = 0;
  } else {
    difficulty = rng_.normal();
    sample = 0;
  }
}

ExitOutcomeDraw ExitOracle::at_exit(std::size_t exit, double difficulty, std::uint64_t sample) {
  if (trace_samples_ > 0) {
    const auto& row = model_->trace[sample * (model_->exits.size() + 1) + exit];
    return {row.confidence, row.correct};
  }
  // Latent score s ~ N(0,1) per exit, correlated across exits through the request's
  // difficulty; the answer is right when s falls below Phi^-1(accuracy), so each exit's
  // marginal accuracy is exactly its calibrated accuracy. Confidence is the margin seen
  // through noise, so thresholds on it trade accuracy for depth as real exits do.
  const double rho = model_->difficulty_correlation;
  const double score = rho * difficulty + std::sqrt(1 - rho * rho) * rng_.normal();
  const double margin = thresholds_[exit] - score;
  const double confidence = standard_normal_cdf(margin + model_->confidence_noise * rng_.normal());
  return {confidence, margin > 0};
}

} // namespace edgesim
