#pragma once
// Every TOML text edgesim reads (scenario, model profile, dataset spec, --set values)
// goes through parse_toml_text. Besides turning toml++'s parse errors into InputErrors
// naming the file, it first refuses non-ASCII characters where toml++ 3.3 (Debian 12)
// would test them for whitespace: for code points U+00A1-U+0499 that test reaches
// __builtin_unreachable() - undefined behaviour (docs/hardening.md). TOML 1.0 allows
// non-ASCII only in strings and comments, so outside them such text is invalid anyway;
// inside multi-line basic strings two spots right after a backslash are refused too.
#include <toml++/toml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace edgesim {

/// 1-based position in a text; the column counts code points, as toml++'s do.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};

/// A non-ASCII character toml++ must not see, and why it is refused.
struct NonAsciiFinding {
  TextPosition position;
  std::string_view reason;
};

/// The first non-ASCII character (byte >= 0x80) that is
///   - outside every string (basic, literal, multi-line of either kind, keys included)
///     and comment, or
///   - in a multi-line basic string, right after a backslash, or first after the
///     whitespace that follows a line-ending backslash;
/// std::nullopt if there is none. A UTF-8 byte order mark at the very start is allowed.
std::optional<NonAsciiFinding> find_unreadable_non_ascii(std::string_view text);

/// Parses TEXT, read from FILE. Throws InputError "FILE:LINE:COL: what" for a
/// finding of find_unreadable_non_ascii and for any TOML syntax error.
toml::table parse_toml_text(std::string_view text, const std::string& file);

} // namespace edgesim
