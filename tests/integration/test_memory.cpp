// Memory is bounded by what is in flight, not by the number of requests simulated
// (bounded memory, docs/architecture.md): the peak RSS of a run with the /requests trace on grows by
// at most 20% from 10^5 to 10^6 requests. Measured from the outside (wait4's ru_maxrss
// of the edgesim process); nothing is timed. docs/hardening.md has the 10^5 vs 10^7
// figures.
#include "cli_runner.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using edgesim::test::BackgroundRun;
using edgesim::test::TempDir;

const std::string kScenario = std::string(EDGESIM_TEST_DATA) + "/scenarios/long-run.toml";

long peak_rss_kib(const TempDir& dir, const std::string& requests) {
  BackgroundRun run(
      {"run", kScenario, "-q", "-o", dir.file(requests + ".h5"), "--set", "simulation.requests=" + requests});
  EXPECT_EQ(run.wait(300), 0) << run.err();
  return run.max_rss_kib();
}

TEST(Memory, PeakRssDoesNotGrowWithTheNumberOfRequests) {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer keeps freed memory in a quarantine (256 MiB) before reusing it, so
  // under it peak RSS grows with the number of allocations whatever edgesim keeps alive
  // (about 410 vs 660 MiB at 10^5 vs 10^6 requests); its leak check runs instead.
  GTEST_SKIP() << "peak RSS is not edgesim's under AddressSanitizer (quarantine)";
#endif
  TempDir dir;
  const long small = peak_rss_kib(dir, "100000");
  const long large = peak_rss_kib(dir, "1000000");
  RecordProperty("rss_kib_1e5_requests", std::to_string(small));
  RecordProperty("rss_kib_1e6_requests", std::to_string(large));
  ASSERT_GT(small, 0);
  EXPECT_LE(static_cast<double>(large), 1.2 * static_cast<double>(small))
      << "peak RSS " << small << " KiB at 1e5 requests, " << large << " KiB at 1e6";
}

} // namespace
