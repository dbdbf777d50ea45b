#pragma once
// `--set KEY=VALUE` overrides applied to the parsed TOML tree before validation.
// KEY is a dotted path with numeric array indices (tenants.0.arrival.rate); VALUE is
// parsed as a TOML value (12.5, true, "x", [1,2], {a=1}) and falls back to a string.
#include <string_view>

#include <toml++/toml.h>

namespace edgesim {

/// Applies one "KEY=VALUE" override; throws InputError naming the key on failure.
void apply_override(toml::table& root, std::string_view assignment);

} // namespace edgesim
