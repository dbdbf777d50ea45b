// --shard I/N parsing and point selection.
#include "sweep/shard.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgesim::sweep {
namespace {

TEST(Shard, ParsesAndSelectsPointsModuloN) {
  const Shard shard = Shard::parse("1/3");
  EXPECT_EQ(shard.index, 1U);
  EXPECT_EQ(shard.count, 3U);
  EXPECT_EQ(shard.text(), "1/3");
  std::vector<std::size_t> points;
  for (std::size_t p = 0; p < 10; ++p)
    if (shard.contains(p))
      points.push_back(p);
  EXPECT_EQ(points, (std::vector<std::size_t>{1, 4, 7}));
  EXPECT_EQ(shard.size_of(10), 3U);
  EXPECT_EQ(Shard::parse("0/3").size_of(10), 4U);
  EXPECT_EQ(Shard::parse("2/3").size_of(10), 3U);
  EXPECT_TRUE(Shard{}.whole());
}

TEST(Shard, EveryPointInExactlyOneShard) {
  for (std::size_t n = 1; n <= 5; ++n) {
    for (std::size_t p = 0; p < 23; ++p) {
      int owners = 0;
      for (std::size_t i = 0; i < n; ++i)
        owners += Shard::parse(std::to_string(i) + "/" + std::to_string(n)).contains(p) ? 1 : 0;
      EXPECT_EQ(owners, 1) << p << " of " << n;
    }
  }
}

TEST(Shard, RejectsMalformedText) {
  for (const char* bad : {"", "3", "1/", "/2", "a/2", "1/b", "2/2", "5/3", "0/0", "-1/3", "1/3/4", " 1/3"}) {
    try {
      (void)Shard::parse(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--shard"), std::string::npos) << e.what();
    }
  }
}

} // namespace
} // namespace edgesim::sweep
