#include "config/toml_text.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

namespace edgesim {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kOutside =
    "non-ASCII character outside a string or comment (TOML allows it only in quoted strings and comments)";
constexpr std::string_view kAfterBackslash = "non-ASCII character after a backslash (not a TOML escape sequence)";
constexpr std::string_view kAfterLineEndingBackslash =
    "non-ASCII character first on a line continued by a line-ending backslash (toml++ cannot read it there: "
    "start the line with an ASCII character or a \\uXXXX escape)";

bool is_non_ascii(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}

/// A UTF-8 continuation byte (10xxxxxx) does not start a code point, so it adds no column.
bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

bool is_toml_whitespace_or_newline(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// Walks a TOML text once, string by string and comment by comment. A quote does not
/// always open a string: toml++ reads a value that starts with a digit or a sign up to the
/// next space, comma, bracket or '#', quotes included (`x = +"ν"`), so in a value a quote
/// opens a string only where a string value can start. For that the scanner follows
/// whether it is in a key or a value, through arrays and inline tables.
class Scanner {
public:
  explicit Scanner(std::string_view text) : text_(text) {
    if (text_.starts_with(kByteOrderMark))
      next_ = kByteOrderMark.size();
  }

  std::optional<NonAsciiFinding> run() {
    while (next_ < text_.size()) {
      const std::string_view rest = text_.substr(next_);
      std::optional<std::string_view> reason;
      const char c = rest.front();
      if ((c == '"' || c == '\'') && opens_string()) {
        if (rest.starts_with("\"\"\""))
          reason = skip_multi_line_string("\"\"\"", true);
        else if (rest.starts_with("'''"))
          reason = skip_multi_line_string("'''", false);
        else
          skip_single_line_item(c, c == '"');
      } else if (c == '#') {
        skip_single_line_item('\n', false);
      } else if (is_non_ascii(c)) {
        reason = kOutside;
      } else {
        step_outside_strings(); // a quote that opens no string is part of a bare value
      }
      if (reason)
        return NonAsciiFinding{position_, *reason};
    }
    return std::nullopt;
  }

private:
  /// Whether the quote at next_ starts a string: always in a key (toml++ stops at a
  /// misplaced one), in a value only after what may precede a string value.
  bool opens_string() const {
    constexpr std::string_view kBeforeStringValue = " \t\r\n=[,";
    return !in_value_ || next_ == 0 || kBeforeStringValue.find(text_[next_ - 1]) != std::string_view::npos;
  }

  /// Moves past one ASCII byte outside strings and comments, following keys and values.
  void step_outside_strings() {
    switch (text_[next_]) {
    case '=':
      in_value_ = true;
      break;
    case '{': // an inline table: keys follow
    case '[': // an array: values follow (a table header's bracket opens no value)
      if (in_value_) {
        open_brackets_.push_back(text_[next_]);
        in_value_ = text_[next_] == '[';
      }
      break;
    case ',':
      if (!open_brackets_.empty())
        in_value_ = open_brackets_.back() == '[';
      break;
    case '}':
    case ']':
      if (!open_brackets_.empty()) {
        open_brackets_.pop_back();
        in_value_ = true;
      }
      break;
    case '\n':
      if (open_brackets_.empty())
        in_value_ = false; // the next key-value pair or table header
      break;
    default:
      break;
    }
    step(1);
  }

  /// Moves past `count` bytes, keeping the line and column of the next one.
  void step(std::size_t count) {
    for (const std::size_t end = std::min(next_ + count, text_.size()); next_ < end; ++next_) {
      if (text_[next_] == '\n') {
        ++position_.line;
        position_.column = 1;
      } else if (!is_continuation_byte(text_[next_])) {
        ++position_.column;
      }
    }
  }

  /// A basic or literal string, or (closing = '\n') a comment, which all end at the line
  /// break at the latest: an unclosed quote does not hide the lines after it.
  void skip_single_line_item(char closing, bool escapes) {
    step(1);
    while (next_ < text_.size() && text_[next_] != '\n') {
      const char c = text_[next_];
      if (escapes && c == '\\' && next_ + 1 < text_.size() && text_[next_ + 1] != '\n') {
        step(2); // the escaped character, a quote or a backslash included
      } else {
        step(1);
        if (c == closing)
          return;
      }
    }
  }

  /// A multi-line string up to and including its closing delimiter; in a basic one
  /// (escapes), the spots where toml++ would test a non-ASCII character for whitespace.
  std::optional<std::string_view> skip_multi_line_string(std::string_view delimiter, bool escapes) {
    step(delimiter.size());
    while (next_ < text_.size()) {
      if (escapes && text_[next_] == '\\') {
        step(1);
        if (next_ < text_.size() && is_non_ascii(text_[next_]))
          return kAfterBackslash;
        if (next_ < text_.size() && is_toml_whitespace_or_newline(text_[next_])) {
          while (next_ < text_.size() && is_toml_whitespace_or_newline(text_[next_]))
            step(1);
          if (next_ < text_.size() && is_non_ascii(text_[next_]))
            return kAfterLineEndingBackslash;
        } else {
          step(1);
        }
      } else if (text_.substr(next_).starts_with(delimiter)) {
        step(delimiter.size());
        // A multi-line string may end in one or two quotes of its own: """a"""" is "a\"".
        for (int extra = 0; extra < 2 && next_ < text_.size() && text_[next_] == delimiter.front(); ++extra)
          step(1);
        return std::nullopt;
      } else {
        step(1);
      }
    }
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t next_ = 0;
  TextPosition position_;
  bool in_value_ = false;
  std::string open_brackets_; // of the arrays and inline tables the scanner is in
};

} // namespace

std::optional<NonAsciiFinding> find_unreadable_non_ascii(std::string_view text) {
  return Scanner(text).run();
}

toml::table parse_toml_text(std::string_view text, const std::string& file) {
  if (const auto finding = find_unreadable_non_ascii(text))
    throw InputError(
        fmt::format("{}:{}:{}: {}", file, finding->position.line, finding->position.column, finding->reason));
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& source = e.source();
    throw InputError(fmt::format("{}:{}:{}: {}", file, source.begin.line, source.begin.column, e.description()));
  }
}

} // namespace edgesim
