#pragma once
// Parses and validates `[links.*]` and `[dynamics]` of a scenario (keys, units, step
// profiles with increasing times). Link and host names are checked against the
// platform later, in plan_deployment, which knows the platform.
#include "scenario/dynamics.hpp"

#include <string>

#include <toml++/toml.h>

namespace edgesim {

/// `links` and `dynamics` may be null (absent). Throws InputError naming file and key.
PlatformDynamics parse_platform_dynamics(const toml::table* links, const toml::table* dynamics,
                                         const std::string& file);

} // namespace edgesim
