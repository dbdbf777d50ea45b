#include "scenario/scenario.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

namespace edgesim {

void Scenario::check_fragment_work(std::size_t t, std::size_t fragments) const {
  const TenantSpec& tenant = tenants.at(t);
  if (!tenant.fragment_work.empty() && tenant.fragment_work.size() != fragments)
    throw InputError(fmt::format("{}: tenants.{}.fragment_work: expected {} laws, one per fragment of its placement, "
                                 "found {}",
                                 file, tenant.name, fragments, tenant.fragment_work.size()));
}

const HostSettings& Scenario::host_settings(std::string_view host) const {
  auto it = host_overrides.find(host);
  return it == host_overrides.end() ? default_host : it->second;
}

} // namespace edgesim
