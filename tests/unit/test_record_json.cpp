// Records as JSON objects (io/record_json.hpp) and the run summary document
// (io/summary_json.hpp): both follow the record schema, and read back bit for bit.
#include "io/record_json.hpp"
#include "io/record_schema.hpp"
#include "io/summary_json.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace edgesim::io {
namespace {

SummaryRow sample_row(std::string tenant, double scale) {
  SummaryRow row;
  row.tenant = std::move(tenant);
  row.offered = (std::uint64_t{1} << 60U) + 3; // beyond a double's 53 bits: must stay exact
  row.served = 7;
  row.lost = 2;
  row.loss_ratio = 1.0 / 3.0 * scale;
  row.throughput = 0.1 * scale;
  row.latency_mean = std::numeric_limits<double>::quiet_NaN();
  row.latency_p50 = 5e-324; // the smallest subnormal
  row.latency_p95 = 1.7976931348623157e308;
  row.energy_dynamic_j = -0.0;
  return row;
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b) || (std::isnan(a) && std::isnan(b));
}

TEST(RecordJson, WritesEveryColumnInSchemaOrder) {
  std::string text;
  append_json(text, sample_row("cam", 1));
  std::size_t last = 0;
  for_each_column<SummaryRow>([&](const auto& column) {
    const auto pos = text.find(fmt::format("\"{}\":", column.name));
    ASSERT_NE(pos, std::string::npos) << column.name;
    EXPECT_GT(pos, last) << column.name;
    last = pos;
  });
  EXPECT_NE(text.find("\"latency_mean\":null"), std::string::npos);
  EXPECT_NE(text.find("\"offered\":1152921504606846979"), std::string::npos);
}

TEST(RecordJson, ReadsBackBitForBit) {
  const SummaryRow row = sample_row("a \"quoted\"\\ name\twith\x01 control", 3);
  std::string text;
  append_json(text, row);
  const auto back = read_json<SummaryRow>(text, "test");
  EXPECT_EQ(back.tenant, row.tenant);
  EXPECT_EQ(back.offered, row.offered);
  for_each_column<SummaryRow>([&](const auto& column) {
    using Value = typename std::remove_cvref_t<decltype(column)>::value_type;
    if constexpr (std::is_same_v<Value, double>)
      EXPECT_TRUE(same_bits(back.*(column.member), row.*(column.member))) << column.name;
  });
}

TEST(RecordJson, MissingMemberIsAnErrorNamingIt) {
  std::string text;
  append_json(text, sample_row("cam", 1));
  const auto pos = text.find("\"energy_static_j\"");
  text = text.substr(0, pos - 1) + "}";
  try {
    (void)read_json<SummaryRow>(text, "sweep run 3");
    FAIL() << "expected an error";
  } catch (const RuntimeError& e) {
    EXPECT_STREQ(e.what(), "sweep run 3: no field \"energy_static_j\"");
  }
}

TEST(RecordJson, MalformedIntegerIsAnError) {
  EXPECT_NO_THROW((void)read_json<LinkRecord>(R"({"name":"l","energy_j":1,"bytes":2})", "x"));
  EXPECT_THROW((void)read_json<HostRecord>(R"({"name":"h","energy_j":1,"energy_static_j":0,"energy_dynamic_j":1,)"
                                           R"("busy_fraction":0,"served":2.5,"lost":0,"mean_queue":0,)"
                                           R"("battery_soc_end":1,"down_at":-1})",
                                           "x"),
               RuntimeError);
}

TEST(SummaryJson, RoundTripsARunSummary) {
  RunSummary summary;
  summary.rows = {sample_row("cam", 1), sample_row("mic", 2), sample_row("all", 3)};
  HostRecord host;
  host.name = "rpi4b-0";
  host.energy_j = 12.25;
  host.served = 99;
  host.down_at = -1;
  summary.hosts = {host, host};
  summary.links = {LinkRecord{"wlan", 0.5, 1e6}};
  summary.simulated_seconds = 60.000000000000007;
  const std::string text = summary_json(summary);
  EXPECT_EQ(text.back(), '\n');
  const RunSummary back = parse_run_summary_json(text);
  ASSERT_EQ(back.rows.size(), 3U);
  EXPECT_EQ(back.rows[1].tenant, "mic");
  EXPECT_EQ(back.rows[2].tenant, "all");
  EXPECT_TRUE(same_bits(back.rows[2].loss_ratio, summary.rows[2].loss_ratio));
  ASSERT_EQ(back.hosts.size(), 2U);
  EXPECT_EQ(back.hosts[1].name, "rpi4b-0");
  EXPECT_EQ(back.hosts[1].served, 99U);
  ASSERT_EQ(back.links.size(), 1U);
  EXPECT_EQ(back.links[0].bytes, 1e6);
  EXPECT_TRUE(same_bits(back.simulated_seconds, summary.simulated_seconds));
  EXPECT_EQ(summary_json(back), text);
}

TEST(RecordSchema, LooksColumnsUpByName) {
  static_assert(has_column<SummaryRow>("latency_p95"));
  static_assert(!has_column<SummaryRow>("latency_p90"));
  HostRecord host;
  host.served = 5;
  EXPECT_EQ(numeric_column(host, "served"), 5.0);
  EXPECT_FALSE(numeric_column(host, "name").has_value()); // text, not a number
  EXPECT_FALSE(numeric_column(host, "nothing").has_value());
}

} // namespace
} // namespace edgesim::io
