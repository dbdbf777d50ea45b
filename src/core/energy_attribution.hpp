#pragma once
// Splits a host's energy into its static part (idle power while the host is up) and its
// dynamic part (the rest: what running work added), and charges tenants for it
// (docs/energy.md): a tenant pays its share of the host's work (flops x threads) of the
// dynamic energy, plus the static power over the time the tenant kept the host busy.
// The static energy of a host's idle time is charged to no tenant; it appears in the
// host's row and in the summary's "all" row only. Offloading one fragment to a mostly
// idle server thus costs that server's busy power for the fragment's time, not its whole
// idle draw.
#include <cstddef>
#include <span>
#include <vector>

namespace edgesim {

struct HostEnergyInputs {
  double energy_j = 0;                 // measured over the time the host was up
  double static_j = 0;                 // idle power x up_seconds
  double up_seconds = 0;               // simulated time the host was up
  std::span<const double> tenant_work; // flops x threads each tenant ran on the host
  std::span<const double> tenant_busy; // TenantBusyTime of each tenant on the host, s
};

struct TenantEnergy {
  double dynamic_j = 0;
  double static_j = 0;
  [[nodiscard]] double total() const { return dynamic_j + static_j; }
};

/// One entry per tenant, summed over `hosts`.
[[nodiscard]] std::vector<TenantEnergy> attribute_energy(std::span<const HostEnergyInputs> hosts, std::size_t tenants);

} // namespace edgesim
