// The platform probe's host records (core/probe_host_record.cpp): the wire format
// between the probe's child and parent, and the validation of host properties.
#include "core/probe_host_record.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using edgesim::ProbeHostRecord;

ProbeHostRecord record_with(std::optional<std::string> ram, std::optional<std::string> battery = std::nullopt,
                            std::optional<std::string> wifi_rate = std::nullopt) {
  ProbeHostRecord record;
  record.name = "pi4-1";
  record.cores = 4;
  record.pstate_speeds = {1.5e9, 6e8};
  record.ram_bytes = std::move(ram);
  record.device_class = "rpi4b";
  record.battery_wh = std::move(battery);
  record.wifi_rate = std::move(wifi_rate);
  record.has_wattage = true;
  return record;
}

std::string error_of(const ProbeHostRecord& record) {
  try {
    (void)edgesim::validate_host_record(record, "p.xml");
  } catch (const edgesim::InputError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(ProbeHostRecord, AnyByteSurvivesThePipe) {
  ProbeHostRecord record = record_with("4GiB", "12.1", "2");
  record.name = "odd\tname\nwith\\breaks\r";
  record.device_class = "=x\t";
  ProbeHostRecord absent = record_with(std::nullopt);
  absent.device_class.reset();
  absent.has_wattage = false;
  const auto decoded =
      edgesim::decode_host_records(edgesim::encode_host_record(record) + edgesim::encode_host_record(absent));
  ASSERT_EQ(decoded.size(), 2U);
  EXPECT_EQ(decoded[0], record);
  EXPECT_EQ(decoded[1], absent);
  EXPECT_FALSE(decoded[1].ram_bytes.has_value());
}

TEST(ProbeHostRecord, MalformedOutputIsARuntimeError) {
  EXPECT_THROW((void)edgesim::decode_host_records("a\t1\t1e9\n"), edgesim::RuntimeError);
  EXPECT_THROW((void)edgesim::decode_host_records("a\t1\t1e9\t\t\t\t\t0"), edgesim::RuntimeError);
  EXPECT_THROW((void)edgesim::decode_host_records("a\\q\t1\t1e9\t\t\t\t\t0\n"), edgesim::RuntimeError);
  EXPECT_THROW((void)edgesim::decode_host_records("a\tx\t1e9\t\t\t\t\t0\n"), edgesim::RuntimeError);
  EXPECT_TRUE(edgesim::decode_host_records("").empty());
}

TEST(ProbeHostRecord, ValidPropertiesBecomeNumbers) {
  const auto host = edgesim::validate_host_record(record_with("4GiB", "12.5", "3"), "p.xml");
  EXPECT_EQ(host.info.name, "pi4-1");
  EXPECT_EQ(host.info.cores, 4);
  EXPECT_DOUBLE_EQ(host.info.speed, 1.5e9);
  EXPECT_DOUBLE_EQ(host.info.ram_bytes, 4294967296.0);
  EXPECT_EQ(host.info.device_class, "rpi4b");
  EXPECT_DOUBLE_EQ(host.battery_wh, 12.5);
  EXPECT_EQ(host.wifi_rate, 3);
  EXPECT_TRUE(host.has_wattage);
  EXPECT_DOUBLE_EQ(edgesim::validate_host_record(record_with("8000000000"), "p.xml").info.ram_bytes, 8e9);
  const auto bare = edgesim::validate_host_record(record_with(std::nullopt), "p.xml");
  EXPECT_DOUBLE_EQ(bare.info.ram_bytes, 0);
  EXPECT_DOUBLE_EQ(bare.battery_wh, 0);
  EXPECT_EQ(bare.wifi_rate, 0);
}

TEST(ProbeHostRecord, NonFiniteOrMalformedPropertiesAreInputErrors) {
  EXPECT_EQ(error_of(record_with("nan")), "p.xml: host pi4-1: property ram_bytes: expected a non-negative size in "
                                          "bytes (a number or \"4GiB\"), found \"nan\"");
  EXPECT_NE(error_of(record_with("1e999")), "accepted");
  EXPECT_NE(error_of(record_with("-1")), "accepted");
  EXPECT_NE(error_of(record_with("lots")), "accepted");
  EXPECT_NE(error_of(record_with("1", "inf")), "accepted");
  EXPECT_NE(error_of(record_with("1", "nan")), "accepted");
  EXPECT_NE(error_of(record_with("1", "12Wh")), "accepted");
  EXPECT_NE(error_of(record_with("1", std::nullopt, "fast")), "accepted");
  EXPECT_NE(error_of(record_with("1", std::nullopt, "-1")), "accepted");
  EXPECT_NE(error_of(record_with("1", std::nullopt, "")), "accepted");
  EXPECT_NE(error_of(record_with("1", std::nullopt, "1.5")), "accepted");
  EXPECT_NE(error_of(record_with("1", std::nullopt, "99999999999")), "accepted");
}

} // namespace
