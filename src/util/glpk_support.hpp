#pragma once
// RAII for GLPK (the LP/ILP solver of the exit and placement policies).
#include <glpk.h>

#include <memory>

namespace edgesim {

struct GlpDeleter {
  void operator()(glp_prob* problem) const noexcept { glp_delete_prob(problem); }
};
using GlpProblem = std::unique_ptr<glp_prob, GlpDeleter>;

// GLPK prints to stdout unless told not to; the setting is global, so restore the
// caller's when done rather than silencing a host application for good.
class GlpQuiet {
public:
  GlpQuiet() : previous_(glp_term_out(GLP_OFF)) {}
  ~GlpQuiet() { glp_term_out(previous_); }
  GlpQuiet(const GlpQuiet&) = delete;
  GlpQuiet& operator=(const GlpQuiet&) = delete;

private:
  int previous_;
};

} // namespace edgesim
