#include "policies/exit/criteria_expression.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <optional>

namespace edgesim::criteria {

ParseError::ParseError(const std::string& expected, std::size_t column, std::string_view rule)
    : std::runtime_error(fmt::format("{} at column {} in \"{}\"", expected, column, rule)), expected_(expected),
      column_(column) {}

namespace {

// ----- quantities --------------------------------------------------------------------

enum class Dimension : std::uint8_t { Bare, Fraction, Time, Energy, Flops };

struct Unit {
  std::string_view suffix;
  Dimension dimension;
  double factor;
};

constexpr std::array kUnits{
    Unit{"%", Dimension::Fraction, 0.01},  Unit{"s", Dimension::Time, 1.0},       Unit{"ms", Dimension::Time, 1e-3},
    Unit{"us", Dimension::Time, 1e-6},     Unit{"ns", Dimension::Time, 1e-9},     Unit{"min", Dimension::Time, 60.0},
    Unit{"h", Dimension::Time, 3600.0},    Unit{"J", Dimension::Energy, 1.0},     Unit{"mJ", Dimension::Energy, 1e-3},
    Unit{"kJ", Dimension::Energy, 1e3},    Unit{"Wh", Dimension::Energy, 3600.0}, Unit{"mWh", Dimension::Energy, 3.6},
    Unit{"kWh", Dimension::Energy, 3.6e6},
};
struct FlopPrefix {
  std::string_view prefix;
  double factor;
};

constexpr std::array kFlopPrefixes{FlopPrefix{"", 1.0},  FlopPrefix{"k", 1e3}, FlopPrefix{"K", 1e3},
                                   FlopPrefix{"M", 1e6}, FlopPrefix{"G", 1e9}, FlopPrefix{"T", 1e12}};
constexpr std::array<std::string_view, 5> kFlopNames{"FLOP", "FLOPs", "FLOPS", "flop", "flops"};

constexpr std::string_view kUnitList =
    "a unit (durations: s, ms, us, ns, min, h; energy: J, mJ, kJ, Wh, mWh, kWh; flops: FLOP with an optional k, "
    "M, G or T prefix; %)";

std::optional<Unit> find_unit(std::string_view suffix) {
  if (suffix.empty())
    return Unit{"", Dimension::Bare, 1.0};
  for (const Unit& unit : kUnits)
    if (unit.suffix == suffix)
      return unit;
  for (std::string_view name : kFlopNames)
    if (suffix.ends_with(name))
      for (const auto& [prefix, factor] : kFlopPrefixes)
        if (suffix.size() == prefix.size() + name.size() && suffix.starts_with(prefix))
          return Unit{suffix, Dimension::Flops, factor};
  return std::nullopt;
}

struct MetricInfo {
  std::string_view name;
  Metric metric;
};

constexpr std::array kMetrics{
    MetricInfo{"confidence", Metric::Confidence}, MetricInfo{"response_time", Metric::ResponseTime},
    MetricInfo{"accuracy", Metric::Accuracy},     MetricInfo{"energy", Metric::Energy},
    MetricInfo{"flops", Metric::Flops},           MetricInfo{"battery", Metric::Battery},
    MetricInfo{"queue", Metric::Queue},           MetricInfo{"exit", Metric::Exit},
    MetricInfo{"share", Metric::Share},
};

constexpr std::string_view kMetricList =
    "a metric name (confidence, response_time, accuracy, energy, flops, battery, queue, exit or share)";

// ----- tokens ------------------------------------------------------------------------

struct Token {
  enum class Type : std::uint8_t { Name, Number, LParen, RParen, Compare, And, Or, Not, End } type = Type::End;
  std::string_view text;  // as written (a number includes its unit)
  std::size_t column = 0; // 1-based
  double number = 0;
  std::string_view unit;
  std::size_t unit_column = 0;
  Comparison op = Comparison::Less;
};

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

class Lexer {
public:
  explicit Lexer(std::string_view rule) : rule_(rule) {}

  std::vector<Token> tokens() {
    std::vector<Token> out;
    while (true) {
      while (pos_ < rule_.size() && std::isspace(static_cast<unsigned char>(rule_[pos_])) != 0)
        ++pos_;
      if (pos_ == rule_.size())
        break;
      out.push_back(next());
    }
    Token end;
    end.column = rule_.size() + 1;
    out.push_back(end);
    return out;
  }

private:
  Token next() {
    const std::size_t start = pos_;
    const char c = rule_[pos_];
    const char after = pos_ + 1 < rule_.size() ? rule_[pos_ + 1] : '\0';
    if (is_digit(c) || (c == '.' && is_digit(after)) || ((c == '-' || c == '+') && (is_digit(after) || after == '.')))
      return number();
    if (is_name_start(c)) {
      while (pos_ < rule_.size() && is_name_char(rule_[pos_]))
        ++pos_;
      const std::string_view word = rule_.substr(start, pos_ - start);
      Token::Type type = Token::Type::Name;
      if (equals_ignoring_case(word, "and"))
        type = Token::Type::And;
      else if (equals_ignoring_case(word, "or"))
        type = Token::Type::Or;
      else if (equals_ignoring_case(word, "not"))
        type = Token::Type::Not;
      return make(type, start);
    }
    ++pos_;
    switch (c) {
    case '(':
      return make(Token::Type::LParen, start);
    case ')':
      return make(Token::Type::RParen, start);
    case '<':
      return comparison(start, after == '=' ? Comparison::LessEqual : Comparison::Less);
    case '>':
      return comparison(start, after == '=' ? Comparison::GreaterEqual : Comparison::Greater);
    case '=':
      if (after == '=')
        return comparison(start, Comparison::Equal);
      throw ParseError("\"==\" instead of \"=\"", start + 1, rule_);
    case '!':
      if (after == '=')
        return comparison(start, Comparison::NotEqual);
      return make(Token::Type::Not, start);
    case '&':
    case '|':
      if (after == c) {
        ++pos_;
        return make(c == '&' ? Token::Type::And : Token::Type::Or, start);
      }
      throw ParseError(fmt::format("\"{}{}\" instead of \"{}\"", c, c, c), start + 1, rule_);
    default:
      throw ParseError(fmt::format("a metric, a number, an operator or a parenthesis instead of \"{}\"", c), start + 1,
                       rule_);
    }
  }

  Token comparison(std::size_t start, Comparison op) {
    if (op == Comparison::LessEqual || op == Comparison::GreaterEqual || op == Comparison::Equal ||
        op == Comparison::NotEqual)
      ++pos_;
    Token token = make(Token::Type::Compare, start);
    token.op = op;
    return token;
  }

  Token number() {
    const std::size_t start = pos_;
    if (rule_[pos_] == '-' || rule_[pos_] == '+')
      ++pos_;
    while (pos_ < rule_.size() && is_digit(rule_[pos_]))
      ++pos_;
    if (pos_ < rule_.size() && rule_[pos_] == '.')
      for (++pos_; pos_ < rule_.size() && is_digit(rule_[pos_]);)
        ++pos_;
    // An exponent only when digits follow, so "2e9" is a number and "2eV" a bad unit.
    if (pos_ < rule_.size() && (rule_[pos_] == 'e' || rule_[pos_] == 'E')) {
      std::size_t p = pos_ + 1;
      if (p < rule_.size() && (rule_[p] == '-' || rule_[p] == '+'))
        ++p;
      if (p < rule_.size() && is_digit(rule_[p])) {
        pos_ = p;
        while (pos_ < rule_.size() && is_digit(rule_[pos_]))
          ++pos_;
      }
    }
    std::string_view digits = rule_.substr(start, pos_ - start);
    if (digits.front() == '+')
      digits.remove_prefix(1); // from_chars takes no '+'
    double value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size())
      throw ParseError("a number", start + 1, rule_);
    const std::size_t unit_start = pos_;
    while (pos_ < rule_.size() && (std::isalpha(static_cast<unsigned char>(rule_[pos_])) != 0 || rule_[pos_] == '%'))
      ++pos_;
    Token token = make(Token::Type::Number, start);
    token.number = value;
    token.unit = rule_.substr(unit_start, pos_ - unit_start);
    token.unit_column = unit_start + 1;
    return token;
  }

  Token make(Token::Type type, std::size_t start) const {
    Token token;
    token.type = type;
    token.text = rule_.substr(start, pos_ - start);
    token.column = start + 1;
    return token;
  }

  std::string_view rule_;
  std::size_t pos_ = 0;
};

std::string describe(const Token& token) {
  return token.type == Token::Type::End ? std::string("the end of the rule") : fmt::format("\"{}\"", token.text);
}

} // namespace

// ----- parser ------------------------------------------------------------------------

class Parser {
public:
  explicit Parser(std::string_view rule) : rule_(rule), tokens_(Lexer(rule).tokens()) {}

  Expression parse() {
    if (tokens_.front().type == Token::Type::End)
      throw ParseError("a condition such as \"confidence > 0.8\" (the rule is empty)", 1, rule_);
    Expression expression;
    out_ = &expression;
    expression.root_ = parse_or();
    const Token& rest = peek();
    if (rest.type == Token::Type::RParen)
      fail(fmt::format("AND, OR or the end of the rule instead of \")\", which closes no \"(\""), rest);
    if (rest.type != Token::Type::End)
      fail(fmt::format("AND, OR or the end of the rule instead of {}", describe(rest)), rest);
    return expression;
  }

private:
  using Node = Expression::Node;
  // Deep enough for any hand-written rule; bounds the recursion on hostile input.
  static constexpr int kMaxNesting = 100;

  std::uint32_t parse_or() {
    std::uint32_t left = parse_and();
    while (peek().type == Token::Type::Or) {
      ++next_;
      const std::uint32_t right = parse_and();
      left = add(Node{Node::Kind::Or, {}, {}, 0, left, right});
    }
    return left;
  }

  std::uint32_t parse_and() {
    std::uint32_t left = parse_unary();
    while (peek().type == Token::Type::And) {
      ++next_;
      const std::uint32_t right = parse_unary();
      left = add(Node{Node::Kind::And, {}, {}, 0, left, right});
    }
    return left;
  }

  std::uint32_t parse_unary() {
    const Token& token = peek();
    if (token.type != Token::Type::Not && token.type != Token::Type::LParen)
      return parse_comparison();
    if (++depth_ > kMaxNesting)
      fail(fmt::format("at most {} nested parentheses and NOTs", kMaxNesting), token);
    ++next_;
    std::uint32_t result = 0;
    if (token.type == Token::Type::Not) {
      result = add(Node{Node::Kind::Not, {}, {}, 0, parse_unary(), 0});
    } else {
      result = parse_or();
      if (peek().type != Token::Type::RParen)
        fail(fmt::format("\")\" to close the \"(\" at column {} instead of {}", token.column, describe(peek())),
             peek());
      ++next_;
    }
    --depth_;
    return result;
  }

  std::uint32_t parse_comparison() {
    const Token& name = peek();
    if (name.type != Token::Type::Name)
      fail(fmt::format("{} instead of {}", kMetricList, describe(name)), name);
    const MetricInfo* metric = nullptr;
    for (const MetricInfo& info : kMetrics)
      if (info.name == name.text)
        metric = &info;
    if (metric == nullptr)
      fail(fmt::format("{} instead of {}", kMetricList, describe(name)), name);
    ++next_;
    const Token& op = peek();
    if (op.type != Token::Type::Compare)
      fail(fmt::format("a comparison (<, <=, >, >=, == or !=) after \"{}\" instead of {}", name.text, describe(op)),
           op);
    ++next_;
    const Token& quantity = peek();
    if (quantity.type != Token::Type::Number)
      fail(fmt::format("a number after \"{}\" instead of {}", op.text, describe(quantity)), quantity);
    ++next_;
    return add(Node{Node::Kind::Compare, metric->metric, op.op, value_of(*metric, quantity), 0, 0});
  }

  // The quantity in the metric's unit (SI or a fraction), or an error naming what the
  // metric takes: a unit that does not fit the metric is a mistake, not a conversion.
  double value_of(const MetricInfo& metric, const Token& quantity) const {
    const std::optional<Unit> unit = find_unit(quantity.unit);
    if (!unit)
      throw ParseError(fmt::format("{} instead of \"{}\"", kUnitList, quantity.unit), quantity.unit_column, rule_);
    const double value = quantity.number * unit->factor;
    std::string_view wanted;
    switch (metric.metric) {
    case Metric::Confidence:
    case Metric::Accuracy:
    case Metric::Battery:
    case Metric::Share:
      if (unit->dimension == Dimension::Fraction || (unit->dimension == Dimension::Bare && value >= 0 && value <= 1))
        return value;
      wanted = "a fraction in [0, 1] or a percentage such as 30%";
      break;
    case Metric::ResponseTime:
      if (unit->dimension == Dimension::Time)
        return value;
      wanted = "a duration with its unit, such as 50ms";
      break;
    case Metric::Energy:
      if (unit->dimension == Dimension::Energy)
        return value;
      wanted = "an energy with its unit, such as 2J or 5mWh";
      break;
    case Metric::Flops:
      if (unit->dimension == Dimension::Flops || unit->dimension == Dimension::Bare)
        return value;
      wanted = "a flop count such as 2e9 or 2GFLOP";
      break;
    case Metric::Queue:
    case Metric::Exit:
      if (unit->dimension == Dimension::Bare)
        return value;
      wanted = "a plain number";
      break;
    }
    throw ParseError(fmt::format("{} for {} instead of \"{}\"", wanted, metric.name, quantity.text), quantity.column,
                     rule_);
  }

  [[noreturn]] void fail(const std::string& expected, const Token& at) const {
    throw ParseError(expected, at.column, rule_);
  }

  [[nodiscard]] const Token& peek() const { return tokens_[next_]; }

  std::uint32_t add(const Node& node) {
    out_->nodes_.push_back(node);
    return static_cast<std::uint32_t>(out_->nodes_.size() - 1);
  }

  std::string_view rule_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
  int depth_ = 0;
  Expression* out_ = nullptr;
};

Expression Expression::parse(std::string_view rule) {
  return Parser(rule).parse();
}

namespace {

double metric_value(Metric metric, const ExitContext& ctx) {
  switch (metric) {
  case Metric::Confidence:
    return ctx.confidence;
  case Metric::ResponseTime:
    return ctx.elapsed;
  case Metric::Accuracy:
    return ctx.exit_accuracy;
  case Metric::Energy:
    return ctx.energy_so_far;
  case Metric::Flops:
    return ctx.flops_so_far;
  case Metric::Battery:
    return ctx.battery_soc;
  case Metric::Share:
    return ctx.cpu_share;
  case Metric::Queue:
    return ctx.queue_length;
  case Metric::Exit:
    return static_cast<double>(ctx.exit_index);
  }
  return 0;
}

bool compare(double lhs, Comparison op, double rhs) {
  switch (op) {
  case Comparison::Less:
    return lhs < rhs;
  case Comparison::LessEqual:
    return lhs <= rhs;
  case Comparison::Greater:
    return lhs > rhs;
  case Comparison::GreaterEqual:
    return lhs >= rhs;
  case Comparison::Equal:
    return lhs == rhs;
  case Comparison::NotEqual:
    return lhs != rhs;
  }
  return false;
}

} // namespace

bool Expression::evaluate(std::uint32_t node, const ExitContext& ctx) const {
  const Node& n = nodes_[node];
  switch (n.kind) {
  case Node::Kind::Compare:
    return compare(metric_value(n.metric, ctx), n.op, n.value);
  case Node::Kind::And:
    return evaluate(n.left, ctx) && evaluate(n.right, ctx);
  case Node::Kind::Or:
    return evaluate(n.left, ctx) || evaluate(n.right, ctx);
  case Node::Kind::Not:
    return !evaluate(n.left, ctx);
  }
  return false;
}

} // namespace edgesim::criteria
