// Fuzz target: the rule language of the `criteria` exit policy
// (policies/exit/criteria_expression.cpp). A rule is either parsed, and then evaluated on
// a few exit contexts (NaN metrics included), or refused with a ParseError whose column
// lies inside the rule; the policy turns that ParseError into an InputError.
#include "fuzz_support.hpp"

#include "policies/exit/criteria_expression.hpp"

#include <array>
#include <cmath>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view rule = edgesim::fuzz::as_text(data, size);
  using edgesim::fuzz::require;
  try {
    const auto expression = edgesim::criteria::Expression::parse(rule);
    std::array<edgesim::ExitContext, 3> contexts{};
    contexts[1].confidence = 0.9;
    contexts[1].elapsed = 0.05;
    contexts[1].battery_soc = 0.3;
    contexts[1].exit_index = 1;
    contexts[1].num_exits = 3;
    contexts[2].confidence = NAN;
    contexts[2].elapsed = INFINITY;
    contexts[2].energy_so_far = NAN;
    for (const auto& ctx : contexts)
      (void)expression.evaluate(ctx);
  } catch (const edgesim::criteria::ParseError& error) {
    require(error.column() >= 1 && error.column() <= rule.size() + 1, "error column inside the rule");
    require(!error.expected().empty(), "the error says what was expected");
  }
  return 0;
}
