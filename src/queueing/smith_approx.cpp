#include "queueing/smith_approx.hpp"

#include <cmath>
#include <stdexcept>

namespace edgesim::queueing {
namespace {

double exponent_denominator(double rho, double scv) {
  return 2 + std::sqrt(rho) * (scv - 1);
}

} // namespace

bool smith_formula_applicable(double rho, double scv) noexcept {
  return std::isfinite(rho) && rho > 0 && std::isfinite(scv) && scv >= 0 && exponent_denominator(rho, scv) > 0;
}

double smith_loss_probability(double rho, double scv, int K) {
  if (!std::isfinite(rho) || rho <= 0)
    throw std::invalid_argument("smith_loss_probability: load rho must be finite and > 0");
  if (!std::isfinite(scv) || scv < 0)
    throw std::invalid_argument("smith_loss_probability: scv must be finite and >= 0");
  if (K < 1)
    throw std::invalid_argument("smith_loss_probability: capacity K must be >= 1");
  const double d = exponent_denominator(rho, scv);
  if (!(d > 0))
    throw std::domain_error("smith_loss_probability: 2 + sqrt(rho) (scv - 1) <= 0, outside the formula's domain");

  const double e = (std::sqrt(rho) * (scv - 1) + 2 * static_cast<double>(K)) / d;
  const double t = std::log(rho);
  if (t == 0)
    return 1 / (e + 1);
  if (t < 0) // rho^e (rho - 1) / (rho^{e+1} - 1): both factors below 1, no overflow
    return std::exp(e * t) * std::expm1(t) / std::expm1((e + 1) * t);
  // Above saturation divide through by rho^{e+1}: (1 - 1/rho) / (1 - rho^{-(e+1)}).
  return std::expm1(-t) / std::expm1(-(e + 1) * t);
}

} // namespace edgesim::queueing
