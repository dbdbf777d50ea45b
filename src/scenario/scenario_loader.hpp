#pragma once
// Reads a scenario TOML file, applies --set overrides and validates every key
// (DESIGN §5). Checks that need the platform (host names, RAM) are done by
// validate_against_platform once the platform has been probed.
#include "scenario/scenario.hpp"

#include <string>
#include <vector>

namespace edgesim {

Scenario load_scenario(const std::string& file, const std::vector<std::string>& overrides);

} // namespace edgesim
