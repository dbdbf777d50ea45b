// Multi-tenant CPU shares: cooperative tenants are weighted by share and take the idle
// share of others; non-cooperative tenants are capped at their share.
#include "cli_runner.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>

namespace edgesim {
namespace {

// Two periodic tenants on one 1 Gflop/s core; each request needs 10 ms of CPU alone.
// At the same rate their requests arrive at the same instants, so they always compete.
std::string two_tenants(const test::TempDir& dir, const std::string& policy, double rate_b) {
  const std::string model = dir.write("m.toml", R"(name = "m"
input_bytes = 0
final = { accuracy = 0.9 }
layers = [ { name = "l", flops = 1e7, out_bytes = 0 } ]
)");
  return dir.write("mt.toml", fmt::format(R"([simulation]
requests = 200
trace_requests = false

[platform]
file = "{0}/platforms/queue-lab.xml"

[hosts.default]
buffer = 1000

[multitenant]
policy = "{1}"

[[tenants]]
name = "a"
model = "{2}"
source = "s1"
share = 0.75
arrival = {{ process = "periodic", rate = 10 }}

[[tenants]]
name = "b"
model = "{2}"
source = "s1"
share = 0.25
arrival = {{ process = "periodic", rate = {3} }}
)",
                                          EDGESIM_TEST_DATA, policy, model, rate_b));
}

double mean_latency(const test::CommandResult& result, const std::string& tenant) {
  return test::json_field(result.out, tenant, "latency_mean");
}

TEST(MultitenantShares, CooperativeWeightsBySharesWhenBothAreBusy) {
  test::TempDir dir;
  // Same periodic instants: both tenants always compete. With weights 3:1, a's 10 ms
  // of work finishes at 10 / 0.75 = 13.33 ms; b then runs alone: 10 + 10 = 20 ms total.
  auto result = test::run_edgesim({"run", two_tenants(dir, "cooperative", 10), "-q", "--json", "-o", dir.file("o.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NEAR(mean_latency(result, "a"), 0.01 / 0.75, 1e-9);
  EXPECT_NEAR(mean_latency(result, "b"), 0.02, 1e-9);
}

TEST(MultitenantShares, NonCooperativeCapsEachTenantAtItsShare) {
  test::TempDir dir;
  auto result =
      test::run_edgesim({"run", two_tenants(dir, "non-cooperative", 10), "-q", "--json", "-o", dir.file("o.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Capped: a needs 10 ms / 0.75, b 10 ms / 0.25, whether or not the other is busy.
  EXPECT_NEAR(mean_latency(result, "a"), 0.01 / 0.75, 1e-9);
  EXPECT_NEAR(mean_latency(result, "b"), 0.01 / 0.25, 1e-9);
}

TEST(MultitenantShares, WithoutAPolicyTheCpuIsSharedEqually) {
  test::TempDir dir;
  auto result = test::run_edgesim({"run", two_tenants(dir, "none", 10), "-q", "--json", "-o", dir.file("o.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NEAR(mean_latency(result, "a"), 0.02, 1e-9);
  EXPECT_NEAR(mean_latency(result, "b"), 0.02, 1e-9);
}

} // namespace
} // namespace edgesim
