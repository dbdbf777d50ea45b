#include "core/energy_attribution.hpp"

#include <algorithm>

namespace edgesim {

std::vector<TenantEnergy> attribute_energy(std::span<const HostEnergyInputs> hosts, std::size_t tenants) {
  std::vector<TenantEnergy> out(tenants);
  for (const HostEnergyInputs& host : hosts) {
    double work_total = 0;
    for (double w : host.tenant_work)
      work_total += w;
    const double dynamic = host.energy_j - host.static_j;
    for (std::size_t t = 0; t < tenants; ++t) {
      if (work_total > 0 && t < host.tenant_work.size())
        out[t].dynamic_j += dynamic * host.tenant_work[t] / work_total;
      if (host.up_seconds > 0 && t < host.tenant_busy.size())
        out[t].static_j += host.static_j * std::min(1.0, host.tenant_busy[t] / host.up_seconds);
    }
  }
  return out;
}

} // namespace edgesim
