#pragma once
// The rule language of the `criteria` exit policy: comparisons of a request's metrics
// with quantities, combined with AND, OR, NOT and parentheses, e.g.
//   confidence > 0.8 OR (response_time > 50ms AND battery < 30%)
// A rule is parsed once, when the policy is built, into a flat tree that decide()
// evaluates per exit; syntax and unit errors point at the column where they occur.
//
// Grammar (AND binds tighter than OR, NOT tighter than AND; keywords in any case):
//   rule       := or
//   or         := and { ("OR" | "||") and }
//   and        := unary { ("AND" | "&&") unary }
//   unary      := ("NOT" | "!") unary | "(" or ")" | comparison
//   comparison := metric ("<" | "<=" | ">" | ">=" | "==" | "!=") quantity
//   quantity   := number [unit]          (no space between number and unit)
#include <edgesim/policy.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::criteria {

enum class Metric : std::uint8_t {
  Confidence,   // ctx.confidence, 0..1
  ResponseTime, // ctx.elapsed, s
  Accuracy,     // ctx.exit_accuracy, 0..1
  Energy,       // ctx.energy_so_far, J
  Flops,        // ctx.flops_so_far
  Battery,      // ctx.battery_soc, 0..1
  Queue,        // ctx.queue_length
  Exit,         // ctx.exit_index
  Share,        // ctx.cpu_share, 0..1
};

enum class Comparison : std::uint8_t { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual };

/// A syntax or unit error; what() reads `<expected> at column <N> in "<rule>"`, to
/// follow "expected" in a ConfigView error.
class ParseError : public std::runtime_error {
public:
  ParseError(const std::string& expected, std::size_t column, std::string_view rule);
  [[nodiscard]] const std::string& expected() const { return expected_; }
  [[nodiscard]] std::size_t column() const { return column_; } // 1-based

private:
  std::string expected_;
  std::size_t column_;
};

class Expression {
public:
  /// Throws ParseError.
  static Expression parse(std::string_view rule);
  [[nodiscard]] bool evaluate(const ExitContext& ctx) const { return evaluate(root_, ctx); }

  struct Node {
    enum class Kind : std::uint8_t { Compare, And, Or, Not } kind = Kind::Compare;
    Metric metric = Metric::Confidence; // Compare
    Comparison op = Comparison::Less;   // Compare
    double value = 0;                   // Compare, in SI units (s, J, flops) or a fraction
    std::uint32_t left = 0;             // And, Or, Not
    std::uint32_t right = 0;            // And, Or
  };

private:
  friend class Parser;
  [[nodiscard]] bool evaluate(std::uint32_t node, const ExitContext& ctx) const;

  std::vector<Node> nodes_; // children precede their parent
  std::uint32_t root_ = 0;
};

} // namespace edgesim::criteria
