// Semantic (SplitNet-style) splits on tests/data/platforms/dynamics-lab.xml and the
// splitplace bandit. The lab's hosts all run 1 Gflop/s; cam reaches edge-a and edge-b
// over their own 10 MB/s, 1 ms uplinks, and edge-a and edge-b share a 100 MB/s, 0.5 ms
// link.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <edgesim/results.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace edgesim {
namespace {

// A 20 Mflop model whose two semantic branches each run half of it; branch outputs of
// 10 kB, a 1 Mflop merge; the split costs 0.1 of accuracy.
constexpr const char* kModel = R"(name = "twin"
input_bytes = 100000
final = {{ accuracy = 0.9 }}
layers = [ {{ name = "a", flops = 1e7, out_bytes = 50000 }}, {{ name = "b", flops = 1e7, out_bytes = 10000 }} ]
semantic = {{ accuracy_penalty = [0.0, 0.1], merge_flops = 1e6, merge_bytes = 10000 }}
)";

std::string two_branches(const test::TempDir& dir, const std::string& extra) {
  dir.write("twin.toml", fmt::format(kModel));
  return dir.write("semantic.toml", fmt::format(R"([simulation]
requests = 2000

[platform]
file = "{0}/platforms/dynamics-lab.xml"

[[tenants]]
name = "t"
source = "cam"
model = "twin.toml"
arrival = {{ process = "periodic", rate = 10 }}

[placement]
policy = "manual"
fragments = [ {{ layers = "0-", host = "edge-a", branch = 0 }}, {{ layers = "0-", host = "edge-b", branch = 1 }} ]
{1}
)",
                                                EDGESIM_TEST_DATA, extra));
}

TEST(SemanticSplit, TwoBranchesOnEqualHostsExactLatency) {
  test::TempDir dir;
  auto result = test::run_edgesim({"run", two_branches(dir, ""), "-q", "-o", dir.file("s.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Input to each branch host over its own uplink: 1 ms + 100 kB / 10 MB/s = 11 ms;
  // half of 20 Mflop on each: 10 ms; edge-b's 10 kB output to the merge host edge-a:
  // 0.5 ms + 0.1 ms; the 1 Mflop merge: 1 ms. 11 + 10 + 0.6 + 1 = 22.6 ms.
  const auto requests = io::read_requests(dir.file("s.h5"));
  ASSERT_EQ(requests.size(), 2000U);
  std::size_t correct = 0;
  for (const auto& r : requests) {
    ASSERT_EQ(r.reason, 0);
    EXPECT_NEAR(r.latency, 0.0226, 1e-9) << "request " << r.id;
    correct += r.correct;
  }
  // Accuracy of the split model: 0.9 - 0.1 (binomial sd over 2000 requests ~0.009).
  EXPECT_NEAR(static_cast<double>(correct) / 2000.0, 0.8, 0.03);
  const auto placements = io::read_placements(dir.file("s.h5"));
  ASSERT_EQ(placements.size(), 2U);
  EXPECT_EQ(placements[0].branch, 0);
  EXPECT_EQ(placements[1].branch, 1);
  EXPECT_EQ(placements[1].host, "edge-b");
  EXPECT_EQ(placements[0].branches, 2U);
  const auto hosts = io::read_hosts(dir.file("s.h5"));
  EXPECT_EQ(hosts[1].served, 2000U) << "edge-a served every request's branch 0";
  EXPECT_EQ(hosts[2].served, 2000U) << "edge-b served every request's branch 1";
}

TEST(SemanticSplit, ABranchHostDownLosesTheWholeRequest) {
  test::TempDir dir;
  auto result = test::run_edgesim(
      {"run",
       two_branches(dir, "[[dynamics.hosts]]\nhost = \"edge-b\"\navailable = [[\"0s\", true], [\"100.05s\", false]]\n"),
       "-q", "-o", dir.file("s.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto requests = io::read_requests(dir.file("s.h5"));
  ASSERT_EQ(requests.size(), 2000U);
  std::size_t lost = 0;
  for (const auto& r : requests) {
    if (r.arrival < 100.05) {
      EXPECT_EQ(r.reason, 0);
    } else {
      EXPECT_EQ(r.reason, 3) << "request " << r.id << ": branch 1 cannot run on edge-b";
      EXPECT_EQ(r.lost_at, 2);
      ++lost;
    }
  }
  EXPECT_EQ(lost, 1000U);
}

// splitplace on the lab: the layer-wise arm keeps the 100 Mflop model on cam (100 ms);
// the semantic arm runs two halves on cam and edge-a (11 ms input + 50 ms + 1.1 ms
// output + 1 ms merge: ~63 ms) at 0.15 less accuracy.
std::string bandit(const test::TempDir& dir, const std::string& slo) {
  dir.write("m.toml", R"(name = "m"
input_bytes = 100000
final = { accuracy = 0.9 }
layers = [ { name = "a", flops = 5e7, out_bytes = 50000 }, { name = "b", flops = 5e7, out_bytes = 1000 } ]
semantic = { accuracy_penalty = [0.0, 0.15], merge_flops = 1e6, merge_bytes = 1000 }
)");
  return dir.write("bandit.toml", fmt::format(R"([simulation]
duration = "200s"
seed = 3

[platform]
file = "{0}/platforms/dynamics-lab.xml"

[[tenants]]
name = "t"
source = "cam"
model = "m.toml"
slo = "{1}"
arrival = {{ process = "periodic", rate = 5 }}

[placement]
policy = "splitplace"
replan_every = "2s"
)",
                                              EDGESIM_TEST_DATA, slo));
}

// Runs the bandit with `slo` and returns the share of the second half's requests
// admitted under a semantic placement.
double semantic_share_second_half(const std::string& slo) {
  test::TempDir dir;
  auto result = test::run_edgesim({"run", bandit(dir, slo), "-q", "-o", dir.file("b.h5")});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  if (result.exit_code != 0)
    return NAN;
  std::map<std::uint32_t, std::uint16_t> branches;
  for (const auto& row : io::read_placements(dir.file("b.h5")))
    branches[row.placement] = row.branches;
  std::size_t semantic = 0;
  std::size_t total = 0;
  for (const auto& r : io::read_requests(dir.file("b.h5"))) {
    if (r.arrival < 100)
      continue;
    ++total;
    semantic += branches.at(r.placement) > 1 ? 1 : 0;
  }
  return total > 0 ? static_cast<double>(semantic) / static_cast<double>(total) : NAN;
}

TEST(SplitPlace, TightSloConvergesToTheSemanticSplit) {
  EXPECT_GT(semantic_share_second_half("80ms"), 0.8)
      << "only the semantic split meets an 80 ms SLO (layer-wise: 100 ms)";
}

TEST(SplitPlace, LooseSloConvergesToTheLayerWiseSplit) {
  EXPECT_LT(semantic_share_second_half("1s"), 0.2) << "both meet a 1 s SLO; the layer-wise split is 0.15 more accurate";
}

TEST(SplitPlace, DeterministicWithTheSeed) {
  test::TempDir dir;
  const std::string scenario = bandit(dir, "80ms");
  auto a = test::run_edgesim({"run", scenario, "-q", "--json", "-o", dir.file("a.h5")});
  auto b = test::run_edgesim({"run", scenario, "-q", "--json", "-o", dir.file("b.h5")});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(io::read_placements(dir.file("a.h5")).size(), io::read_placements(dir.file("b.h5")).size());
}

// The shipped multi-branch model and scenario: the measured [semantic] table loads, the
// bandit tries both arms, and the semantic arm alone runs every request's two branches on
// the two fastest hosts with the measured penalty.
TEST(SemanticSplit, ShippedModelAndScenario) {
  const std::string root = EDGESIM_SOURCE_DIR;
  test::TempDir dir;
  auto result = test::run_edgesim({"run", root + "/scenarios/semantic-split.toml", "-q", "-o", dir.file("b.h5")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::map<std::uint32_t, std::uint16_t> branches_of;
  for (const auto& row : io::read_placements(dir.file("b.h5")))
    branches_of[row.placement] = row.branches;
  std::size_t semantic_versions = 0;
  for (const auto& [version, branches] : branches_of)
    semantic_versions += branches == 2 ? 1 : 0;
  EXPECT_GT(semantic_versions, 0U) << "the bandit never tried the semantic arm";
  EXPECT_LT(semantic_versions, branches_of.size()) << "the bandit never tried the layer-wise arm";

  result = test::run_edgesim({"run", root + "/scenarios/semantic-split.toml", "-q", "--json", "-o", dir.file("s.h5"),
                              "--set", "placement.mode=\"semantic\""});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, std::uint64_t> served;
  for (const auto& host : io::read_hosts(dir.file("s.h5")))
    served[host.name] = host.served;
  EXPECT_GT(served["pi3a-1"], 10000U);
  EXPECT_EQ(served["pi3a-1"], served["opi-1"]) << "each request runs one branch on each";
  // 0.9811 - 0.0022 (binomial sd over ~13,600 requests ~0.0012).
  EXPECT_NEAR(test::json_field(result.out, "all", "accuracy"), 0.9789, 0.005);
}

} // namespace
} // namespace edgesim
