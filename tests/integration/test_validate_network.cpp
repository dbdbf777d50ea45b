// `edgesim validate --network`: a two-station exponential tandem with loss against its
// exact Markov chain (the simulator's per-station and end-to-end loss, throughput and
// response inside their intervals), the table files, and argument errors.
#include "cli_runner.hpp"

#include "queueing/loss_tandem.hpp"
#include "validate/network_validation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <string>

namespace edgesim {
namespace {

TEST(ValidateNetwork, TwoStationExponentialTandemMatchesItsChain) {
  test::TempDir dir;
  const std::string h5 = dir.file("net.h5");
  const std::string csv = dir.file("net.csv");
  const auto result = test::run_edgesim({"validate", "--network", "--stations", "2",      "--K", "2",          "--rho",
                                         "0.9,1.3",  "--classes", "1,2",        "--reps", "6",   "--requests", "8000",
                                         "-j",       "2",         "-q",         "-o",     h5,    "--csv",      csv},
                                        300);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  // 4 points x (2 stations + end to end) x 3 metrics, all with an exact value.
  EXPECT_NE(result.out.find("PASS: 36/36"), std::string::npos) << result.out;
  const auto rows = validate::read_network_validation_hdf5(h5);
  ASSERT_EQ(rows.size(), 12U);
  for (const auto& r : rows) {
    SCOPED_TRACE(testing::Message() << "rho " << r.rho << " C " << r.classes << " station " << r.station);
    const auto point = validate::NetworkPoint::uniform(validate::parse_service("exp"), 2, 2, r.rho, r.classes);
    const auto exact = queueing::solve_loss_tandem_ctmc(validate::network_of(point));
    ASSERT_TRUE(exact);
    const double exact_loss = r.station == 0 ? exact->loss : exact->stations[r.station - 1].loss;
    EXPECT_DOUBLE_EQ(r.exact_loss, exact_loss);
    EXPECT_TRUE(r.loss_in_ci && r.throughput_in_ci && r.response_in_ci);
    // Statistical agreement, not just an interval: within 3 % relative (6 x 8000 arrivals).
    EXPECT_NEAR(r.sim_loss, r.exact_loss, 0.03 * r.exact_loss + 0.002);
    EXPECT_NEAR(r.sim_throughput / r.exact_throughput, 1.0, 0.02);
    EXPECT_NEAR(r.sim_response / r.exact_response, 1.0, 0.03);
    // The Poisson decomposition is exact at the first station only.
    if (r.station == 1)
      EXPECT_NEAR(r.poisson_loss, r.exact_loss, 1e-9);
    if (r.station == 2 && r.classes == 1)
      EXPECT_GT(r.poisson_loss, r.exact_loss + 0.02); // departures are smoother than Poisson
    EXPECT_EQ(std::isfinite(r.sim_latency), r.station == 0);
  }
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("dist,stations,K,rho,classes,station,reps,arrival_rate,sim_loss,", 0), 0U) << header;
}

// A law and a K per station (per-fragment work laws in the simulator), two classes
// sharing every station: still the exact chain.
TEST(ValidateNetwork, StationByStationLawsAndCapacitiesMatchTheChain) {
  test::TempDir dir;
  const std::string h5 = dir.file("net.h5");
  const auto result =
      test::run_edgesim({"validate", "--network", "--station-dist", "exp,erlang2,h2", "--station-K", "2,4,3", "--rho",
                         "0.8", "--classes", "2", "--reps", "6", "--requests", "8000", "-j", "2", "-q", "-o", h5},
                        300);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("PASS: 12/12"), std::string::npos) << result.out;
  const auto rows = validate::read_network_validation_hdf5(h5);
  ASSERT_EQ(rows.size(), 4U);
  const char* laws[] = {"exp", "erlang2", "h2"};
  const int ks[] = {2, 4, 3};
  for (int s = 0; s < 3; ++s) {
    EXPECT_EQ(rows[s].dist, laws[s]);
    EXPECT_EQ(rows[s].K, ks[s]);
    EXPECT_EQ(rows[s].tandem, "exp:2 erlang2:4 h2:3");
    EXPECT_NEAR(rows[s].sim_loss, rows[s].exact_loss, 0.03 * rows[s].exact_loss + 0.003);
  }
  EXPECT_EQ(rows[3].dist, "exp,erlang2,h2");
  EXPECT_EQ(rows[3].K, 0);
  const auto mismatch =
      test::run_edgesim({"validate", "--network", "--station-dist", "exp,det", "--station-K", "2,4,3", "-q"});
  EXPECT_EQ(mismatch.exit_code, 1) << mismatch.err;
  EXPECT_NE(mismatch.err.find("same length"), std::string::npos) << mismatch.err;
}

// --scenario: two tenants crossing two shared hosts in opposite directions, one with an
// Erlang-2 second fragment (fragment_work): the network of the scenario itself.
std::string crossing_scenario(const test::TempDir& dir, const std::string& extra) {
  dir.write("a.toml", R"(name = "a"
input_bytes = 0
final = { accuracy = 0.9 }
layers = [ { name = "l1", flops = 20e6, out_bytes = 0 }, { name = "l2", flops = 30e6, out_bytes = 0 } ]
)");
  dir.write("b.toml", R"(name = "b"
input_bytes = 0
final = { accuracy = 0.9 }
layers = [ { name = "l1", flops = 40e6, out_bytes = 0 }, { name = "l2", flops = 10e6, out_bytes = 0 } ]
)");
  return dir.write("net.toml", std::string(R"([simulation]
duration = "2000s"
sample_every = "1e6s"
trace_requests = false
[platform]
file = ")") + EDGESIM_TEST_DATA + R"(/platforms/queue-lab.xml"
[hosts.default]
station = "shared"
buffer = 3
[hosts.s2]
buffer = 2
[[tenants]]
name = "a"
model = "a.toml"
source = "s1"
work = "exponential"
arrival = { process = "poisson", rate = 15.0 }
placement = { policy = "manual", fragments = [ { layers = "0-0", host = "s1" }, { layers = "1-1", host = "s2" } ] }
[[tenants]]
name = "b"
model = "b.toml"
source = "s2"
fragment_work = [ "exponential", { distribution = "erlang", stages = 2 } ]
arrival = { process = "poisson", rate = 8.0 }
placement = { policy = "manual", fragments = [ { layers = "0-0", host = "s2" }, { layers = "1-1", host = "s1" } ] }
)" + extra);
}

TEST(ValidateNetwork, AScenariosOwnNetworkMatchesItsChain) {
  test::TempDir dir;
  const std::string h5 = dir.file("sn.h5");
  const auto result = test::run_edgesim(
      {"validate", "--network", "--scenario", crossing_scenario(dir, ""), "--reps", "6", "-j", "2", "-q", "-o", h5},
      300);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  // Two stations (loss, throughput, response) and end to end (loss, throughput).
  EXPECT_NE(result.out.find("PASS: 8/8"), std::string::npos) << result.out;
  const auto rows = validate::read_network_validation_hdf5(h5);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].dist, "s1");
  EXPECT_EQ(rows[1].K, 2);
  EXPECT_EQ(rows[2].dist, "scenario");
  EXPECT_EQ(rows[2].tandem, "s1:3 s2:2");
  EXPECT_TRUE(std::isnan(rows[2].exact_response));
  EXPECT_NEAR(rows[2].sim_response / rows[2].poisson_response, 1.0, 0.05);
  for (const auto& r : rows)
    EXPECT_NEAR(r.sim_loss, r.exact_loss, 0.03 * r.exact_loss + 0.003);
}

TEST(ValidateNetwork, ScenariosOutsideTheModelAreInputErrors) {
  test::TempDir dir;
  const std::string file = crossing_scenario(dir, "[exits]\npolicy = \"threshold\"\nthresholds = 0.5\n");
  const auto exits = test::run_edgesim({"validate", "--network", "--scenario", file, "-q"});
  EXPECT_EQ(exits.exit_code, 1) << exits.err;
  EXPECT_NE(exits.err.find("tenants.0.exits: expected policy \"none\""), std::string::npos) << exits.err;
  const auto grid = test::run_edgesim({"validate", "--network", "--scenario", crossing_scenario(dir, ""), "--K", "2"});
  EXPECT_EQ(grid.exit_code, 1) << grid.err;
  EXPECT_NE(grid.err.find("the scenario gives the network"), std::string::npos) << grid.err;
}

TEST(ValidateNetwork, DeterministicServiceHasNoExactValueButRuns) {
  test::TempDir dir;
  const auto result =
      test::run_edgesim({"validate", "--network", "--dist", "det", "--stations", "3", "--K", "2", "--rho", "0.8",
                         "--reps", "3", "--requests", "2000", "-q", "--csv", dir.file("d.csv")},
                        300);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("PASS: 0/0"), std::string::npos) << result.out;
  std::ifstream in(dir.file("d.csv"));
  const std::string rows((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(rows.find("det,3,2,0.80000000000000004,1,0,3,"), std::string::npos) << rows;
}

TEST(ValidateNetwork, BadArgumentsAreInputErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--stations", "9"}, {"--classes", "0"}, {"--dist", "exits"}, {"--K", "-2"}}) {
    std::vector<std::string> argv{"validate", "--network"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto result = test::run_edgesim(argv);
    EXPECT_EQ(result.exit_code, 1) << args[0] << result.err;
    EXPECT_NE(result.err.find(args[0]), std::string::npos) << result.err;
  }
}

} // namespace
} // namespace edgesim
