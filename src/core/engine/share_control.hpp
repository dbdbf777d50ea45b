#pragma once
// Run-time CPU shares (docs/multitenancy.md): applies the share changes due now to the
// engine, re-weighting the running execs of a cooperative tenant whose entitlement moved
// and telling exit policies their new shares.
#include "core/engine/engine_state.hpp"

namespace edgesim {

void apply_share_updates(EngineState& state, double now);

} // namespace edgesim
