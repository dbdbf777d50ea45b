// Joint placement through the CLI on scenarios/joint-placement.toml: chain-dp and ilp
// place the two cameras together within max_utilisation (the same plan, each host's
// predicted utilisation at most 80 %); the simulated run loses far fewer requests than
// placing them one at a time, which overloads the server; re-planning a jointly placed
// tenant keeps the others' load in view (the plan stays); and misplaced keys fail.
#include "cli_runner.hpp"

#include "io/run_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using edgesim::test::run_edgesim;
using edgesim::test::TempDir;

const fs::path kRoot = fs::absolute(EDGESIM_TEST_DATA).parent_path().parent_path();
const std::string kScenario = (kRoot / "scenarios" / "joint-placement.toml").string();

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& extra) {
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The placement lines and the predicted utilisation `edgesim check` prints.
struct Checked {
  std::vector<std::string> placements;
  std::vector<double> utilisation; // percent, of every host it lists
};

Checked check(const std::vector<std::string>& extra) {
  const auto r = run_edgesim(with({"check", kScenario}, extra));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Checked out;
  std::size_t at = 0;
  while ((at = r.out.find("placement=", at)) != std::string::npos) {
    const auto colon = r.out.find(':', at);
    out.placements.push_back(r.out.substr(colon + 1, r.out.find('\n', colon) - colon - 1));
    at = colon;
  }
  const auto line = r.out.find("predicted utilisation:");
  if (line != std::string::npos) {
    const std::string rest = r.out.substr(line, r.out.find('\n', line) - line);
    const std::regex percent(R"(([0-9.]+) %)");
    for (auto it = std::sregex_iterator(rest.begin(), rest.end(), percent); it != std::sregex_iterator(); ++it)
      out.utilisation.push_back(std::stod((*it)[1]));
  }
  return out;
}

double loss_ratio(const fs::path& file) {
  for (const auto& row : edgesim::io::read_summary(file))
    if (row.tenant == "all")
      return row.loss_ratio;
  ADD_FAILURE() << "no 'all' row in " << file;
  return -1;
}

TEST(JointPlacement, ChainDpAndIlpShareTheHostsWithinMaxUtilisation) {
  const Checked dp = check({});
  const Checked ilp = check({"--set", "placement.policy=ilp"});
  ASSERT_EQ(dp.placements.size(), 2U);
  EXPECT_EQ(dp.placements, ilp.placements);
  EXPECT_EQ(dp.placements[0], " [0-17]@server-1");
  EXPECT_NE(dp.placements[1], " [0-17]@server-1");
  ASSERT_FALSE(dp.utilisation.empty());
  for (double u : dp.utilisation)
    EXPECT_LE(u, 80.0);
  // Alone, both cameras take the server; check prints no joint load.
  const Checked alone = check({"--set", "placement.joint=false", "--unset", "placement.max_utilisation"});
  ASSERT_EQ(alone.placements.size(), 2U);
  EXPECT_EQ(alone.placements[1], " [0-17]@server-1");
  EXPECT_TRUE(alone.utilisation.empty());
}

TEST(JointPlacement, LosesFarFewerRequestsThanPlacingOneAtATime) {
  TempDir dir;
  const auto joint = run_edgesim({"run", kScenario, "-q", "-o", dir.file("joint.h5")});
  ASSERT_EQ(joint.exit_code, 0) << joint.err;
  const auto alone = run_edgesim({"run", kScenario, "-q", "-o", dir.file("alone.h5"), "--set", "placement.joint=false",
                                  "--unset", "placement.max_utilisation"});
  ASSERT_EQ(alone.exit_code, 0) << alone.err;
  // Measured (seed 1): 0.25 % against 7.9 %: the server at 104 % of its capacity.
  const double joint_loss = loss_ratio(dir.file("joint.h5"));
  const double alone_loss = loss_ratio(dir.file("alone.h5"));
  EXPECT_LT(joint_loss, 0.01);
  EXPECT_GT(alone_loss, 0.05);
}

TEST(JointPlacement, ReplanningKeepsTheOthersLoadInView) {
  // At the joint optimum no tenant gains by moving alone, so re-planning each every
  // 50 s changes nothing; a re-plan blind to the other camera would move cam-b onto
  // the server, where it is fastest alone.
  for (const char* policy : {"chain-dp", "ilp"}) {
    TempDir dir;
    const auto r = run_edgesim({"run", kScenario, "-q", "-o", dir.file("o.h5"), "--set",
                                std::string("placement.policy=") + policy, "--set", "placement.replan_every=50s"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& row : edgesim::io::read_placements(dir.file("o.h5")))
      EXPECT_EQ(row.placement, 0U) << policy << ": tenant " << row.tenant << " moved at t = " << row.time;
  }
}

TEST(JointPlacement, MisplacedKeysFail) {
  // max_utilisation without joint = true has no effect: an error, not a silent no-op.
  auto r = run_edgesim({"check", kScenario, "--set", "placement.joint=false"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("placement.max_utilisation"), std::string::npos) << r.err;
  // A tenant's own table cannot join the shared one.
  r = run_edgesim({"check", kScenario, "--set", "tenants.1.placement={policy=\"chain-dp\", joint=true}"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("tenants.1.placement.joint"), std::string::npos) << r.err;
  // Over capacity at any placement: the error names the key and the remedy.
  r = run_edgesim({"check", kScenario, "--set", "placement.max_utilisation=0.3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("joint-placement.toml: placement.joint"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("max_utilisation = 0.3"), std::string::npos) << r.err;
}

} // namespace
