#include "config/units.hpp"

#include <gtest/gtest.h>

using namespace edgesim::units;

TEST(Units, DurationsConvertToSeconds) {
  EXPECT_DOUBLE_EQ(*parse_seconds("250ms"), 0.25);
  EXPECT_DOUBLE_EQ(*parse_seconds("1.5s"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_seconds("2min"), 120.0);
  EXPECT_DOUBLE_EQ(*parse_seconds("40us"), 40e-6);
  EXPECT_DOUBLE_EQ(*parse_seconds("3"), 3.0);
  EXPECT_FALSE(parse_seconds("fast"));
  EXPECT_FALSE(parse_seconds("12MBps"));
  EXPECT_FALSE(parse_seconds(""));
}

TEST(Units, BandwidthIsBytesPerSecond) {
  EXPECT_DOUBLE_EQ(*parse_bandwidth("12MBps"), 12e6);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("100Mbps"), 12.5e6);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("1Gbps"), 1.25e8);
  EXPECT_FALSE(parse_bandwidth("12ms"));
}

TEST(Units, PowerEnergyBytes) {
  EXPECT_DOUBLE_EQ(*parse_watts("5W"), 5.0);
  EXPECT_DOUBLE_EQ(*parse_watts("250mW"), 0.25);
  EXPECT_DOUBLE_EQ(*parse_energy("12.1Wh"), 12.1 * 3600);
  EXPECT_DOUBLE_EQ(*parse_energy("3kJ"), 3000);
  EXPECT_DOUBLE_EQ(*parse_bytes("2GiB"), 2147483648.0);
  EXPECT_DOUBLE_EQ(*parse_bytes("150kB"), 150000.0);
  EXPECT_FALSE(parse_watts("5Wh"));
}
