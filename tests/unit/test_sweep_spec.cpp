// Sweep spec: --vary parsing, grid and Latin hypercube designs, seeds, sweep id.
#include "sweep/sweep_spec.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace edgesim::sweep {
namespace {

using Strings = std::vector<std::string>;

TEST(SweepSpec, ParsesListsRangesAndTomlValues) {
  const VaryAxis list = parse_vary("tenants.0.arrival.rate=2, 4.5,8");
  EXPECT_EQ(list.key, "tenants.0.arrival.rate");
  EXPECT_EQ(list.values, (Strings{"2", "4.5", "8"}));
  EXPECT_TRUE(list.numeric);

  const VaryAxis range = parse_vary("hosts.default.buffer=1:9:4");
  EXPECT_EQ(range.values, (Strings{"1", "5", "9"}));
  EXPECT_TRUE(range.numeric);

  // No rounding drift: START + k*STEP printed to 12 digits; floats keep a '.'.
  const VaryAxis floats = parse_vary("x=0:1:0.1");
  ASSERT_EQ(floats.values.size(), 11U);
  EXPECT_EQ(floats.values[3], "0.3");
  EXPECT_EQ(floats.values[0], "0.0");
  EXPECT_EQ(floats.values[10], "1.0");

  const VaryAxis down = parse_vary("x=10:4:-3");
  EXPECT_EQ(down.values, (Strings{"10", "7", "4"}));

  // Commas inside arrays, tables and strings do not split values.
  const VaryAxis arrays = parse_vary(R"(exits.thresholds=[0.8,0.9], [0.5, 0.6],"a,b")");
  EXPECT_EQ(arrays.values, (Strings{"[0.8,0.9]", "[0.5, 0.6]", "\"a,b\""}));
  EXPECT_FALSE(arrays.numeric);

  const VaryAxis interval = parse_vary("x=0.5:2");
  EXPECT_TRUE(interval.continuous);
  EXPECT_FALSE(interval.integer);
  EXPECT_EQ(interval.values, (Strings{"0.5", "2.0"}));
}

TEST(SweepSpec, RejectsMalformedVary) {
  for (const char* bad : {"x", "=1,2", "x=", "x=1,,2", "x=1:2:0", "x=1:5:-1", "x=a:2:1", "x=1:2:3:4", "x=5:1"}) {
    try {
      (void)parse_vary(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--vary"), std::string::npos) << e.what();
    }
  }
}

SweepSpec grid_spec() {
  SweepSpec spec;
  spec.scenario_text = "[simulation]\nseed = 1\n";
  spec.axes = {parse_vary("a=1,2,3"), parse_vary("b=x,y")};
  spec.reps = 2;
  spec.seed = 7;
  return spec;
}

TEST(SweepSpec, GridIsRowMajorWithTheFirstKeySlowest) {
  const SweepSpec spec = grid_spec();
  spec.check();
  EXPECT_EQ(spec.point_count(), 6U);
  EXPECT_EQ(spec.run_count(), 12U);
  const auto points = spec.point_values();
  ASSERT_EQ(points.size(), 6U);
  EXPECT_EQ(points[0], (Strings{"1", "x"}));
  EXPECT_EQ(points[1], (Strings{"1", "y"}));
  EXPECT_EQ(points[5], (Strings{"3", "y"}));
}

TEST(SweepSpec, SeedsDependOnlyOnBaseSeedPointAndReplication) {
  const SweepSpec spec = grid_spec();
  std::set<std::uint64_t> seeds;
  for (std::size_t p = 0; p < spec.point_count(); ++p)
    for (std::size_t r = 0; r < spec.reps; ++r)
      seeds.insert(spec.seed_of(p, r));
  EXPECT_EQ(seeds.size(), spec.run_count());
  for (const auto s : seeds)
    EXPECT_LT(s, std::uint64_t{1} << 52U);
  SweepSpec other = spec;
  other.axes.push_back(parse_vary("c=1,2")); // more points: existing seeds unchanged
  EXPECT_EQ(other.seed_of(3, 1), spec.seed_of(3, 1));
  other.seed = 8;
  EXPECT_NE(other.seed_of(3, 1), spec.seed_of(3, 1));
}

TEST(SweepSpec, LatinHypercubeCoversEveryStratumOnce) {
  SweepSpec spec;
  spec.axes = {parse_vary("rate=0.0:10.0"), parse_vary("k=1:5"), parse_vary("policy=a,b,c,d,e")};
  spec.design = Design::Lhs;
  spec.lhs_points = 5;
  spec.check();
  const auto points = spec.point_values();
  ASSERT_EQ(points.size(), 5U);
  std::set<int> rate_strata;
  std::set<std::string> ks;
  std::set<std::string> policies;
  for (const auto& point : points) {
    const double rate = std::stod(point[0]);
    EXPECT_GE(rate, 0);
    EXPECT_LT(rate, 10);
    rate_strata.insert(static_cast<int>(rate / 2));
    ks.insert(point[1]);
    policies.insert(point[2]);
  }
  EXPECT_EQ(rate_strata.size(), 5U);
  EXPECT_EQ(ks, (std::set<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(policies.size(), 5U);
  EXPECT_EQ(spec.point_values(), points); // seeded: the same every time
  spec.seed = 2;
  EXPECT_NE(spec.point_values(), points);
}

TEST(SweepSpec, IdChangesWithAnythingThatChangesResults) {
  const SweepSpec spec = grid_spec();
  EXPECT_EQ(spec.id().size(), 16U);
  EXPECT_EQ(spec.id(), grid_spec().id());
  SweepSpec other = grid_spec();
  other.reps = 3;
  EXPECT_NE(other.id(), spec.id());
  other = grid_spec();
  other.scenario_text += "# changed\n";
  EXPECT_NE(other.id(), spec.id());
  other = grid_spec();
  other.overrides = {"hosts.default.buffer=3"};
  EXPECT_NE(other.id(), spec.id());
  other = grid_spec();
  other.axes[0] = parse_vary("a=1,2,4");
  EXPECT_NE(other.id(), spec.id());
}

TEST(SweepSpec, CheckRejectsBadCombinations) {
  SweepSpec spec = grid_spec();
  spec.axes.clear();
  EXPECT_THROW(spec.check(), InputError);
  spec = grid_spec();
  spec.axes.push_back(parse_vary("a=5"));
  EXPECT_THROW(spec.check(), InputError);
  spec = grid_spec();
  spec.design = Design::Lhs;
  EXPECT_THROW(spec.check(), InputError);
  spec = grid_spec();
  spec.lhs_points = 4;
  EXPECT_THROW(spec.check(), InputError);
  spec = grid_spec();
  spec.reps = 0;
  EXPECT_THROW(spec.check(), InputError);
  EXPECT_THROW((void)parse_design("random"), InputError);
}

} // namespace
} // namespace edgesim::sweep
