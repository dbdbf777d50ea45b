#pragma once
// Reads a scenario TOML file, applies --set overrides and validates every key
// (DESIGN §5). Checks that need the platform (host names, RAM) are done by
// validate_against_platform once the platform has been probed.
#include "scenario/scenario.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace edgesim {

Scenario load_scenario(const std::string& file, const std::vector<std::string>& overrides);

/// The same from the file's text; `file` names it in messages and resolves the
/// relative paths inside it.
Scenario parse_scenario(std::string_view text, const std::string& file, const std::vector<std::string>& overrides);

} // namespace edgesim
