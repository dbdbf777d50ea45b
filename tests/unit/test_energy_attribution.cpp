// Sharing a host's static and dynamic energy among tenants (core/energy_attribution,
// core/tenant_busy_time; docs/energy.md).
#include "core/energy_attribution.hpp"
#include "core/tenant_busy_time.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using edgesim::attribute_energy;
using edgesim::HostEnergyInputs;
using edgesim::TenantBusyTime;

TEST(TenantBusyTime, OverlapsAreSplitEquallyAndAddUpToTheBusyTime) {
  TenantBusyTime busy(3);
  busy.exec_started(0, 1.0);  // 0 alone on [1, 2)
  busy.exec_started(1, 2.0);  // 0 and 1 on [2, 4)
  busy.exec_started(1, 3.0);  // a second exec of 1 changes nothing
  busy.exec_finished(0, 4.0); // 1 alone on [4, 5)
  busy.exec_finished(1, 4.5);
  busy.exec_finished(1, 5.0); // idle from 5
  const auto at = busy.busy(10.0);
  EXPECT_DOUBLE_EQ(at[0], 1.0 + 1.0);
  EXPECT_DOUBLE_EQ(at[1], 1.0 + 1.0);
  EXPECT_DOUBLE_EQ(at[2], 0.0);
  EXPECT_DOUBLE_EQ(at[0] + at[1] + at[2], 4.0); // host busy on [1, 5)
  // A query in the middle of a busy period counts it up to then.
  TenantBusyTime running(1);
  running.exec_started(0, 0.0);
  EXPECT_DOUBLE_EQ(running.busy(2.5)[0], 2.5);
}

TEST(EnergyAttribution, DynamicByWorkStaticByBusyTime) {
  // Host A: 100 J over 10 s up, 40 J of it static; tenant 0 ran 3x the work of
  // tenant 1 and kept it busy 2 s, tenant 1 for 1 s. Host B: idle all along, 50 J
  // static; nobody is charged for it.
  const std::vector<double> work_a{3.0, 1.0}, busy_a{2.0, 1.0};
  const std::vector<double> work_b{0.0, 0.0}, busy_b{0.0, 0.0};
  const std::vector<HostEnergyInputs> hosts{
      {.energy_j = 100, .static_j = 40, .up_seconds = 10, .tenant_work = work_a, .tenant_busy = busy_a},
      {.energy_j = 50, .static_j = 50, .up_seconds = 10, .tenant_work = work_b, .tenant_busy = busy_b}};
  const auto tenants = attribute_energy(hosts, 2);
  ASSERT_EQ(tenants.size(), 2u);
  EXPECT_DOUBLE_EQ(tenants[0].dynamic_j, 45.0);
  EXPECT_DOUBLE_EQ(tenants[1].dynamic_j, 15.0);
  EXPECT_DOUBLE_EQ(tenants[0].static_j, 8.0);
  EXPECT_DOUBLE_EQ(tenants[1].static_j, 4.0);
  EXPECT_DOUBLE_EQ(tenants[0].total(), 53.0);
}

} // namespace
