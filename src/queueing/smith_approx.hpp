#pragma once
// Closed-form approximation of the M/G/1/K blocking probability attributed to
// J. MacGregor Smith ("Optimal design and performance modelling of M/G/1/K queueing
// systems"; the same expression is LINE's qsys_mg1k_loss_mgs, and Smith's "M/G/c/K
// blocking probability models and system performance", Performance Evaluation 2003,
// develops the M/G/c/K family it belongs to). With rho = lambda E[S] (may exceed 1),
// s^2 = scv = Var[S] / E[S]^2 and K the capacity including the request in service:
//
//     p_K ~= rho^{e} (rho - 1) / (rho^{2 (1 + sqrt(rho) s^2 - sqrt(rho) + K) / d} - 1),
//     e = (sqrt(rho) s^2 - sqrt(rho) + 2K) / d,   d = 2 + sqrt(rho) s^2 - sqrt(rho).
//
// The second exponent equals e + 1, so p_K ~= rho^e (rho - 1) / (rho^{e+1} - 1): the
// M/M/1/K loss with K replaced by the effective capacity e. For scv = 1, e = K and the
// formula is exact for M/M/1/K. At rho = 1 it is 0/0; the limit 1 / (e + 1), with
// e = (s^2 - 1 + 2K) / (1 + s^2), is returned. Evaluated through expm1/exp of
// log(rho), so large exponents neither overflow nor cancel.
//
// Domain: d must be > 0. For scv < 1 this fails once sqrt(rho) >= 2 / (1 - scv) (e.g.
// deterministic service at rho >= 4), where the expression stops being a probability.
namespace edgesim::queueing {

// True when (rho, scv) lie where the formula is defined (d > 0, see above).
[[nodiscard]] bool smith_formula_applicable(double rho, double scv) noexcept;

// Throws std::invalid_argument unless rho is finite and > 0, scv is finite and >= 0 and
// K >= 1; throws std::domain_error when smith_formula_applicable(rho, scv) is false.
[[nodiscard]] double smith_loss_probability(double rho, double scv, int K);

} // namespace edgesim::queueing
