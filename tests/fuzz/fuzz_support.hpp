#pragma once
// Shared by the fuzz targets: what a loader may do with hostile input is return a
// result that passes its invariants or throw InputError (the "one clear error line"
// contract). Anything else - another exception, a crash, a sanitizer report, a broken
// invariant - is a finding. The same targets run under libFuzzer (EDGESIM_FUZZ=ON,
// clang) and, in the normal build, as replay programs over the corpus and the
// regression inputs (replay_main.cpp).
#include <edgesim/error.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::fuzz {

/// Thrown when an accepted input produced a value its loader promises never to return.
class InvariantViolation : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

inline void require(bool condition, const std::string& what) {
  if (!condition)
    throw InvariantViolation("invariant violated: " + what);
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Splits on `separator`; an input without it is one field.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const std::size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos)
      return parts;
    text.remove_prefix(at + 1);
  }
}

/// Runs `body`; InputError is the accepted way to refuse an input.
template <class Body> int accept_input_errors(Body&& body) {
  try {
    body();
  } catch (const InputError&) {
  }
  return 0;
}

} // namespace edgesim::fuzz
