#pragma once
// Reads a scenario TOML file, applies --set overrides and validates every key
// (docs/formats.md). Checks that need the platform (host names, RAM) are done by
// validate_against_platform once the platform has been probed.
#include "scenario/scenario.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace edgesim {

/// `base_dir` resolves the relative paths inside the scenario (models, platform, traces,
/// plugins); empty: the file's own directory. A copy of a scenario written elsewhere
/// (bayesopt's tuning runs) passes the original's directory.
Scenario load_scenario(const std::string& file, const std::vector<std::string>& overrides,
                       const std::string& base_dir = {});

/// The same from the file's text; `file` names it in messages.
Scenario parse_scenario(std::string_view text, const std::string& file, const std::vector<std::string>& overrides,
                        const std::string& base_dir = {});

} // namespace edgesim
