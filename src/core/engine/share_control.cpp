#include "core/engine/share_control.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace edgesim {
namespace {

/// Execs running for the tenant on the host take the new weight at once. (A
/// non-cooperative cap cannot change once an exec runs: its next segment gets it.)
void reweight_running_execs(EngineState& state, std::size_t tenant, int host, double weight) {
  ActivitySet& activities = state.activities;
  for (std::size_t i = 0; i < activities.size(); ++i) {
    const ActivityTag& tag = activities.tag(i);
    sg4::Activity& activity = activities.activity(i);
    if (tag.kind == ActivityTag::Kind::Exec && tag.host == host && state.requests[tag.request].tenant == tenant &&
        activity.get_state() == sg4::Activity::State::STARTED)
      static_cast<sg4::Exec&>(activity).update_priority(weight);
  }
}

} // namespace

void apply_share_updates(EngineState& state, double now) {
  CpuShares& shares = *state.shares;
  for (const ShareUpdate& update : shares.advance(now)) {
    if (update.entitlement && state.scenario.multitenant == MultitenantPolicy::Cooperative)
      reweight_running_execs(state, update.tenant, update.host, shares.entitled(update.tenant, update.host));
    if (!update.notify)
      continue;
    TenantRuntime& tenant = state.tenants[update.tenant];
    const auto& fragments = tenant.placements.back().fragments;
    const std::string& host_name = state.host(update.host).name;
    // Recorded for every policy, share-aware or not, so /policy shows what it was told.
    if (tenant.exit_trace)
      tenant.exit_trace->record(now, {{"cpu_share:" + host_name, update.share}});
    tenant.policy->on_cpu_share(CpuShareChange{
        .tenant = static_cast<int>(update.tenant),
        .host = host_name,
        .first_host = !fragments.empty() && fragments.front().host == update.host,
        .share = update.share,
        .previous = update.previous,
        .now = now,
    });
  }
}

} // namespace edgesim
