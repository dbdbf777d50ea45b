#pragma once
// The load tenants placed together put on hosts and routes (docs/joint-placement.md):
// what joint placement shares between them. By the cost model of policy.hpp, a fragment
// keeps its host busy rate x compute seconds per second, and a transfer its route rate x
// bytes / bandwidth, where rate is the tenant's mean arrival rate (every request runs
// the whole chain: early exits only lower the load).
#include <edgesim/policy.hpp>

#include <span>
#include <vector>

namespace edgesim {

/// Adds what the layer-wise `fragments` of `problem`'s tenant use to `load` (sized to
/// problem.hosts on first use). A semantic branch counts its flops share of the model and
/// its input upload (not the merge of its output).
void add_tenant_load(CoTenantLoad& load, const PlacementProblem& problem, std::span<const Fragment> fragments);

/// `except` for co_tenant_load: count every tenant.
inline constexpr std::size_t kEveryTenant = static_cast<std::size_t>(-1);

/// What every tenant but `except` uses, from their plans (an empty plan: not placed yet).
CoTenantLoad co_tenant_load(std::span<const PlacementProblem> problems, std::span<const std::vector<Fragment>> plans,
                            std::size_t except);

} // namespace edgesim
