#pragma once
// A request's work factor at a station: the multiplier of its fragment's nominal work,
// drawn from the tenant's work law (scenario `work`, docs/formats.md) with mean 1, so the
// service time has the law's shape and the fragment's mean.
#include "scenario/scenario.hpp"

#include <edgesim/random.hpp>

namespace edgesim {

[[nodiscard]] double draw_work_factor(const WorkSpec& work, Rng& rng);

} // namespace edgesim
