#pragma once
// `--set KEY=VALUE` overrides applied to the parsed TOML tree before validation.
// KEY is a dotted path with numeric array indices (tenants.0.arrival.rate); VALUE is
// parsed as a TOML value (12.5, true, "x", [1,2], {a=1}) and falls back to a string.
// `--unset KEY` removes a key (Hydra's `~KEY`): it travels in the same ordered list as
// the assignments, as "~KEY", so sweeps record, hash and pass it on like a --set.
#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace edgesim {

inline constexpr std::string_view kUnsetMarker = "~";

/// Applies one "KEY=VALUE" override, or removes KEY for "~KEY"; throws InputError naming
/// the key on failure.
void apply_override(toml::table& root, std::string_view assignment);

/// The override-list entry of `--unset KEY`.
inline std::string unset_override(std::string_view key) {
  return std::string(kUnsetMarker) + std::string(key);
}

} // namespace edgesim
